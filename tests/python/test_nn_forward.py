"""v2g_nn_forward (include/v2g/v2g_nn.h) against a plain numpy implementation of the header's equations,
on random parameters: a 2-layer LSTM over a few steps and an MLP with 2 hidden layers, to 1e-12.
Also the loss of v2g_nn_gradient and the byte format of v2g_nn_serialize, written from the header alone.

Loads the shared library from V2G_LIBRARY (skipped when unset; `make ledger-interop` sets it).
Run: V2G_LIBRARY=$PWD/build/libv2g.so python3 -m pytest -q tests/python/test_nn_forward.py
"""
import ctypes
import os
import struct

import pytest

np = pytest.importorskip("numpy")

LIBRARY = os.environ.get("V2G_LIBRARY")
pytestmark = pytest.mark.skipif(not LIBRARY, reason="V2G_LIBRARY is not set (make ledger-interop sets it)")

V2G_OK = 0
LSTM, MLP = 1, 2
MAX_LAYERS = 8
TOLERANCE = 1e-12


class Shape(ctypes.Structure):
    _fields_ = [("kind", ctypes.c_int32), ("inputs", ctypes.c_int32), ("outputs", ctypes.c_int32),
                ("layers", ctypes.c_int32), ("hidden", ctypes.c_int32 * MAX_LAYERS)]


def make_shape(kind, inputs, outputs, hidden):
    s = Shape(kind, inputs, outputs, len(hidden))
    for i, h in enumerate(hidden):
        s.hidden[i] = h
    return s


@pytest.fixture(scope="module")
def lib():
    lib = ctypes.CDLL(LIBRARY)
    dp = ctypes.POINTER(ctypes.c_double)
    sp = ctypes.POINTER(Shape)
    size_p = ctypes.POINTER(ctypes.c_size_t)
    lib.v2g_nn_param_count.argtypes = [sp, size_p]
    lib.v2g_nn_workspace_size.argtypes = [sp, ctypes.c_int32, size_p]
    lib.v2g_nn_forward.argtypes = [sp, dp, ctypes.c_size_t, dp, ctypes.c_int32, dp, ctypes.c_void_p, ctypes.c_size_t]
    lib.v2g_nn_gradient.argtypes = [sp, dp, ctypes.c_size_t, dp, ctypes.c_int32, dp, dp, dp, dp,
                                    ctypes.c_void_p, ctypes.c_size_t]
    lib.v2g_nn_serialized_size.argtypes = [sp, size_p]
    lib.v2g_nn_serialize.argtypes = [sp, dp, ctypes.c_size_t, ctypes.POINTER(ctypes.c_uint8), ctypes.c_size_t]
    for f in (lib.v2g_nn_param_count, lib.v2g_nn_workspace_size, lib.v2g_nn_forward, lib.v2g_nn_gradient,
              lib.v2g_nn_serialized_size, lib.v2g_nn_serialize):
        f.restype = ctypes.c_int
    return lib


def ptr(a):
    return a.ctypes.data_as(ctypes.POINTER(ctypes.c_double))


def param_count(lib, shape):
    n = ctypes.c_size_t()
    assert lib.v2g_nn_param_count(ctypes.byref(shape), ctypes.byref(n)) == V2G_OK
    return n.value


def workspace(lib, shape, steps):
    size = ctypes.c_size_t()
    assert lib.v2g_nn_workspace_size(ctypes.byref(shape), steps, ctypes.byref(size)) == V2G_OK
    return ctypes.create_string_buffer(size.value), size.value


def c_forward(lib, shape, params, x, steps):
    ws, size = workspace(lib, shape, steps)
    y = np.zeros(shape.outputs)
    st = lib.v2g_nn_forward(ctypes.byref(shape), ptr(params), params.size, ptr(x), steps, ptr(y), ws, size)
    assert st == V2G_OK
    return y


# ---------------------------------------------------------------- the header's equations in numpy

class Reader:
    """Takes consecutive blocks of the flat parameter array, in layout order."""

    def __init__(self, params):
        self.params, self.at = params, 0

    def take(self, *dims):
        n = int(np.prod(dims))
        block = self.params[self.at:self.at + n].reshape(dims)
        self.at += n
        return block


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def lstm_reference(inputs, hidden, outputs, params, x):
    """x: steps x inputs. Layer l: W (4h x n), U (4h x h), b (4h), gates i, f, g, o; then V, a."""
    r = Reader(params)
    seq, n = x, inputs
    for h in hidden:
        W, U, b = r.take(4 * h, n), r.take(4 * h, h), r.take(4 * h)
        hs, hp, cp = [], np.zeros(h), np.zeros(h)
        for xt in seq:
            z = W @ xt + U @ hp + b
            i, f, g, o = sigmoid(z[:h]), sigmoid(z[h:2 * h]), np.tanh(z[2 * h:3 * h]), sigmoid(z[3 * h:])
            cp = f * cp + i * g
            hp = o * np.tanh(cp)
            hs.append(hp)
        seq, n = np.array(hs), h
    V, a = r.take(outputs, n), r.take(outputs)
    assert r.at == params.size
    return V @ seq[-1] + a


def mlp_reference(inputs, hidden, outputs, params, x):
    r = Reader(params)
    act, n = x, inputs
    for h in hidden:
        W, b = r.take(h, n), r.take(h)
        act, n = np.tanh(W @ act + b), h
    V, a = r.take(outputs, n), r.take(outputs)
    assert r.at == params.size
    return V @ act + a


def close(y, ref):
    return np.max(np.abs(y - ref)) <= TOLERANCE * max(1.0, np.max(np.abs(ref)))


# ---------------------------------------------------------------- tests

LSTM_CASES = [(3, [5, 7], 2, 4), (2, [8, 3], 3, 3), (1, [4, 4], 1, 6), (3, [6], 2, 1)]
MLP_CASES = [(3, [6, 4], 2), (5, [9, 7], 1), (2, [3, 10], 4), (4, [], 3)]


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("inputs,hidden,outputs,steps", LSTM_CASES)
def test_lstm_forward_matches_numpy(lib, inputs, hidden, outputs, steps, seed):
    shape = make_shape(LSTM, inputs, outputs, hidden)
    n = param_count(lib, shape)
    expected = sum(4 * h * (i + h + 1) for i, h in zip([inputs] + hidden[:-1], hidden)) + outputs * (hidden[-1] + 1)
    assert n == expected
    rng = np.random.default_rng(1000 + seed)
    params = rng.uniform(-1.0, 1.0, n)
    x = np.ascontiguousarray(rng.uniform(-2.0, 2.0, (steps, inputs)))
    y = c_forward(lib, shape, params, x, steps)
    ref = lstm_reference(inputs, hidden, outputs, params, x)
    assert close(y, ref), (y, ref)


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("inputs,hidden,outputs", MLP_CASES)
def test_mlp_forward_matches_numpy(lib, inputs, hidden, outputs, seed):
    shape = make_shape(MLP, inputs, outputs, hidden)
    n = param_count(lib, shape)
    assert n == sum(h * (i + 1) for i, h in zip([inputs] + hidden, hidden + [outputs]))
    rng = np.random.default_rng(2000 + seed)
    params = rng.uniform(-1.0, 1.0, n)
    x = rng.uniform(-2.0, 2.0, inputs)
    y = c_forward(lib, shape, params, x, 1)
    ref = mlp_reference(inputs, hidden, outputs, params, x)
    assert close(y, ref), (y, ref)


def test_saturated_gates_match_numpy(lib):
    """Large weights drive every gate into saturation; the values stay finite and agree."""
    shape = make_shape(LSTM, 2, 2, [4, 4])
    n = param_count(lib, shape)
    rng = np.random.default_rng(7)
    params = rng.uniform(-300.0, 300.0, n)
    x = np.ascontiguousarray(rng.uniform(-3.0, 3.0, (3, 2)))
    with np.errstate(over="ignore"):
        ref = lstm_reference(2, [4, 4], 2, params, x)
    y = c_forward(lib, shape, params, x, 3)
    assert np.all(np.isfinite(y)) and close(y, ref), (y, ref)


def test_gradient_loss_and_prediction(lib):
    shape = make_shape(LSTM, 3, 2, [5, 7])
    n = param_count(lib, shape)
    rng = np.random.default_rng(3)
    params = rng.uniform(-1.0, 1.0, n)
    x = np.ascontiguousarray(rng.uniform(-1.0, 1.0, (4, 3)))
    target = rng.uniform(-1.0, 1.0, 2)
    ws, size = workspace(lib, shape, 4)
    loss, y, grad = ctypes.c_double(), np.zeros(2), np.zeros(n)
    st = lib.v2g_nn_gradient(ctypes.byref(shape), ptr(params), n, ptr(x), 4, ptr(target), ctypes.byref(loss),
                             ptr(y), ptr(grad), ws, size)
    assert st == V2G_OK
    ref = lstm_reference(3, [5, 7], 2, params, x)
    assert close(y, ref)
    assert abs(loss.value - np.mean((ref - target) ** 2)) <= TOLERANCE
    assert np.any(grad != 0.0)


def test_byte_format(lib):
    """'V2GNN001' | u32 kind, inputs, outputs, layers | u32 hidden[layers] | u64 count | f64 params, little-endian."""
    shape = make_shape(MLP, 3, 2, [4, 5])
    n = param_count(lib, shape)
    params = np.random.default_rng(9).uniform(-1.0, 1.0, n)
    size = ctypes.c_size_t()
    assert lib.v2g_nn_serialized_size(ctypes.byref(shape), ctypes.byref(size)) == V2G_OK
    out = (ctypes.c_uint8 * size.value)()
    assert lib.v2g_nn_serialize(ctypes.byref(shape), ptr(params), n, out, size.value) == V2G_OK
    expected = (b"V2GNN001" + struct.pack("<4I", MLP, 3, 2, 2) + struct.pack("<2I", 4, 5) + struct.pack("<Q", n)
                + struct.pack(f"<{n}d", *params))
    assert bytes(out) == expected
