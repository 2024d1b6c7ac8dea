#!/usr/bin/env python3
"""Runs a campus whose EV gateway serves OCPP 2.1 stations played by the `ocpp` package, and prints each round:
offers from the chargers, setpoints sent and accepted, then metered energy and settlement from the ledger.

    python3 examples/ocpp/run.py --binary .build/release/v2g [--rounds 3] [--stations 3]

Station ST2 rejects every charging profile, to show a refused setpoint settled as nothing delivered."""
import argparse
import os
import shutil
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from campus import Campus, rounds_from_ledger  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", default=os.environ.get("V2G_BINARY", ".build/release/v2g"))
    parser.add_argument("--rounds", type=int, default=3, help="rounds to show settled (3 more run so that they are metered)")
    parser.add_argument("--stations", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the campus directory (configs, logs, stores)")
    args = parser.parse_args()
    root = tempfile.mkdtemp(prefix="v2g-ocpp-")
    campus = Campus(os.path.abspath(args.binary), root, stations=args.stations, rounds=args.rounds + 3, reject=("ST2",))
    print(f"campus in {root}: control system, endorser, exchange x1, EV gateway serving "
          f"{args.stations} OCPP 2.1 stations on ws://127.0.0.1:{campus.ocpp_port}/ocpp/{{id}}")
    campus.start()
    stop = threading.Event()
    players = campus.play(stop)
    shown, seen_profiles = 0, {p.id: 0 for p in campus.plays}
    deadline = time.time() + 30 + (args.rounds + 3) * 6
    try:
        while shown < args.rounds + 3 and time.time() < deadline:
            time.sleep(0.2)
            for line in campus.round_lines()[shown:]:
                shown += 1
                m = line["market"]
                print(f"round {line['round']}: {m['offers']} offers from chargers, {m['requests']} requests, "
                      f"{m['allocations']} allocations ({m['allocatedWh']} Wh); meter reports sealed: {line['meterReports']}, "
                      f"rounds metered: {line['metered'] or '-'}" + (f"; error: {line['error']}" if line.get("error") else ""))
            for p in campus.plays:
                for prof in p.profiles[seen_profiles[p.id]:]:
                    print(f"  {p.id}/1 SetChargingProfile #{prof.id}: setpoint {prof.setpoint_w:.0f} W for {prof.duration} s "
                          f"→ {prof.answered}")
                seen_profiles[p.id] = len(p.profiles)
        time.sleep(1)
    finally:
        stop.set()
        players.join(timeout=5)
        codes = campus.stop()
    if any(codes.values()):
        print(f"a node exited badly: {codes}", file=sys.stderr)
    rounds = rounds_from_ledger(campus.ledger())
    print("\nfrom the ledger (read back by the independent verifier):")
    print(f"{'round':>5} {'offers':>6} {'allocated Wh':>12} {'reports':>7} {'measured Wh':>11} {'metered Wh':>10} "
          f"{'metered in':>10} {'settled µ':>10}")
    for r in sorted(k for k in rounds if 1 <= k <= args.rounds):
        x = rounds[r]
        measured = sum(end - start for _, ms in x.get("reports", []) for _, start, end, status in ms if status == 0)
        print(f"{r:>5} {len(x.get('offers', [])):>6} {x.get('allocated_wh', 0):>12} {len(x.get('reports', [])):>7} "
              f"{measured:>11} {x.get('metered_wh', '-'):>10} {x.get('metered_in', '-'):>10} {x.get('settled', '-'):>10}")
    if args.keep:
        print(f"kept {root}")
    else:
        shutil.rmtree(root, ignore_errors=True)
    return 1 if any(codes.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
