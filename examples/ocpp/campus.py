"""A campus whose EV gateway serves OCPP 2.1 charging stations, played here by the `ocpp` package (PyPI).

Four `v2g node` processes on loopback (control system, endorser, exchange, EV gateway with `[ocpp]`) trade
over ZeroMQ; each station boots, starts a transaction for its vehicle, reports its charging needs (V2X
parameters) and its energy registers every second, and discharges at the setpoint of the TxProfile the gateway
sends. The control system meters each round from the meter reports the gateway files (docs/ocpp.md).

Used by `run.py` (prints each round) and by tests/python/test_ocpp_round.py (asserts on it).
"""
import asyncio
import base64
import datetime
import os
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field

from websockets.asyncio.client import connect

import ocpp.v21
from ocpp.routing import on

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "python"))
import ledger_verifier as lv  # noqa: E402  (the independent reader of docs/wire-format.md)

MAX_DISCHARGE_W = 22_000


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def iso(t):
    return datetime.datetime.fromtimestamp(int(t), datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def unix(text):
    return int(datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc).timestamp())


@dataclass
class Profile:
    id: int
    start: int
    duration: int
    setpoint_w: float          # negative: discharge
    answered: str


@dataclass
class StationPlay:
    """What one station does and saw."""
    id: str
    password: str
    reject: bool = False       # answers every SetChargingProfile with Rejected
    drop_after: float = None   # closes its connection this many seconds after booting, for good
    profiles: list = field(default_factory=list)
    cleared: list = field(default_factory=list)
    variables: list = field(default_factory=list)
    export_wh: float = 0.0

    def power_w(self, t):
        """Discharge power at Unix time t (W): the latest accepted, uncleared profile covering t."""
        for p in reversed(self.profiles):
            if p.answered == "Accepted" and p.id not in self.cleared and p.start <= t < p.start + p.duration:
                return -p.setpoint_w
        return 0.0


class Station(ocpp.v21.ChargePoint):
    def __init__(self, play, ws):
        super().__init__(play.id, ws)
        self.play = play

    @on("SetChargingProfile")
    def on_set_charging_profile(self, evse_id, charging_profile, **_):
        schedule = charging_profile["charging_schedule"][0]
        period = schedule["charging_schedule_period"][0]
        status = "Rejected" if self.play.reject else "Accepted"
        self.play.profiles.append(Profile(charging_profile["id"], unix(schedule["start_schedule"]), schedule["duration"],
                                          period.get("setpoint", 0.0), status))
        return ocpp.v21.call_result.SetChargingProfile(status=status)

    @on("ClearChargingProfile")
    def on_clear_charging_profile(self, charging_profile_id=None, **_):
        self.play.cleared.append(charging_profile_id)
        return ocpp.v21.call_result.ClearChargingProfile(status="Accepted")

    @on("SetVariables")
    def on_set_variables(self, set_variable_data, **_):
        self.play.variables += [(d["component"]["name"], d["variable"]["name"], d["attribute_value"]) for d in set_variable_data]
        return ocpp.v21.call_result.SetVariables(set_variable_result=[
            {"attributeStatus": "Accepted", "component": d["component"], "variable": d["variable"]} for d in set_variable_data])


async def play_station(port, play, stop):
    token = base64.b64encode(f"{play.id}:{play.password}".encode()).decode()
    async with connect(f"ws://127.0.0.1:{port}/ocpp/{play.id}", subprotocols=["ocpp2.1"],
                       additional_headers={"Authorization": f"Basic {token}"}) as ws:
        cp = Station(play, ws)
        reader = asyncio.create_task(cp.start())
        call, types = ocpp.v21.call, ocpp.v21.datatypes
        booted = time.time()
        await cp.call(call.BootNotification(charging_station=types.ChargingStationType(model="Bidi-22", vendor_name="Example"),
                                            reason="PowerUp"))
        await cp.call(call.StatusNotification(timestamp=iso(time.time()), connector_status="Occupied", evse_id=1, connector_id=1))
        await cp.call(call.Authorize(id_token=types.IdTokenType(id_token="CAR-" + play.id, type="ISO14443")))
        tx = "TX-" + play.id
        now = time.time()
        await cp.call(call.TransactionEvent(event_type="Started", timestamp=iso(now), trigger_reason="Authorized", seq_no=0,
                                            transaction_info={"transactionId": tx}, evse={"id": 1, "connectorId": 1},
                                            meter_value=[meter(now, play.export_wh)]))
        await cp.call(call.NotifyEVChargingNeeds(evse_id=1, charging_needs={
            "requestedEnergyTransfer": "AC_BPT", "departureTime": iso(now + 3600),
            "v2xChargingParameters": {"evMinV2XEnergyRequest": -40_000, "evMaxV2XEnergyRequest": 20_000,
                                      "maxDischargePower": MAX_DISCHARGE_W}}))
        seq, last = 1, time.time()
        while not stop.is_set():
            if play.drop_after is not None and time.time() - booted > play.drop_after:
                break
            await asyncio.sleep(1.0 - (time.time() % 1.0) + 0.01)   # one reading per second, just after it starts
            t = time.time()
            # The register integrates the power over each whole second it covered.
            for second in range(int(last), int(t)):
                play.export_wh += play.power_w(second) / 3600
            last = int(t)
            await cp.call(call.TransactionEvent(event_type="Updated", timestamp=iso(t), trigger_reason="MeterValuePeriodic",
                                                seq_no=seq, transaction_info={"transactionId": tx},
                                                meter_value=[meter(t, play.export_wh)]))
            seq += 1
        reader.cancel()


def meter(t, export_wh):
    return {"timestamp": iso(t), "sampledValue": [{"value": round(export_wh, 3), "measurand": "Energy.Active.Export.Register",
                                                   "unitOfMeasure": {"unit": "Wh"}}]}


class Campus:
    """The four nodes' configs and processes under `root`, and the stations' plays."""

    def __init__(self, binary, root, stations=3, rounds=4, interval_ms=5000, delivery_s=4, reject=(), drop=()):
        self.binary, self.root, self.rounds = binary, root, rounds
        self.plays = [StationPlay(f"ST{i}", f"station-{i}-password-0123", reject=f"ST{i}" in reject,
                                  drop_after=10.0 if f"ST{i}" in drop else None) for i in range(1, stations + 1)]
        self.ocpp_port = free_port()
        names = ["cs", "endorser", "x1", "gateway"] + [f"car{i}" for i in range(1, stations + 1)]
        self.keys = {n: self.keygen(n) for n in names}
        self.ports = {n: free_port() for n in ["cs", "endorser", "x1", "gateway"]}
        self.metrics_port = free_port()
        self.processes = {}
        node_keys = ["cs", "endorser", "x1", "gateway"]

        def network(me, peers):
            lines = ["[network]", f'listen = "tcp://127.0.0.1:{self.ports[me]}"', "members = ["]
            lines += [f'  "{self.keys[n]}",' for n in node_keys if n != me] + ["]"]
            for p in peers:
                lines += ["[[network.peers]]", f'endpoint = "tcp://127.0.0.1:{self.ports[p]}"', f'public_key = "{self.keys[p]}"']
            return lines

        def head(role):
            return [f'role = "{role}"', 'key_file = "keys/{}.key"', 'data_dir = "{}"', 'log_level = "info"',
                    "catch_up_interval_ms = 1000"]

        cars = [f"car{i}" for i in range(1, stations + 1)]
        start_at = (int(time.time() * 1000) // 1000 + 6) * 1000
        self.configs = {
            "cs": head("control-system") + network("cs", ["endorser", "x1", "gateway"]) + [
                "[matcher]", 'algorithm = "ret"', "charger_capacity_wh = 30000", "charger_power_w = 22000",
                "[campus]", 'name = "A"', "endorsements_required = 1", f'endorsers = ["{self.keys["endorser"]}"]',
                f'exchanges = [{{ name = "x1", public_key = "{self.keys["x1"]}" }}]',
                "evs = [" + ", ".join(f'{{ name = "{c}", public_key = "{self.keys[c]}" }}' for c in cars) + "]",
                "[rounds]", f"count = {rounds}", f"interval_ms = {interval_ms}", f"collect_ms = {interval_ms // 2}",
                f"start_at_unix_ms = {start_at}", 'metering = "reports"', "metering_wait_s = 15", "seed = 7"],
            "endorser": head("endorser") + network("endorser", ["cs", "x1", "gateway"]),
            "x1": head("exchange") + network("x1", ["cs", "endorser"]) + [
                "[exchange]", 'name = "x1"', f"consumers = {2 * stations}", "seed = 7"],
            "gateway": head("ev") + network("gateway", ["cs", "endorser"]) + [
                "[metrics]", f'listen = "127.0.0.1:{self.metrics_port}"',
                "[ev]", "vehicles = ["] + [f'  {{ name = "{c}", key_file = "keys/{c}.key", station = "ST{i}", evse = 1 }},'
                                           for i, c in enumerate(cars, 1)] + ["]",
                "[ocpp]", f'listen = "127.0.0.1:{self.ocpp_port}"', f"delivery_s = {delivery_s}", "grace_s = 2",
                "sample_interval_s = 1",
                "stations = [" + ", ".join(f'{{ id = "{p.id}", password = "{p.password}" }}' for p in self.plays) + "]"],
        }
        for name, lines in self.configs.items():
            os.makedirs(os.path.join(root, name), exist_ok=True)
            text = "\n".join(lines).replace('"keys/{}.key"', f'"../keys/{name}.key"').replace('data_dir = "{}"', 'data_dir = "."')
            text = text.replace('key_file = "keys/', 'key_file = "../keys/')
            with open(os.path.join(root, name, "node.toml"), "w") as f:
                f.write(text + "\n")

    def keygen(self, name):
        out = subprocess.run([self.binary, "keygen", "--out", os.path.join(self.root, "keys"), "--name", name],
                             check=True, capture_output=True, text=True).stdout
        return out.split()[-1]

    def start(self):
        for name in ["endorser", "x1", "gateway", "cs"]:
            log = open(os.path.join(self.root, name, "node.log"), "w")
            self.processes[name] = subprocess.Popen([self.binary, "node", "--config", os.path.join(self.root, name, "node.toml")],
                                                    stdout=log, stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.ocpp_port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("the EV gateway's OCPP endpoint did not open")

    def play(self, stop):
        """Plays every station until `stop` is set (in a thread of its own)."""
        async def main():
            await asyncio.gather(*(play_station(self.ocpp_port, p, stop) for p in self.plays), return_exceptions=True)
        thread = threading.Thread(target=lambda: asyncio.run(main()), daemon=True)
        thread.start()
        return thread

    def gateway_metrics(self):
        """The EV gateway's Prometheus counters, by name and labels."""
        import urllib.request
        text = urllib.request.urlopen(f"http://127.0.0.1:{self.metrics_port}/metrics", timeout=5).read().decode()
        return {line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
                if line and not line.startswith("#")}

    def stop(self):
        for p in self.processes.values():
            p.terminate()
        return {n: p.wait(timeout=15) for n, p in self.processes.items()}

    def round_lines(self):
        import json
        path = os.path.join(self.root, "cs", "rounds.jsonl")
        if not os.path.exists(path):
            return []
        with open(path) as f:
            return [json.loads(line) for line in f if line.strip()]

    def ledger(self):
        """The control system's chains, read back through the independent verifier's decoder."""
        export = os.path.join(self.root, "cs.export")
        subprocess.run([self.binary, "ledger", "export", os.path.join(self.root, "cs", "ledger.db"), export],
                       check=True, capture_output=True)
        with open(export, "rb") as f:
            data = f.read()
        lv.verify_export(data)   # raises on any signature, hash or chain fault
        r = lv.Reader(data)
        r.tag(lv.EXPORT_TAG)
        txs = []
        for _ in range(r.u32()):
            r.enum(lv.CHANNELS, "channel")
            for _ in range(r.u32()):
                block = lv.decode_block(r.bytes_())
                txs += [lv.decode_tx(blob) for blob in block.tx_blobs]
        return txs


def settled(delivered_wh):
    """The energy a metering reading settles: a negative one is measured at the EV's side, -delivered_wh - 1 Wh."""
    return delivered_wh if delivered_wh >= 0 else -delivered_wh - 1


def rounds_from_ledger(txs):
    """Per allocation round: offers, allocated Wh, meter reports, measured Wh, metered Wh, settled µ-units."""
    rounds, allocation_round = {}, {}
    for tx in txs:
        p = tx.payload
        if tx.kind == 2:
            rounds.setdefault(p[1], {}).setdefault("offers", []).append((p[0], p[2]))
        elif tx.kind == 3:
            allocation_round[tx.tx_id] = p[0]
            r = rounds.setdefault(p[0], {})
            r["allocated_wh"] = sum(a[2] for a in p[8])
            r["allocation_list"] = p[8]
            r["allocations"] = len(p[8])
        elif tx.kind == 10:
            r = rounds.setdefault(allocation_round.get(p[2], -1), {})
            r.setdefault("reports", []).append((p[0], [(m[1], m[6], m[7], m[8]) for m in p[3]]))
            r.setdefault("measurements", []).extend((p[0],) + m for m in p[3])
        elif tx.kind == 5:
            r = rounds.setdefault(allocation_round.get(p[1], -1), {})
            r["metered_wh"] = sum(settled(reading[1]) for reading in p[2])
            r["readings"] = p[2]
            r["metered_in"] = p[0]
        elif tx.kind == 6:
            r = rounds.setdefault(allocation_round.get(p[1], -1), {})
            r["settled"] = sum(t[2] for t in p[3])
    return rounds
