"""The v2gkit package against scipy on random instances, and the C core's hand-worked rounds through it."""
import numpy as np
import pytest
import scipy.optimize
import scipy.sparse
import scipy.sparse.csgraph

import v2gkit

RNG = np.random.default_rng(20261201)


def total(cost, rows, cols):
    return cost[rows, cols].sum()


def certificate_holds(cost, rows, cols, u, v, maximize):
    """The dual certificate of include/v2g/v2g_lsap.h, checked with numpy (finite entries are allowed pairs)."""
    allowed = np.isfinite(cost) if cost.dtype.kind == "f" else cost != np.iinfo(np.int64).max
    slack = (u[:, None] + v[None, :]) - cost if maximize else cost - (u[:, None] + v[None, :])
    tight = np.isclose(u[rows] + v[cols], cost[rows, cols]) if cost.dtype.kind == "f" else u[rows] + v[cols] == cost[rows, cols]
    return bool(np.all(slack[allowed] >= -1e-6) and np.all(tight))


@pytest.mark.parametrize("shape", [(1, 1), (5, 5), (8, 13), (13, 8), (60, 60), (40, 90)])
@pytest.mark.parametrize("maximize", [False, True])
@pytest.mark.parametrize("kind", ["int-ties", "int-wide", "float"])
def test_dense_assignment_matches_scipy(shape, maximize, kind):
    for _ in range(5):
        if kind == "int-ties":
            cost = RNG.integers(0, 4, size=shape)             # many optimal assignments: compare totals
        elif kind == "int-wide":
            cost = RNG.integers(-10**9, 10**9, size=shape)
        else:
            cost = RNG.normal(size=shape) * 1e3
        rows, cols, u, v = v2gkit.linear_sum_assignment(cost, maximize=maximize, return_duals=True)
        want_rows, want_cols = scipy.optimize.linear_sum_assignment(cost, maximize=maximize)
        assert len(rows) == min(shape) and len(set(cols.tolist())) == min(shape) and np.all(np.diff(rows) > 0)
        if kind == "float":
            assert np.isclose(total(cost, rows, cols), total(cost, want_rows, want_cols))
        else:
            assert total(cost, rows, cols) == total(cost, want_rows, want_cols)
            assert u.dtype == np.int64 and sum(u) + sum(v) == total(cost, rows, cols)   # exact duals
        assert certificate_holds(cost, rows, cols, u, v, maximize)


@pytest.mark.parametrize("shape", [(2000, 2000), (2000, 2200), (2200, 2000)])
@pytest.mark.parametrize("kind", ["uniform", "int", "geometric"])
def test_large_dense_matrices_take_the_core_route_and_match_scipy(shape, kind):
    # From 2,000 rows (square or nearly) the dense solver works on a sparse core of each row's cheapest entries
    # and proves the answer on the whole matrix (docs/lsap.md); scipy is the independent peer.
    rows_n, cols_n = shape
    if kind == "uniform":
        cost = RNG.random(shape)
    elif kind == "int":
        cost = RNG.integers(0, 1000, size=shape)
    else:
        a, b = RNG.uniform(0, 10_000, size=(rows_n, 2)), RNG.uniform(0, 10_000, size=(cols_n, 2))
        cost = np.floor(np.hypot(a[:, None, 0] - b[None, :, 0], a[:, None, 1] - b[None, :, 1])).astype(np.int64)
    for maximize in (False, True):
        rows, cols, u, v = v2gkit.linear_sum_assignment(cost, maximize=maximize, return_duals=True)
        want_rows, want_cols = scipy.optimize.linear_sum_assignment(cost, maximize=maximize)
        if kind == "uniform":
            assert np.isclose(total(cost, rows, cols), total(cost, want_rows, want_cols), rtol=1e-12)
        else:
            assert total(cost, rows, cols) == total(cost, want_rows, want_cols)
        assert certificate_holds(cost, rows, cols, u, v, maximize)


def test_forbidden_pairs_are_avoided_and_an_infeasible_matrix_raises_with_its_status():
    cost = RNG.normal(size=(6, 6))
    cost[0, :5] = np.inf
    rows, cols = v2gkit.linear_sum_assignment(cost)
    assert cols[0] == 5 and np.isclose(total(cost, rows, cols), total(cost, *scipy.optimize.linear_sum_assignment(cost)))
    cost[1, 5] = np.inf
    cost[1, :5] = np.inf
    with pytest.raises(v2gkit.V2GError) as e:
        v2gkit.linear_sum_assignment(cost)
    assert e.value.code == "V2G_E_INFEASIBLE" and e.value.status == 7 and isinstance(e.value, ValueError)
    with pytest.raises(v2gkit.V2GError) as e:
        v2gkit.linear_sum_assignment(np.array([[np.nan, 1.0], [1.0, 2.0]]))
    assert e.value.code == "V2G_E_NAN"
    with pytest.raises(v2gkit.V2GError) as e:
        v2gkit.linear_sum_assignment(np.array([[v2gkit.cost_bound(2, 2) + 1, 0], [0, 0]]))
    assert e.value.code == "V2G_E_OVERFLOW"
    with pytest.raises(ValueError):
        v2gkit.linear_sum_assignment(np.zeros(3))
    assert v2gkit.linear_sum_assignment(np.zeros((0, 4)))[0].size == 0


@pytest.mark.parametrize("shape,per_row", [((30, 30), 4), ((50, 80), 6), ((80, 50), 12), ((400, 400), 16)])
@pytest.mark.parametrize("maximize", [False, True])
@pytest.mark.parametrize("integer", [False, True])
def test_sparse_assignment_matches_scipy(shape, per_row, maximize, integer):
    rows_n, cols_n = shape
    for _ in range(3):
        # Each row reaches `per_row` columns, plus the diagonal so that a full matching exists.
        r = np.repeat(np.arange(rows_n), per_row)
        c = RNG.integers(0, cols_n, size=r.size)
        diag = np.arange(min(shape))
        r, c = np.concatenate([r, diag]), np.concatenate([c, diag])
        data = RNG.integers(1, 1000, size=r.size) if integer else RNG.uniform(1, 1000, size=r.size)
        m = scipy.sparse.coo_matrix((data, (r, c)), shape=shape).tocsr()
        got_rows, got_cols, u, v = v2gkit.min_weight_full_bipartite_matching(m, maximize=maximize, return_duals=True)
        want_rows, want_cols = scipy.sparse.csgraph.min_weight_full_bipartite_matching(m, maximize=maximize)
        dense = m.toarray()
        assert len(got_rows) == min(shape) and np.all(m[got_rows, got_cols] != 0)
        assert np.isclose(dense[got_rows, got_cols].sum(), dense[want_rows, want_cols].sum())
        if integer:
            assert sum(u) + sum(v) == dense[got_rows, got_cols].sum()


def test_sparse_without_a_full_matching_raises():
    m = scipy.sparse.csr_matrix(np.array([[1.0, 0.0], [2.0, 0.0]]))
    with pytest.raises(v2gkit.V2GError) as e:
        v2gkit.min_weight_full_bipartite_matching(m)
    assert e.value.code == "V2G_E_INFEASIBLE"


def test_ret_runs_the_round_worked_by_hand_in_the_c_tests():
    # tests/c/test_ret.c: C1's later request supersedes the first, C3 is penalised to half its demand, W = 6000
    # caps EV1; C2 takes EV1 whole then 2000 of EV2 (tie with EV4 by ID).
    requests = [dict(exchange="E1", consumer="C1", bid=30, submitted_at=1, energy_wh=5000),
                dict(exchange="E1", consumer="C1", bid=30, submitted_at=3, energy_wh=4000),
                dict(exchange="E1", consumer="C2", bid=20, submitted_at=2, energy_wh=8000),
                dict(exchange="E2", consumer="C3", bid=25, submitted_at=1, energy_wh=6000, penalty_ppm=500000),
                dict(exchange="E2", consumer="C4", bid=10, submitted_at=1, energy_wh=2000)]
    offers = [dict(ev=e, energy_wh=w) for e, w in [("EV1", 7000), ("EV2", 3000), ("EV3", 5000), ("EV4", 3000)]]
    match = v2gkit.ret(requests, offers, charger_capacity_wh=6000)
    assert match.allocations.tolist() == [(2, 0, 6000), (2, 1, 2000), (1, 2, 4000), (3, 3, 3000)]
    assert match.outcomes["request"].tolist() == [2, 1, 3, 4]
    penalised = v2gkit.ret(requests, offers, exchanges={"E1": 500000}, charger_capacity_wh=6000)
    assert penalised.allocations.tolist() == [(2, 0, 6000), (2, 1, 2000), (3, 3, 3000), (4, 2, 2000)]
    with pytest.raises(v2gkit.V2GError) as e:
        v2gkit.ret(requests, [dict(ev="EV1", energy_wh=-1)])
    assert e.value.code == "V2G_E_NEGATIVE"
    with pytest.raises(v2gkit.V2GError) as e:
        v2gkit.ret(requests, offers + [dict(ev="EV1", energy_wh=5)])
    assert e.value.code == "V2G_E_DUPLICATE"


def test_sret_double_runs_the_round_worked_by_hand_in_the_c_tests():
    # tests/c/test_sret.c, test_double_by_hand.
    q = [dict(exchange="E", consumer="r1", bid=30, energy_wh=7000, start=0, end=7200),
         dict(exchange="E", consumer="r2", bid=20, energy_wh=15000, start=0, end=7200),
         dict(exchange="E", consumer="r3", bid=10, energy_wh=5000, start=3600, end=7200)]
    evs = [dict(ev="A", energy_wh=30000, start=0, end=10800), dict(ev="B", energy_wh=8000, start=0, end=7200),
           dict(ev="C", energy_wh=5000, start=3600, end=7200), dict(ev="D", energy_wh=6000, start=0, end=7200)]
    match = v2gkit.sret(q, evs, charger_power_w=10000, strategy="double")
    assert match.allocations.tolist() == [(0, 1, 7000, 0, 7200), (1, 0, 15000, 0, 7200), (2, 2, 5000, 3600, 7200)]
    assert match.outcomes["fulfilled"].all()
    for strategy in ("single-energy", "single-count"):
        m = v2gkit.sret(q, evs, charger_power_w=10000, strategy=strategy)
        assert (m.allocations["end"] > m.allocations["start"]).all()
    with pytest.raises(v2gkit.V2GError) as e:
        v2gkit.sret([dict(q[0], start=7200, end=0)], evs, charger_power_w=10000)
    assert e.value.code == "V2G_E_WINDOW"
    with pytest.raises(ValueError):
        v2gkit.sret(q, evs, charger_power_w=10000, strategy="triple")


def test_sret_double_best_fit_spends_the_smaller_battery():
    # tests/c/test_sret.c, test_double_best_fit_by_hand.
    q = [dict(exchange="E", consumer="r1", bid=30, energy_wh=5000, start=0, end=3600),
         dict(exchange="E", consumer="r2", bid=20, energy_wh=20000, start=0, end=7200)]
    evs = [dict(ev="A", energy_wh=30000, start=0, end=7200), dict(ev="B", energy_wh=12000, start=0, end=7200)]
    in_order = v2gkit.sret(q, evs, charger_power_w=10000, strategy="double")
    assert in_order.allocations.tolist() == [(0, 0, 5000, 0, 3600)]
    best_fit = v2gkit.sret(q, evs, charger_power_w=10000, strategy="double-best-fit")
    assert best_fit.allocations.tolist() == [(0, 1, 5000, 0, 3600), (1, 0, 20000, 0, 7200)]
    assert best_fit.outcomes["fulfilled"].all()


def test_greedy_serves_in_submission_order_and_never_overdraws_an_ev():
    for _ in range(20):
        requests = [dict(energy_wh=int(RNG.integers(0, 5000)), submitted_at=int(t), kind=str(RNG.choice(["demand", "surplus"])))
                    for t in RNG.permutation(12)]
        evs = [dict(available_wh=int(RNG.integers(0, 8000)), free_capacity_wh=int(RNG.integers(0, 8000))) for _ in range(5)]
        to_ev, energy = v2gkit.greedy(requests, evs)
        assert to_ev.shape == energy.shape == (12,)
        for k, e in enumerate(evs):
            mine = to_ev == k
            given = sum(energy[i] for i in np.flatnonzero(mine) if requests[i]["kind"] == "demand")
            taken = sum(energy[i] for i in np.flatnonzero(mine) if requests[i]["kind"] == "surplus")
            assert given <= e["available_wh"] and taken <= e["free_capacity_wh"]
        assert all(energy[i] <= requests[i]["energy_wh"] for i in range(12))
        assert all((to_ev[i] == -1) == (energy[i] == 0) for i in range(12))
