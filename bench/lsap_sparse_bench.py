#!/usr/bin/env python3
"""Sparse LSAP benchmark: V2GKit's CSR solver (libv2g via ctypes) against
scipy.sparse.csgraph.min_weight_full_bipartite_matching and, on square matrices, lap.lapmod (LAPJV's sparse
variant), side by side in one run.

Each row (a request) reaches a few candidate columns (EVs), plus the diagonal so that a full matching
exists. Cost families: uniform doubles, integer ties (0..9, many optimal matchings), and geometric
distances (consumers and EVs on a 10 km square, each consumer's k nearest EVs, distance in metres as an
integer). Square and rectangular both ways. Per repetition both solvers run on the same matrix, in
rotating order; their optimal totals must agree. Prints medians and ratios (ours / peer: below 1 is
faster) and writes bench/results/lsap_sparse.json. `--large` adds n = 10^5.

Build the library first (`make lib`); V2G_LIBRARY overrides the path of libv2g.so.
"""
import ctypes
import json
import os
import platform
import statistics
import sys
import time

import lap
import numpy as np
import scipy
import scipy.sparse
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

HERE = os.path.dirname(os.path.abspath(__file__))
LIB_PATH = os.environ.get("V2G_LIBRARY", os.path.join(HERE, "..", "build", "libv2g.so"))
lib = ctypes.CDLL(LIB_PATH)
_p, _sz = ctypes.c_void_p, ctypes.c_size_t
lib.v2g_lsap_sparse_workspace_size.restype = _sz
lib.v2g_lsap_sparse_workspace_size.argtypes = [_sz, _sz, _sz]
for name in ("v2g_lsap_solve_sparse_f64", "v2g_lsap_solve_sparse_i64"):
    fn = getattr(lib, name)
    fn.restype = ctypes.c_int
    fn.argtypes = [_sz, _sz, _p, _p, _p, ctypes.c_int, _p, _p, _p, _p, _p, _sz]


def ours(m):
    """Solves the CSR matrix m; returns (total, seconds)."""
    rows, cols = m.shape
    rs, ci = m.indptr.astype(np.int64), m.indices.astype(np.int64)
    cost = m.data
    size = lib.v2g_lsap_sparse_workspace_size(rows, cols, len(cost))
    ws = np.empty(size, dtype=np.uint8)
    out = np.empty(rows, dtype=np.int64)
    total = np.zeros(1, dtype=cost.dtype)
    fn = lib.v2g_lsap_solve_sparse_f64 if cost.dtype == np.float64 else lib.v2g_lsap_solve_sparse_i64
    t0 = time.perf_counter()
    st = fn(rows, cols, rs.ctypes.data, ci.ctypes.data, cost.ctypes.data, 0, out.ctypes.data, total.ctypes.data,
            None, None, ws.ctypes.data, size)
    dt = time.perf_counter() - t0
    if st != 0:
        raise RuntimeError(f"v2g_lsap_solve_sparse status {st}")
    return float(total[0]), dt


def lapmod(m):
    """lap.lapmod, LAPJV's sparse variant (square only; column indices sorted within a row, as CSR from scipy
    keeps them after sum_duplicates); returns (total, seconds)."""
    n = m.shape[0]
    cc, ii, kk = m.data.astype(np.float64), m.indptr.astype(np.int32), m.indices.astype(np.int32)
    t0 = time.perf_counter()
    _, x, _ = lap.lapmod(n, cc, ii, kk)
    dt = time.perf_counter() - t0
    return float(np.asarray(m[np.arange(n), x]).sum()), dt


def peer(m):
    t0 = time.perf_counter()
    r, c = min_weight_full_bipartite_matching(m)
    dt = time.perf_counter() - t0
    return float(np.asarray(m[r, c]).sum()), dt


def instance(family, rows, cols, k, rng):
    if family == "geometric":
        consumers, evs = rng.uniform(0, 10_000, size=(rows, 2)), rng.uniform(0, 10_000, size=(cols, 2))
        # k nearest EVs by a grid-free partial sort (fine at these sizes), plus column i mod cols for feasibility.
        r_list, c_list, d_list = [], [], []
        chunk = max(1, 4_000_000 // max(cols, 1))
        for start in range(0, rows, chunk):
            block = consumers[start:start + chunk]
            d = np.hypot(block[:, None, 0] - evs[None, :, 0], block[:, None, 1] - evs[None, :, 1])
            near = np.argpartition(d, min(k, cols - 1), axis=1)[:, :k]
            r_list.append(np.repeat(np.arange(start, start + len(block)), near.shape[1]))
            c_list.append(near.ravel())
            d_list.append(np.take_along_axis(d, near, axis=1).ravel())
        r, c, data = np.concatenate(r_list), np.concatenate(c_list), np.concatenate(d_list)
        diag = np.arange(min(rows, cols))
        dd = np.hypot(*(consumers[diag] - evs[diag]).T)
        r, c, data = np.concatenate([r, diag]), np.concatenate([c, diag]), np.concatenate([data, dd])
        data = np.floor(data).astype(np.int64) + 1
    else:
        r = np.repeat(np.arange(rows), k)
        c = rng.integers(0, cols, size=r.size)
        diag = np.arange(min(rows, cols))
        r, c = np.concatenate([r, diag]), np.concatenate([c, diag])
        data = rng.uniform(1, 1000, size=r.size) if family == "uniform" else rng.integers(1, 10, size=r.size)
    m = scipy.sparse.coo_matrix((data, (r, c)), shape=(rows, cols)).tocsr()
    m.sum_duplicates()    # a pair drawn twice: one entry, as both solvers then see the same graph
    m.data = np.minimum(m.data, 10**6) if m.data.dtype.kind == "i" else m.data
    return m


def main():
    large = "--large" in sys.argv
    sizes = [(50, 50), (200, 200), (500, 500), (2000, 2000), (20000, 20000), (1000, 2000), (2000, 1000)]
    if large:
        sizes.append((100_000, 100_000))
    rng = np.random.default_rng(2026)
    results = []
    print(f"{'family':<10} {'rows x cols':>14} {'k':>3} {'ours ms':>10} {'scipy ms':>10} {'lapmod ms':>10}"
          f" {'ours/scipy':>10} {'ours/lapmod':>11}")
    for family in ("uniform", "int-ties", "geometric"):
        for rows, cols in sizes:
            if family == "geometric" and rows * cols > 5 * 10**8:
                continue   # the k-nearest search is quadratic here
            k = min(32, cols)
            reps = 7 if rows <= 2000 else (3 if rows <= 20000 else 1)
            solvers = [ours, peer] + ([lapmod] if rows == cols else [])
            times = {f: [] for f in solvers}
            for rep in range(reps):
                m = instance(family, rows, cols, k, rng)
                order = solvers[rep % len(solvers):] + solvers[:rep % len(solvers)]
                got = {f: f(m) for f in order}
                for f in solvers[1:]:
                    if not np.isclose(got[ours][0], got[f][0], rtol=1e-9, atol=1e-6):
                        sys.exit(f"totals differ on {family} {rows}x{cols}: ours {got[ours][0]} {f.__name__} {got[f][0]}")
                for f in solvers:
                    times[f].append(got[f][1])
            o, p = statistics.median(times[ours]), statistics.median(times[peer])
            lm = statistics.median(times[lapmod]) if lapmod in times else None
            results.append({"family": family, "rows": rows, "cols": cols, "perRow": k, "repetitions": reps,
                            "oursS": o, "scipyS": p, "lapmodS": lm, "ratio": o / p,
                            "ratioLapmod": o / lm if lm else None})
            lm_text = f"{lm * 1000:>10.2f}" if lm else f"{'-':>10}"
            lr_text = f"{o / lm:>11.2f}" if lm else f"{'-':>11}"
            print(f"{family:<10} {f'{rows} x {cols}':>14} {k:>3} {o * 1000:>10.2f} {p * 1000:>10.2f} {lm_text}"
                  f" {o / p:>10.2f} {lr_text}", flush=True)
    out = {"machine": platform.machine(), "python": platform.python_version(), "numpy": np.__version__,
           "scipy": scipy.__version__, "lap": getattr(lap, "__version__", "?"), "results": results}
    path = os.path.join(HERE, "results", "lsap_sparse.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
    print(f"wrote {os.path.relpath(path)}")


if __name__ == "__main__":
    main()
