"""The C core through ctypes: the library, its structs and its status codes."""
import ctypes
import os
from pathlib import Path

import numpy as np

STATUS_NAMES = {0: "V2G_OK", 1: "V2G_E_NULL", 2: "V2G_E_INVALID", 3: "V2G_E_NEGATIVE", 4: "V2G_E_DUPLICATE",
                5: "V2G_E_OVERFLOW", 6: "V2G_E_WORKSPACE", 7: "V2G_E_INFEASIBLE", 8: "V2G_E_NAN", 9: "V2G_E_WINDOW",
                10: "V2G_E_CERTIFICATE", 11: "V2G_E_RANGE"}
PPM_ONE = 1_000_000
UNLIMITED = 2**63 - 1


def _load():
    # The copy built with the package, unless V2G_LIBRARY names another (a system install, a sanitizer build).
    path = os.environ.get("V2G_LIBRARY") or str(Path(__file__).resolve().parent / "libv2g.so")
    try:
        return ctypes.CDLL(path)
    except OSError as e:
        raise ImportError(f"v2gkit: cannot load the C core at {path} ({e}); reinstall the package "
                          f"(pip install ./python) or set V2G_LIBRARY") from None


lib = _load()
lib.v2g_strerror.restype = ctypes.c_char_p
lib.v2g_strerror.argtypes = [ctypes.c_int]
lib.v2g_version_string.restype = ctypes.c_char_p


class V2GError(ValueError):
    """A C call refused its input: `status` is the v2g_status code, `code` its name (V2G_E_INFEASIBLE, ...).
    A ValueError, as scipy raises for an infeasible cost matrix."""

    def __init__(self, status, context):
        self.status = int(status)
        self.code = STATUS_NAMES.get(self.status, f"status {self.status}")
        super().__init__(f"{context}: {lib.v2g_strerror(self.status).decode()} ({self.code})")


def check(status, context):
    if status != 0:
        raise V2GError(status, context)


def workspace(size, context):
    if size == 0:
        raise V2GError(5, f"{context}: the workspace size overflows")
    return ctypes.create_string_buffer(size)


I64P = np.ctypeslib.ndpointer(dtype=np.int64, flags="C_CONTIGUOUS")
F64P = np.ctypeslib.ndpointer(dtype=np.float64, flags="C_CONTIGUOUS")
I64P_OR_NULL = ctypes.c_void_p


def pointer(array):
    """The data pointer of a C-contiguous array, or None (NULL)."""
    return None if array is None else array.ctypes.data_as(ctypes.c_void_p)


class Id(ctypes.Structure):
    _fields_ = [("bytes", ctypes.c_char_p), ("length", ctypes.c_size_t)]

    @classmethod
    def of(cls, value):
        data = value if isinstance(value, bytes) else str(value).encode()
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


class SretRequest(ctypes.Structure):
    _fields_ = [("base", RetRequest), ("start", ctypes.c_int64), ("end", ctypes.c_int64)]


class SretEV(ctypes.Structure):
    _fields_ = [("ev", Id), ("energy_wh", ctypes.c_int64), ("start", ctypes.c_int64), ("end", ctypes.c_int64)]


class SretParams(ctypes.Structure):
    _fields_ = [("strategy", ctypes.c_int32), ("reserved", ctypes.c_int32), ("charger_power_w", ctypes.c_int64),
                ("interval_capacity", ctypes.c_uint64)]


class SretAllocation(ctypes.Structure):
    _fields_ = [("request", ctypes.c_int64), ("ev", ctypes.c_int64), ("energy_wh", ctypes.c_int64),
                ("start", ctypes.c_int64), ("end", ctypes.c_int64)]


class Where(ctypes.Structure):
    _fields_ = [("list", ctypes.c_int32), ("reserved", ctypes.c_int32), ("index", ctypes.c_int64)]


class ProsumerRequest(ctypes.Structure):
    _fields_ = [("energy_wh", ctypes.c_int64), ("submitted_at", ctypes.c_int64), ("kind", ctypes.c_int32),
                ("reserved", ctypes.c_int32)]


class EVState(ctypes.Structure):
    _fields_ = [("available_wh", ctypes.c_int64), ("free_capacity_wh", ctypes.c_int64)]


def _declare(name, restype, *argtypes):
    f = getattr(lib, name)
    f.restype, f.argtypes = restype, list(argtypes)


_size, _vp, _i64, _int = ctypes.c_size_t, ctypes.c_void_p, ctypes.c_int64, ctypes.c_int
_declare("v2g_lsap_workspace_size", _size, _size, _size)
_declare("v2g_lsap_sparse_workspace_size", _size, _size, _size, _size)
_declare("v2g_lsap_i64_cost_bound", _i64, _size, _size)
for kind in ("i64", "f64"):
    _declare(f"v2g_lsap_solve_{kind}", _int, _size, _size, _vp, _int, _vp, _vp, _vp, _vp, _vp, _size)
    _declare(f"v2g_lsap_solve_sparse_{kind}", _int, _size, _size, _vp, _vp, _vp, _int, _vp, _vp, _vp, _vp, _vp, _size)
_declare("v2g_ret_workspace_size", _size, _size, _size, _size)
_declare("v2g_ret_allocate", _int, ctypes.POINTER(RetRequest), _size, ctypes.POINTER(RetOffer), _size,
         ctypes.POINTER(RetExchange), _size, _i64, ctypes.POINTER(RetAllocation), ctypes.POINTER(_size),
         ctypes.POINTER(RetOutcome), ctypes.POINTER(_size), _vp, _size)
_declare("v2g_sret_workspace_size", _size, _size, _size, _size, ctypes.c_uint64)
_declare("v2g_sret_allocate", _int, ctypes.POINTER(SretParams), ctypes.POINTER(SretRequest), _size,
         ctypes.POINTER(SretEV), _size, ctypes.POINTER(RetExchange), _size, ctypes.POINTER(SretAllocation), _size,
         ctypes.POINTER(_size), ctypes.POINTER(RetOutcome), ctypes.POINTER(_size), ctypes.POINTER(Where), _vp, _size)
_declare("v2g_greedy_workspace_size", _size, _size, _size)
_declare("v2g_greedy_match", _int, ctypes.POINTER(ProsumerRequest), _size, ctypes.POINTER(EVState), _size, _vp, _vp,
         _vp, _size)
