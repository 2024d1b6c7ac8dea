#!/usr/bin/env python3
"""LSAP benchmark: V2GKit (libv2g via ctypes) vs scipy.optimize.linear_sum_assignment vs lap.lapjv.

Build the library first (`make lib`); V2G_LIBRARY overrides the path of libv2g.so.
Every cell runs several distinct seeded matrices; per repetition the three solvers
run on the same matrix in an interleaved, rotating order, and their optimal totals
must agree. Prints medians and ratios (peer time / our time) and writes
bench/results/lsap.json.
"""
import ctypes
import json
import os
import platform
import statistics
import sys
import time

import numpy as np
import scipy
from scipy.optimize import linear_sum_assignment

try:
    import lap
except ImportError:  # pragma: no cover
    sys.exit("lap is not installed: pip install lap")

HERE = os.path.dirname(os.path.abspath(__file__))
LIB_PATH = os.environ.get("V2G_LIBRARY", os.path.join(HERE, "..", "build", "libv2g.so"))

lib = ctypes.CDLL(LIB_PATH)
_p = ctypes.c_void_p
_sz = ctypes.c_size_t
lib.v2g_lsap_workspace_size.restype = _sz
lib.v2g_lsap_workspace_size.argtypes = [_sz, _sz]
for name in ("v2g_lsap_solve_f64", "v2g_lsap_solve_i64"):
    fn = getattr(lib, name)
    fn.restype = ctypes.c_int
    fn.argtypes = [_sz, _sz, _p, ctypes.c_int, _p, _p, _p, _p, _p, _sz]


def ours(cost, maximize=0):
    """Solves with the f64 entry for float64 and the i64 entry for int64; returns (total, seconds)."""
    rows, cols = cost.shape
    ws_size = lib.v2g_lsap_workspace_size(rows, cols)
    ws = np.empty(ws_size, dtype=np.uint8)
    row_to_col = np.empty(rows, dtype=np.int64)
    u = np.empty(rows, dtype=cost.dtype)
    v = np.empty(cols, dtype=cost.dtype)
    total = np.zeros(1, dtype=cost.dtype)
    fn = lib.v2g_lsap_solve_f64 if cost.dtype == np.float64 else lib.v2g_lsap_solve_i64
    t0 = time.perf_counter()
    st = fn(rows, cols, cost.ctypes.data, maximize, row_to_col.ctypes.data, total.ctypes.data,
            u.ctypes.data, v.ctypes.data, ws.ctypes.data, ws_size)
    dt = time.perf_counter() - t0
    if st != 0:
        raise RuntimeError(f"v2g_lsap status {st}")
    return float(total[0]), dt


def one_read(cost):
    """The memory floor: one streaming pass over the matrix (numpy's sum), in seconds."""
    t0 = time.perf_counter()
    cost.sum()
    return time.perf_counter() - t0


def scipy_lsa(cost, maximize=False):
    t0 = time.perf_counter()
    r, c = linear_sum_assignment(cost, maximize=maximize)
    dt = time.perf_counter() - t0
    return float(cost[r, c].sum()), dt


def lapjv(cost, maximize=False):
    """lapjv minimises only: a maximisation gets -cost (outside the timed region) and its total negated."""
    rows, cols = cost.shape
    if maximize:
        total, dt = lapjv(-cost)
        return -total, dt
    t0 = time.perf_counter()
    if rows == cols:
        total, _, _ = lap.lapjv(cost)
    else:
        total, _, _ = lap.lapjv(cost, extend_cost=True)
    dt = time.perf_counter() - t0
    return float(total), dt


CELLS = [  # (label, rows, cols, kind, reps)
    ("uniform 500", 500, 500, "float", 5),
    ("int 500", 500, 500, "int", 5),
    ("uniform 1000", 1000, 1000, "float", 5),
    ("int 1000", 1000, 1000, "int", 5),
    ("uniform 2000", 2000, 2000, "float", 3),
    ("int 2000", 2000, 2000, "int", 3),
    ("uniform 4000", 4000, 4000, "float", 3),
    ("int 4000", 4000, 4000, "int", 3),
    ("uniform 1000x4000", 1000, 4000, "float", 3),
    ("int 1000x4000", 1000, 4000, "int", 3),
    ("uniform 4000x1000", 4000, 1000, "float", 3),
    ("geometric 2000", 2000, 2000, "geometric", 3),
    ("[P] benefit 1000", 1000, 1000, "benefit", 3),
    ("[P] benefit 2000", 2000, 2000, "benefit", 3),
]


def matrix(kind, rows, cols, rng):
    """(ours, the peers' copy, maximise): our solver gets int64 where the costs are integers."""
    if kind == "float":
        m = rng.random((rows, cols))
        return m, m, False
    if kind == "int":
        m = rng.integers(0, 1000, size=(rows, cols), dtype=np.int64)
        return m, m.astype(np.float64), False
    if kind == "geometric":
        # Consumers and EVs on a 10 km square; the cost is the distance in whole metres.
        a, b = rng.uniform(0, 10_000, size=(rows, 2)), rng.uniform(0, 10_000, size=(cols, 2))
        m = np.floor(np.hypot(a[:, None, 0] - b[None, :, 0], a[:, None, 1] - b[None, :, 1])).astype(np.int64)
        return m, m.astype(np.float64), False
    # [P] §IV.B: the Hungarian matcher maximises b_ij = min(request, what EV j can take or give): a surplus
    # request against the EV's free capacity, a demand against its available energy (v2g_prosumer_benefit_matrix).
    energy = rng.integers(0, 10_001, size=rows)
    surplus = rng.random(rows) < 0.5
    free_capacity, available = rng.integers(0, 40_001, size=cols), rng.integers(0, 40_001, size=cols)
    room = np.where(surplus[:, None], free_capacity[None, :], available[None, :])
    m = np.minimum(energy[:, None], room).astype(np.int64)
    return m, m.astype(np.float64), True


def machine_info():
    cpu = platform.processor()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {
        "platform": platform.platform(),
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "lap": getattr(lap, "__version__", "?"),
        "library": os.path.abspath(LIB_PATH),
        "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
    }


def main():
    solvers = [("v2g", None), ("scipy", scipy_lsa), ("lapjv", lapjv)]
    results = []
    print(f"{'case':<20}{'v2g ms':>10}{'scipy ms':>10}{'lapjv ms':>10}{'scipy/v2g':>11}{'lapjv/v2g':>11}"
          f"{'read ms':>9}{'v2g/read':>10}")
    for label, rows, cols, kind, reps in CELLS:
        times = {name: [] for name, _ in solvers}
        reads = []
        for rep in range(reps):
            rng = np.random.default_rng(1000003 * rows + 7919 * cols + 31 * rep + (kind == "int"))
            mine, peer, maximize = matrix(kind, rows, cols, rng)
            reads.append(one_read(mine))
            totals = {}
            order = solvers[rep % 3:] + solvers[:rep % 3]  # rotate who runs first
            for name, fn in order:
                total, dt = ours(mine, int(maximize)) if name == "v2g" else fn(peer, maximize)
                totals[name] = total
                times[name].append(dt)
            ref = totals["v2g"]
            for name, total in totals.items():
                if abs(total - ref) > 1e-9 * max(1.0, abs(ref)):
                    raise SystemExit(f"{label} rep {rep}: {name} total {total!r} != v2g {ref!r}")
        med = {name: statistics.median(ts) for name, ts in times.items()}
        ratio = {name: med[name] / med["v2g"] for name in ("scipy", "lapjv")}
        read = statistics.median(reads)
        results.append({"case": label, "rows": rows, "cols": cols, "costs": kind, "repetitions": reps,
                        "medianS": med, "timesS": times, "ratioPeerOverV2G": ratio,
                        "oneReadS": read, "v2gOverOneRead": med["v2g"] / read})
        print(f"{label:<20}{med['v2g'] * 1e3:>10.1f}{med['scipy'] * 1e3:>10.1f}{med['lapjv'] * 1e3:>10.1f}"
              f"{ratio['scipy']:>11.2f}{ratio['lapjv']:>11.2f}{read * 1e3:>9.1f}{med['v2g'] / read:>10.1f}", flush=True)
    out = {"machine": machine_info(),
           "note": "uniform: float64 in [0,1) via v2g_lsap_solve_f64; int: int64 in [0,1000), geometric: "
                   "distances in whole metres, [P] benefit: min(request, EV room) maximised, all three via "
                   "v2g_lsap_solve_i64, peers get the same matrix as float64 (lapjv, which only minimises, "
                   "gets the negated benefit); lapjv pads rectangular problems (extend_cost=True). All three "
                   "totals verified equal on every instance.",
           "results": results}
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    with open(os.path.join(HERE, "results", "lsap.json"), "w") as f:
        json.dump(out, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
