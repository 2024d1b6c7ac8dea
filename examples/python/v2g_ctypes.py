"""ctypes bindings for the parts of the V2GKit C ABI the Python examples use.

Load order: the V2G_LIBRARY environment variable, then build/libv2g.so beside
this repository, then the system's library search path.
"""
import ctypes
import ctypes.util
import os
from pathlib import Path

import numpy as np

V2G_OK = 0
V2G_E_INFEASIBLE = 7
V2G_E_CERTIFICATE = 10
PPM_ONE = 1_000_000
UNLIMITED = 2**63 - 1


def _load():
    candidates = [os.environ.get("V2G_LIBRARY"),
                  str(Path(__file__).resolve().parents[2] / "build" / "libv2g.so"),
                  ctypes.util.find_library("v2g")]
    for path in candidates:
        if path and (os.path.exists(path) or not os.path.isabs(path)):
            return ctypes.CDLL(path)
    raise OSError("libv2g not found: run `make lib` or set V2G_LIBRARY")


lib = _load()
lib.v2g_strerror.restype = ctypes.c_char_p
lib.v2g_version_string.restype = ctypes.c_char_p


class V2GError(Exception):
    def __init__(self, status, context):
        self.status = status
        super().__init__(f"{context}: {lib.v2g_strerror(status).decode()}")


def _check(status, context):
    if status != V2G_OK:
        raise V2GError(status, context)


class Id(ctypes.Structure):
    _fields_ = [("bytes", ctypes.c_char_p), ("length", ctypes.c_size_t)]

    @classmethod
    def of(cls, text):
        data = text.encode()
        return cls(data, len(data))


class RetRequest(ctypes.Structure):
    _fields_ = [("exchange", Id), ("consumer", Id), ("bid", ctypes.c_int64), ("submitted_at", ctypes.c_int64),
                ("energy_wh", ctypes.c_int64), ("penalty_ppm", ctypes.c_int32), ("reserved", ctypes.c_int32)]


class RetOffer(ctypes.Structure):
    _fields_ = [("ev", Id), ("energy_wh", ctypes.c_int64)]


class RetExchange(ctypes.Structure):
    _fields_ = [("exchange", Id), ("penalty_ppm", ctypes.c_int32), ("reserved", ctypes.c_int32)]


class RetAllocation(ctypes.Structure):
    _fields_ = [("request", ctypes.c_int64), ("offer", ctypes.c_int64), ("energy_wh", ctypes.c_int64)]


class RetOutcome(ctypes.Structure):
    _fields_ = [("request", ctypes.c_int64), ("demand_wh", ctypes.c_int64), ("allocated_wh", ctypes.c_int64),
                ("fulfilled", ctypes.c_int32), ("reserved", ctypes.c_int32)]


_i64p = np.ctypeslib.ndpointer(dtype=np.int64, flags="C_CONTIGUOUS")
_f64p = np.ctypeslib.ndpointer(dtype=np.float64, flags="C_CONTIGUOUS")
lib.v2g_lsap_workspace_size.restype = ctypes.c_size_t
lib.v2g_lsap_workspace_size.argtypes = [ctypes.c_size_t, ctypes.c_size_t]
lib.v2g_lsap_solve_f64.argtypes = [ctypes.c_size_t, ctypes.c_size_t, _f64p, ctypes.c_int, _i64p,
                                   ctypes.POINTER(ctypes.c_double), _f64p, _f64p, ctypes.c_void_p, ctypes.c_size_t]
lib.v2g_lsap_solve_i64.argtypes = [ctypes.c_size_t, ctypes.c_size_t, _i64p, ctypes.c_int, _i64p,
                                   ctypes.POINTER(ctypes.c_int64), _i64p, _i64p, ctypes.c_void_p, ctypes.c_size_t]
lib.v2g_lsap_check_i64.argtypes = [ctypes.c_size_t, ctypes.c_size_t, _i64p, ctypes.c_int, _i64p, _i64p, _i64p]
lib.v2g_lsap_check_f64.argtypes = [ctypes.c_size_t, ctypes.c_size_t, _f64p, ctypes.c_int, _i64p, _f64p, _f64p,
                                   ctypes.c_double]
lib.v2g_ret_workspace_size.restype = ctypes.c_size_t
lib.v2g_ret_workspace_size.argtypes = [ctypes.c_size_t] * 3


def lsap(cost, maximize=False):
    """Solves a dense LSAP; returns (row_to_col, total, u, v). int64 matrices take the exact path."""
    cost = np.ascontiguousarray(cost)
    rows, cols = cost.shape
    integer = np.issubdtype(cost.dtype, np.integer)
    cost = cost.astype(np.int64 if integer else np.float64, copy=False)
    row_to_col = np.empty(rows, dtype=np.int64)
    u = np.empty(rows, dtype=cost.dtype)
    v = np.empty(cols, dtype=cost.dtype)
    size = lib.v2g_lsap_workspace_size(rows, cols)
    workspace = ctypes.create_string_buffer(max(size, 1))
    if integer:
        total = ctypes.c_int64()
        status = lib.v2g_lsap_solve_i64(rows, cols, cost, int(maximize), row_to_col, ctypes.byref(total), u, v,
                                        workspace, size)
    else:
        total = ctypes.c_double()
        status = lib.v2g_lsap_solve_f64(rows, cols, cost, int(maximize), row_to_col, ctypes.byref(total), u, v,
                                        workspace, size)
    _check(status, f"lsap {rows}x{cols}")
    return row_to_col, total.value, u, v


def lsap_check(cost, row_to_col, u, v, maximize=False, tolerance=1e-9):
    """The status of the certificate check: V2G_OK or V2G_E_CERTIFICATE."""
    cost = np.ascontiguousarray(cost)
    rows, cols = cost.shape
    if np.issubdtype(cost.dtype, np.integer):
        return lib.v2g_lsap_check_i64(rows, cols, cost.astype(np.int64), int(maximize), row_to_col, u, v)
    return lib.v2g_lsap_check_f64(rows, cols, cost.astype(np.float64), int(maximize), row_to_col, u, v,
                                  tolerance)


def ret(requests, offers, charger_capacity_wh=UNLIMITED, exchange_penalties=None):
    """Runs RET. requests: dicts with exchange, consumer, bid, submitted_at, energy_wh and optional penalty_ppm;
    offers: (ev, energy_wh) pairs; exchange_penalties: {exchange: ppm}. Returns (allocations, outcomes)."""
    req = (RetRequest * len(requests))()
    for slot, r in zip(req, requests):
        slot.exchange, slot.consumer = Id.of(r["exchange"]), Id.of(r["consumer"])
        slot.bid, slot.submitted_at, slot.energy_wh = r["bid"], r["submitted_at"], r["energy_wh"]
        slot.penalty_ppm = r.get("penalty_ppm", PPM_ONE)
    off = (RetOffer * len(offers))()
    for slot, (ev, wh) in zip(off, offers):
        slot.ev, slot.energy_wh = Id.of(ev), wh
    penalties = exchange_penalties or {}
    ex = (RetExchange * len(penalties))()
    for slot, (name, ppm) in zip(ex, sorted(penalties.items())):
        slot.exchange, slot.penalty_ppm = Id.of(name), ppm
    allocations = (RetAllocation * max(len(offers), 1))()
    outcomes = (RetOutcome * max(len(requests), 1))()
    n_alloc, n_out = ctypes.c_size_t(), ctypes.c_size_t()
    size = lib.v2g_ret_workspace_size(len(requests), len(offers), len(penalties))
    workspace = ctypes.create_string_buffer(max(size, 1))
    _check(lib.v2g_ret_allocate(req, ctypes.c_size_t(len(requests)), off, ctypes.c_size_t(len(offers)), ex,
                                ctypes.c_size_t(len(penalties)), ctypes.c_int64(charger_capacity_wh), allocations,
                                ctypes.byref(n_alloc), outcomes, ctypes.byref(n_out), workspace,
                                ctypes.c_size_t(size)), "ret")
    return ([(a.request, a.offer, a.energy_wh) for a in allocations[:n_alloc.value]],
            [(o.request, o.demand_wh, o.allocated_wh, bool(o.fulfilled)) for o in outcomes[:n_out.value]])
