#!/usr/bin/env python3
"""Writes the Swift fuzz targets' seed corpus (fuzz/swift/corpus/<Target>/) from files the repository already has:
the exported chain of Tests/V2GLedgerTests/Vectors (blocks and transactions, framed as gossip), the README's match
jobs, examples/node's configs and small forecast CSVs. Deterministic; stdlib only."""
import os, struct, sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "fuzz", "swift", "corpus")


def u32(n): return struct.pack(">I", n)
def u64(n): return struct.pack(">Q", n)


def write(target, name, data):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def frames():
    raw = open(os.path.join(ROOT, "Tests/V2GLedgerTests/Vectors/chain-33a3707.v2g"), "rb").read()
    o = 8
    chains = struct.unpack(">I", raw[o:o + 4])[0]; o += 4
    blocks = []
    for _ in range(chains):
        o += 1  # channel
        n = struct.unpack(">I", raw[o:o + 4])[0]; o += 4
        for _ in range(n):
            l = struct.unpack(">I", raw[o:o + 4])[0]; o += 4
            blocks.append(raw[o:o + l]); o += l
    tag = b"V2GMSG01"
    for i, b in enumerate(blocks[:3]):
        write("FuzzFrames", f"block-{i}", tag + bytes([2]) + u32(len(b)) + b)
        write("FuzzFrames", f"bare-block-{i}", b)
    # A block's first transaction: header (u8 channel, u64 height, hash, hash, i64 time, key, u32 count) + sig + list.
    b = blocks[1]
    header = 1 + 8 + 32 + 32 + 8 + 32 + 32
    o = header + 64
    count = struct.unpack(">I", b[o:o + 4])[0]; o += 4
    if count:
        l = struct.unpack(">I", b[o:o + 4])[0]
        tx = b[o + 4:o + 4 + l]
        write("FuzzFrames", "transaction", tag + bytes([1]) + u32(len(tx)) + tx)
        write("FuzzFrames", "bare-transaction", tx)
        write("FuzzFrames", "endorse", tag + bytes([7]) + u32(len(tx)) + tx)
    write("FuzzFrames", "getBlocks", tag + bytes([3]) + u64(7) + bytes([1]) + u64(0) + u32(64))
    write("FuzzFrames", "getStatus", tag + bytes([5]) + u64(9))
    write("FuzzFrames", "status", tag + bytes([6]) + u64(9) + u32(1) + bytes([1]) + u64(4) + b"\x11" * 32)
    write("FuzzFrames", "blocks", tag + bytes([4]) + u64(7) + bytes([1]) + u32(1) + u32(len(blocks[0])) + blocks[0])
    write("FuzzFrames", "endorsement", tag + bytes([8]) + b"\x22" * 32 + b"\x33" * 32 + b"\x44" * 64)
    write("FuzzFrames", "announcement", tag + bytes([9]) + u64(3) + u64(1_700_000_000_000) + b"\x55" * 32 + b"\x66" * 64)
    # A bare meter report (kind 10): one measured allocation.
    def s(text): return u32(len(text)) + text.encode()
    def i64(n): return struct.pack(">q", n)
    measurement = u32(0) + s("ST1") + u32(1) + s("TX-1") + i64(1_700_000_000) + i64(1_700_000_900) + i64(1000) + i64(4900) + b"\x00"
    write("FuzzFrames", "meter-report", s("car1") + u64(8) + b"\x77" * 32 + u32(1) + measurement)


def jobs():
    req = '{"exchange": "E1", "consumer": "C%d", "bid": %d, "submittedAt": %d, "energyWh": %d%s}'
    ev = '{"ev": "EV%d", "energyWh": %d%s}'
    win = ', "start": 0, "end": 3600'
    write("FuzzMatchJob", "ret", '{"algorithm": "ret", "chargerCapacityWh": 10000, "requests": [%s, %s], "offers": [%s, %s], '
          '"penalties": {"consumers": [{"exchange": "E1", "consumer": "C1", "values": [900000]}], '
          '"exchanges": [{"exchange": "E1", "values": [800000]}]}}'
          % (req % (1, 294900, 12, 5000, ""), req % (2, 200000, 3, 2000, ""), ev % (3, 7000, ""), ev % (4, 1000, "")))
    for a in ["sret-double", "sret-double-best-fit", "sret-single-energy", "sret-single-count"]:
        write("FuzzMatchJob", a, '{"algorithm": "%s", "chargerPowerW": 7000, "requests": [%s, %s], "offers": [%s, %s]}'
              % (a, req % (1, 294900, 12, 5000, win), req % (2, 200000, 3, 2000, win), ev % (3, 7000, win), ev % (4, 1000, win)))
    for a in ["greedy", "hungarian"]:
        write("FuzzMatchJob", a, '{"algorithm": "%s", "requests": [%s, {"exchange": "E2", "consumer": "P", "bid": 1, '
              '"submittedAt": 0, "energyWh": 900, "kind": "surplus"}], "offers": [{"ev": "A", "energyWh": 500, "capacityWh": 800}]}'
              % (a, req % (1, 1, 1, 400, "")))
    write("FuzzMatchJob", "auction", '{"algorithm": "double-auction", "requests": [%s], "offers": [{"ev": "A", "energyWh": 500, "ask": 100}]}'
          % (req % (1, 300, 1, 400, "")))


def configs():
    d = os.path.join(ROOT, "examples", "node")
    for name in sorted(os.listdir(d)):
        if not name.endswith(".toml"):
            continue
        lines = []
        for line in open(os.path.join(d, name)).read().splitlines():
            if line.startswith("key_file"):
                line = 'key_file = "k.key"'
            if line.strip().startswith("{ name =") and "key_file" in line:
                line = '    { name = "v1", key_file = "k.key" },'
            lines.append(line)
        write("FuzzConfig", name[:-5], "\n".join(lines) + "\n")
    # An EV gateway in front of OCPP stations: its vehicles placed at EVSEs, and the [ocpp] table.
    write("FuzzConfig", "ev-ocpp", 'role = "ev"\nkey_file = "k.key"\ndata_dir = "d"\n[network]\nlisten = "tcp://127.0.0.1:*"\n'
          'members = ["' + "ab" * 32 + '"]\n[ev]\nvehicles = [{ name = "v1", key_file = "k.key", station = "ST1", evse = 1 }]\n'
          '[ocpp]\nlisten = "127.0.0.1:9000"\ndelivery_s = 60\nstations = [{ id = "ST1", password = "0123456789abcdef" }]\n')
    # Inputs on which TOMLKit's parser once asserted (SIGABRT): kept so every smoke run replays them.
    write("FuzzConfig", "regression-header-control", "s=[]\ne=[]\nv=[#\n]\n[\x08")
    write("FuzzConfig", "regression-header-dot", 's=[""]\n[.')
    write("FuzzConfig", "regression-array-brace", 'i=""\nr=["",}')
    write("FuzzConfig", "regression-array-line-separator", 'r=[1,\u2028]')


def csvs():
    write("FuzzCSV", "load", "time_s,consumption_wh,production_wh\n" +
          "".join(f"{60 * i},{500 + 7 * i},{max(0, 300 - 9 * i)}\n" for i in range(8)))
    header = ("start_hour,weekday,temperature_c,rainfall_mm_per_h,humidity_percent,wind_speed_mps,latitude,longitude,"
              "gender,age,duration_min,ev_model,ev_age_years,energy_wh\n")
    write("FuzzCSV", "trip", header + "15.2,0,-4.2,0,65.5,-10.5,37.3,140.3,1,34,59.0,2,5.2,9675.0\n"
          "8.0,3,12.0,1.5,40.0,3.0,37.5,139.8,0,61,20.0,0,1.0,2100.0\n")


def ocpp():
    write("FuzzOCPP", "boot", '[2,"1","BootNotification",{"reason":"PowerUp","chargingStation":{"model":"M","vendorName":"V"}}]')
    write("FuzzOCPP", "needs", '[2,"2","NotifyEVChargingNeeds",{"evseId":1,"chargingNeeds":{"requestedEnergyTransfer":"AC_BPT",'
          '"departureTime":"2026-11-30T23:30:00Z","v2xChargingParameters":{"evMinV2XEnergyRequest":-12000,'
          '"evMaxV2XEnergyRequest":8000,"maxDischargePower":7400}}}]')
    write("FuzzOCPP", "meter", '[2,"3","MeterValues",{"evseId":1,"meterValue":[{"timestamp":"2026-11-30T23:00:00Z",'
          '"sampledValue":[{"value":1.5,"measurand":"Energy.Active.Export.Register","unitOfMeasure":{"unit":"kWh","multiplier":0}}]},'
          '{"timestamp":"2026-11-30T23:15:00Z","sampledValue":[{"value":2.5,"measurand":"Energy.Active.Export.Register",'
          '"unitOfMeasure":{"unit":"kWh"}}]}]}]')
    write("FuzzOCPP", "result", '[3,"g1",{"status":"Accepted"}]')
    write("FuzzOCPP", "error", '[4,"g2","NotSupported","no",{}]')
    write("FuzzOCPP", "send", '[6,"s1","NotifyPeriodicEventStream",{"id":1,"pending":0,"basetime":"2026-11-30T23:00:00Z","data":[]}]')


if __name__ == "__main__":
    frames(); jobs(); configs(); csvs(); ocpp()
    print("seeds written to", OUT, file=sys.stderr)
