"""RET, SRET and the greedy matcher on plain Python or numpy inputs (include/v2g/v2g_ret.h, v2g_sret.h,
v2g_prosumer.h). Energies in Wh, bids in micro-units per kWh, times in seconds, penalty factors in ppm."""
import ctypes
from typing import NamedTuple

import numpy as np

from . import _native as n
from ._native import check, lib

ALLOCATION = np.dtype([("request", np.int64), ("offer", np.int64), ("energy_wh", np.int64)])
SRET_ALLOCATION = np.dtype([("request", np.int64), ("ev", np.int64), ("energy_wh", np.int64), ("start", np.int64),
                            ("end", np.int64)])
OUTCOME = np.dtype([("request", np.int64), ("demand_wh", np.int64), ("allocated_wh", np.int64), ("fulfilled", np.bool_)])
STRATEGIES = {"double": 0, "single-energy": 1, "single-count": 2, "double-best-fit": 3}


class Match(NamedTuple):
    """A matcher's result: allocations (indices into the inputs) and each considered request's outcome."""
    allocations: np.ndarray
    outcomes: np.ndarray


def _get(item, key, default=None):
    value = item.get(key, default) if isinstance(item, dict) else getattr(item, key, default)
    if value is None:
        raise ValueError(f"missing {key!r} in {item!r}")
    return value


def _request(r, keep):
    exchange, consumer = str(_get(r, "exchange")).encode(), str(_get(r, "consumer")).encode()
    keep += [exchange, consumer]
    return n.RetRequest(n.Id(exchange, len(exchange)), n.Id(consumer, len(consumer)), int(_get(r, "bid")),
                        int(_get(r, "submitted_at", 0)), int(_get(r, "energy_wh")), int(_get(r, "penalty_ppm", n.PPM_ONE)), 0)


def _exchanges(exchanges, keep):
    items = []
    for name, ppm in (exchanges or {}).items():
        data = str(name).encode()
        keep.append(data)
        items.append(n.RetExchange(n.Id(data, len(data)), int(ppm), 0))
    return (n.RetExchange * max(1, len(items)))(*items), len(items)


def _outcomes(raw, count):
    out = np.zeros(count, dtype=OUTCOME)
    for i in range(count):
        o = raw[i]
        out[i] = (o.request, o.demand_wh, o.allocated_wh, bool(o.fulfilled))
    return out


def ret(requests, offers, exchanges=None, charger_capacity_wh=None):
    """RET ([T] §4, SPEC §3.3). `requests`: dicts (or objects) with exchange, consumer, bid, energy_wh and
    optionally submitted_at (0) and penalty_ppm (10^6: no penalty); `offers`: dicts with ev and energy_wh;
    `exchanges`: {exchange: penalty_ppm} for penalised exchanges; `charger_capacity_wh`: W, None for none.
    Returns a `Match`; raises `V2GError` with the C status on bad input."""
    keep = []
    reqs = [_request(r, keep) for r in requests]
    offs = []
    for o in offers:
        ev = str(_get(o, "ev")).encode()
        keep.append(ev)
        offs.append(n.RetOffer(n.Id(ev, len(ev)), int(_get(o, "energy_wh"))))
    xs, x_count = _exchanges(exchanges, keep)
    request_array = (n.RetRequest * max(1, len(reqs)))(*reqs)
    offer_array = (n.RetOffer * max(1, len(offs)))(*offs)
    allocations = (n.RetAllocation * max(1, len(offs)))()
    outcomes = (n.RetOutcome * max(1, len(reqs)))()
    a_count, o_count = ctypes.c_size_t(), ctypes.c_size_t()
    ws = n.workspace(lib.v2g_ret_workspace_size(len(reqs), len(offs), x_count), "ret")
    capacity = n.UNLIMITED if charger_capacity_wh is None else int(charger_capacity_wh)
    check(lib.v2g_ret_allocate(request_array, len(reqs), offer_array, len(offs), xs, x_count, capacity, allocations,
                               ctypes.byref(a_count), outcomes, ctypes.byref(o_count), ws, len(ws)), "ret")
    out = np.array([(a.request, a.offer, a.energy_wh) for a in allocations[:a_count.value]], dtype=ALLOCATION)
    return Match(out, _outcomes(outcomes, o_count.value))


def sret(requests, evs, charger_power_w, strategy="double", exchanges=None):
    """SRET ([T] §6, SPEC §3.5). `requests` as for `ret`, each with start and end (its demand window, s);
    `evs`: dicts with ev, energy_wh (RP), start and end (its availability window); `strategy`: "double",
    "double-best-fit", "single-energy" or "single-count". Returns a `Match` whose allocations carry their interval (start, end)
    and name EVs by index (field `ev`); raises `V2GError` with the C status on bad input."""
    if strategy not in STRATEGIES:
        raise ValueError(f"strategy must be one of {', '.join(STRATEGIES)}, not {strategy!r}")
    keep = []
    reqs = [n.SretRequest(_request(r, keep), int(_get(r, "start")), int(_get(r, "end"))) for r in requests]
    cars = []
    for e in evs:
        ev = str(_get(e, "ev")).encode()
        keep.append(ev)
        cars.append(n.SretEV(n.Id(ev, len(ev)), int(_get(e, "energy_wh")), int(_get(e, "start")), int(_get(e, "end"))))
    xs, x_count = _exchanges(exchanges, keep)
    intervals = 8 * (len(reqs) + len(cars)) + 64
    params = n.SretParams(STRATEGIES[strategy], 0, int(charger_power_w), intervals)
    # The double strategy makes at most one allocation per EV; the single ones one per covered piece.
    capacity = max(1, len(cars) if strategy.startswith("double") else intervals)
    allocations = (n.SretAllocation * capacity)()
    outcomes = (n.RetOutcome * max(1, len(reqs)))()
    a_count, o_count, where = ctypes.c_size_t(), ctypes.c_size_t(), n.Where()
    ws = n.workspace(lib.v2g_sret_workspace_size(len(reqs), len(cars), x_count, intervals), "sret")
    check(lib.v2g_sret_allocate(ctypes.byref(params), (n.SretRequest * max(1, len(reqs)))(*reqs), len(reqs),
                                (n.SretEV * max(1, len(cars)))(*cars), len(cars), xs, x_count, allocations, capacity,
                                ctypes.byref(a_count), outcomes, ctypes.byref(o_count), ctypes.byref(where), ws, len(ws)),
          "sret")
    out = np.array([(a.request, a.ev, a.energy_wh, a.start, a.end) for a in allocations[:a_count.value]], dtype=SRET_ALLOCATION)
    return Match(out, _outcomes(outcomes, o_count.value))


def greedy(requests, evs):
    """The greedy FIFO matcher of the prosumer market ([P]): `requests` are dicts with energy_wh, kind ("demand"
    or "surplus") and optionally submitted_at (earlier is served first); `evs` are dicts with available_wh and
    free_capacity_wh. Returns `(request_to_ev, energy_wh)`, numpy arrays of one entry per request (-1: none)."""
    kinds = {"demand": 0, "surplus": 1}
    reqs = []
    for r in requests:
        kind = _get(r, "kind", "demand")
        if kind not in kinds:
            raise ValueError(f"kind must be 'demand' or 'surplus', not {kind!r}")
        reqs.append(n.ProsumerRequest(int(_get(r, "energy_wh")), int(_get(r, "submitted_at", 0)), kinds[kind], 0))
    cars = [n.EVState(int(_get(e, "available_wh")), int(_get(e, "free_capacity_wh"))) for e in evs]
    request_to_ev = np.empty(len(reqs), dtype=np.int64)
    energy = np.empty(len(reqs), dtype=np.int64)
    ws = n.workspace(lib.v2g_greedy_workspace_size(len(reqs), len(cars)), "greedy")
    check(lib.v2g_greedy_match((n.ProsumerRequest * max(1, len(reqs)))(*reqs), len(reqs),
                               (n.EVState * max(1, len(cars)))(*cars), len(cars),
                               n.pointer(request_to_ev), n.pointer(energy), ws, len(ws)), "greedy")
    return request_to_ev, energy
