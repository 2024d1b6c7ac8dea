"""Calls libv2g from Python: LSAP against scipy on random instances, and a RET round worked by hand.

Run with `make examples` (which builds and installs the library first), or
`V2G_LIBRARY=build/libv2g.so python3 examples/python/run_examples.py`.
Ends with the line "N passed, M failed"; exits non-zero on any failure.
"""
import sys

import numpy as np
from scipy.optimize import linear_sum_assignment

import v2g_ctypes as v2g

passed = failed = 0


def expect(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print(f"FAILED: {what}", file=sys.stderr)


def lsap_against_scipy():
    rng = np.random.default_rng(20261121)
    shapes = [(n, n) for n in (1, 2, 5, 17, 60, 150)] + [(3, 9), (40, 100), (100, 40), (9, 3)]
    for rows, cols in shapes:
        for trial in range(20):
            for kind in ("float", "int"):
                if kind == "float":
                    cost = rng.random((rows, cols))
                else:
                    cost = rng.integers(0, 1000 if trial % 2 else 5, size=(rows, cols), dtype=np.int64)
                for maximize in (False, True):
                    row_to_col, total, u, v = v2g.lsap(cost, maximize)
                    r, c = linear_sum_assignment(cost, maximize=maximize)
                    want = cost[r, c].sum()
                    assigned = row_to_col[row_to_col >= 0]
                    got = cost[np.nonzero(row_to_col >= 0)[0], assigned].sum()
                    same = abs(total - want) <= 1e-9 * max(1.0, abs(want)) if kind == "float" else total == want
                    expect(same and np.isclose(got, total), f"{kind} {rows}x{cols} max={maximize}: {total} vs scipy {want}")
                    expect(len(set(assigned.tolist())) == min(rows, cols), f"{rows}x{cols}: a complete matching")
                    expect(v2g.lsap_check(cost, row_to_col, u, v, maximize) == v2g.V2G_OK, "certificate accepted")
    # Forbidden pairs: +inf in floats; a row with nothing allowed is infeasible.
    cost = np.array([[1.0, np.inf], [np.inf, np.inf]])
    try:
        v2g.lsap(cost)
        expect(False, "infeasible instance solved")
    except v2g.V2GError as error:
        expect(error.status == v2g.V2G_E_INFEASIBLE, "V2G_E_INFEASIBLE")


def ret_round():
    # Worked by hand in tests/c/test_ret.c: C1's later request supersedes the first, C3 is penalised
    # to half its demand, W = 6000 caps EV1; C2 takes EV1 whole then 2000 of EV2 (tie with EV4 by ID).
    requests = [dict(exchange="E1", consumer="C1", bid=30, submitted_at=1, energy_wh=5000),
                dict(exchange="E1", consumer="C1", bid=30, submitted_at=3, energy_wh=4000),
                dict(exchange="E1", consumer="C2", bid=20, submitted_at=2, energy_wh=8000),
                dict(exchange="E2", consumer="C3", bid=25, submitted_at=1, energy_wh=6000, penalty_ppm=500000),
                dict(exchange="E2", consumer="C4", bid=10, submitted_at=1, energy_wh=2000)]
    offers = [("EV1", 7000), ("EV2", 3000), ("EV3", 5000), ("EV4", 3000)]
    allocations, outcomes = v2g.ret(requests, offers, charger_capacity_wh=6000)
    expect(allocations == [(2, 0, 6000), (2, 1, 2000), (1, 2, 4000), (3, 3, 3000)], f"RET allocations {allocations}")
    expect([o[0] for o in outcomes] == [2, 1, 3, 4], "RET processing order")
    allocations, _ = v2g.ret(requests, offers, charger_capacity_wh=6000, exchange_penalties={"E1": 500000})
    expect(allocations == [(2, 0, 6000), (2, 1, 2000), (3, 3, 3000), (4, 2, 2000)], f"RET with E1 penalised {allocations}")


if __name__ == "__main__":
    print(f"libv2g {v2g.lib.v2g_version_string().decode()} from Python")
    lsap_against_scipy()
    ret_round()
    print(f"run_examples: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)
