#!/usr/bin/env python3
"""Writes the committed seed corpus fuzz/corpus/<target>/ for the harnesses in fuzz/c/.

Deterministic and stdlib only: `python3 fuzz/make_seeds.py` (or `make fuzz-seeds`) rewrites every
seed file from scratch. The byte encodings mirror fuzz/c/fuzz_input.h (fz_i64, fz_f64, fz_ppm, fz_id);
the layout of each target's input is described at the top of its harness. Most seeds are valid
problems that reach the success paths; a few hit documented errors.
"""
import os
import random
import shutil
import struct
import sys

ROOT = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(ROOT, "corpus")

I64_MAX = (1 << 63) - 1
I64_MIN = -(1 << 63)

# FZ_I64_SPECIAL in fuzz_input.h, in order.
I64_SPECIAL = [
    I64_MIN, I64_MAX, I64_MIN + 1, I64_MAX - 1,
    1 << 62, -(1 << 62), 1 << 55, -(1 << 55),
    1 << 31, (1 << 31) + 1, 1 << 24, (1 << 24) + 1,
    1 << 26, (1 << 26) + 1, 1000000, 1000001,
    3600, 1000, (1 << 32) - 1, 1 << 32,
    I64_MAX // 1000, -1000, 1 << 53, (1 << 53) + 1,
    I64_MAX // 3600, (1 << 55) // 3, -((1 << 55) // 3), (1 << 31) - 1,
    -(1 << 31), (1 << 62) + 1, 10000, -(I64_MAX // 2),
]

# Named entries of fz_f64_special (tag 0xE0 + index).
F64_SPECIAL = {"nan": 0, "inf": 1, "-inf": 2, "-0": 3}

# FZ_ID_TABLE in fuzz_input.h: tag 0xC0 + index.
ID_TABLE = [b"", b"a", b"a\0", b"ab", b"abcdefgh", b"abcdefgh\0", b"abcdefghi", b"abcdefghj"]


def u8(v):
    assert 0 <= v <= 255
    return bytes([v])


def i64(v):
    """fz_i64: the shortest encoding of v."""
    if 0 <= v < 0x80:
        return bytes([v])
    if -32 <= v < 0:
        return bytes([0x7F - v])
    if v in I64_SPECIAL:
        return bytes([0xE0 + I64_SPECIAL.index(v)])
    if 0 <= v < 1 << 16:
        return b"\xa0" + v.to_bytes(2, "little")
    if 0 <= v < 1 << 32:
        return b"\xc0" + v.to_bytes(4, "little")
    assert I64_MIN <= v <= I64_MAX
    return b"\xd0" + (v & ((1 << 64) - 1)).to_bytes(8, "little")


def f64(x):
    """fz_f64: small integers and sixteenths compactly, specials by name, anything else as raw bits."""
    if isinstance(x, str):
        return bytes([0xE0 + F64_SPECIAL[x]])
    if x == int(x) and 0 <= x < 0x80 and not (x == 0 and str(x).startswith("-")):
        return bytes([int(x)])
    if x == int(x) and -32 <= x < 0:
        return bytes([0x7F - int(x)])
    s = x * 16
    if s == int(s) and -32768 <= s < 32768:
        return b"\xa0" + (int(s) & 0xFFFF).to_bytes(2, "little")
    return b"\xc0" + struct.pack("<d", x)


def ppm(v):
    """fz_ppm: multiples of 10^4 up to 10^6 in one byte, anything else as a raw int32."""
    if 0 <= v <= 1000000 and v % 10000 == 0:
        return bytes([v // 10000])
    return bytes([101]) + (v & 0xFFFFFFFF).to_bytes(4, "little")


def ident(b):
    """fz_id: a table entry when there is one, else the bytes themselves (up to 12)."""
    if isinstance(b, str):
        b = b.encode()
    if b in ID_TABLE and len(b) > 0:
        return bytes([0xC0 + ID_TABLE.index(b)])
    assert len(b) <= 12
    return bytes([len(b)]) + b


def write(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# ---------------------------------------------------------------- RET

def ret_seed(requests, offers, exchanges=(), w=None, mode=0, ws_offset=0):
    """requests: (exchange, consumer, bid, submitted, energy[, penalty]); offers: (ev, energy); exchanges: (id, ppm)."""
    if w is not None:
        mode |= 1
    if any(len(q) > 5 for q in requests):
        mode |= 4
    out = u8(len(requests)) + u8(len(offers)) + u8(len(exchanges)) + u8(mode) + u8(ws_offset)
    if mode & 1:
        out += i64(w)
    for q in requests:
        out += ident(q[0]) + ident(q[1]) + i64(q[2]) + i64(q[3]) + i64(q[4])
        if mode & 4:
            out += ppm(q[5] if len(q) > 5 else 1000000)
        if mode & 2:
            out += u8(0)
    for ev, e in offers:
        out += ident(ev) + i64(e)
    for x, p in exchanges:
        out += ident(x) + ppm(p)
        if mode & 2:
            out += u8(0)
    return out


def seeds_ret():
    write("ret", "basic", ret_seed(
        [("x1", "c1", 300, 10, 40), ("x1", "c2", 200, 11, 25), ("x2", "c1", 250, 12, 60)],
        [("ev1", 30), ("ev2", 20), ("ev3", 50), ("ev4", 10)]))
    write("ret", "dedup-penalties-quota", ret_seed(
        [("x1", "c1", 100, 5, 10, 1000000), ("x1", "c1", 120, 9, 30, 500000), ("x1", "c2", 90, 7, 20, 1000000),
         ("x2", "c3", 150, 1, 15, 750000), ("x2", "c3", 150, 1, 16, 1000000), ("x3", "c4", 80, 2, 5, 0)],
        [("a", 12), ("b", 12), ("c", 7), ("d", 30), ("e", 0)],
        exchanges=[("x1", 500000), ("x2", 1000000), ("zz", 10000)], w=25, mode=2))
    write("ret", "best-fit-ties", ret_seed(
        [("x", "c%d" % i, 10, i, 7 + (i % 3)) for i in range(6)],
        [(b"abcdefgh", 8), (b"abcdefghi", 8), (b"abcdefghj", 8), ("a", 9), (b"a\0", 9), ("ab", 7), ("", 20)]))
    write("ret", "duplicate-ev", ret_seed([("x", "c", 1, 1, 1)], [("ev", 5), ("ev", 6)]))
    write("ret", "empty", ret_seed([], []))
    write("ret", "extremes", ret_seed(
        [("x", "c1", I64_MAX, I64_MIN, I64_MAX), ("x", "c2", I64_MAX, I64_MAX, I64_MAX - 1), ("y", "c", 0, 0, 0)],
        [("e1", I64_MAX), ("e2", 1 << 62), ("e3", 1)], w=I64_MAX // 3600))
    rng = random.Random(7)
    reqs = [("x%d" % rng.randrange(4), "c%d" % rng.randrange(12), rng.randrange(1000), rng.randrange(50),
             rng.randrange(200), rng.choice([1000000, 900000, 500000, 123457])) for _ in range(40)]
    offs = [("ev%02d" % k, rng.randrange(150)) for k in range(50)]
    write("ret", "random-40x50", ret_seed(reqs, offs, exchanges=[("x0", 600000), ("x3", 250000)], w=120))


# ---------------------------------------------------------------- SRET

def sret_seed(strategy, requests, evs, exchanges=(), power=None, intervals=None, alloc_cap=None, mode=0):
    """requests: (exchange, consumer, bid, submitted, energy, start, length[, penalty]); evs: (id, energy, start, length)."""
    if power is not None:
        mode |= 1
    if intervals is not None:
        mode |= 16
    if alloc_cap is not None:
        mode |= 32
    if any(len(q) > 7 for q in requests):
        mode |= 4
    out = u8(len(requests)) + u8(len(evs)) + u8(len(exchanges)) + u8(mode) + u8(0)
    out += u8(strategy)
    if mode & 2:
        out += u8(0)
    if mode & 1:
        out += i64(power)
    if mode & 16:
        out += i64(intervals)
    if mode & 32:
        out += u8(alloc_cap)
    for q in requests:
        out += ident(q[0]) + ident(q[1]) + i64(q[2]) + i64(q[3]) + i64(q[4])
        if mode & 4:
            out += ppm(q[7] if len(q) > 7 else 1000000)
        if mode & 2:
            out += u8(0)
        out += i64(q[5]) + i64(q[6])
    for ev, e, s, length in evs:
        out += ident(ev) + i64(e) + i64(s) + i64(length)
    for x, p in exchanges:
        out += ident(x) + ppm(p)
        if mode & 2:
            out += u8(0)
    return out


def seeds_sret():
    reqs = [("x1", "c1", 300, 1, 40, 100, 3600), ("x1", "c2", 200, 2, 25, 0, 7200), ("x2", "c1", 300, 3, 60, 1800, 1800)]
    evs = [("ev1", 30, 0, 10000), ("ev2", 50, 50, 5000), ("ev3", 20, 0, 3600), ("ev4", 45, 1000, 4000)]
    write("sret", "double", sret_seed(0, reqs, evs))
    write("sret", "single-energy", sret_seed(1, reqs, evs))
    write("sret", "single-count", sret_seed(2, reqs, evs))
    write("sret", "single-pieces", sret_seed(1,
        [("x", "c%d" % i, 100 - i, i, 17 + 5 * i, 60 * i, 600 + 97 * i) for i in range(6)],
        [("e%d" % k, 9 + 7 * k, 45 * k, 300 + 150 * k) for k in range(8)], power=360000))
    write("sret", "few-intervals", sret_seed(2, reqs, evs, intervals=5))
    write("sret", "penalties-exchanges", sret_seed(0,
        [("x1", "c1", 100, 5, 10, 0, 100, 500000), ("x1", "c1", 120, 9, 30, 0, 100, 1000000),
         ("x2", "c2", 100, 1, 40, 10, 50, 750000)],
        [("a", 25, 0, 200), ("b", 25, 0, 200), ("c", 5, 0, 200)],
        exchanges=[("x1", 1000000), ("x2", 500000)], mode=2))
    write("sret", "bad-window", sret_seed(0, [("x", "c", 1, 1, 1, 50, 0)], [("e", 1, 0, 10)]))
    rng = random.Random(11)
    reqs = [("x%d" % rng.randrange(3), "c%d" % rng.randrange(20), rng.randrange(5), rng.randrange(9),
             rng.randrange(1, 60), rng.randrange(0, 3000), rng.randrange(60, 2000)) for _ in range(24)]
    evs = [("ev%02d" % k, rng.randrange(0, 120), rng.randrange(0, 2500), rng.randrange(100, 4000)) for k in range(30)]
    write("sret", "random-single", sret_seed(1, reqs, evs))
    write("sret", "random-double", sret_seed(0, reqs, evs))


# ---------------------------------------------------------------- LSAP

def lsap_dense_seed(rows, cols, costs, mode, seed=0, period=0, ws_offset=0):
    out = u8(rows) + u8(cols) + u8(mode) + u8(ws_offset) + u8(seed) + u8(period)
    enc = f64 if mode & 2 else i64
    for c in costs:
        out += enc(c)
    return out


def seeds_lsap_dense():
    rng = random.Random(3)
    write("lsap_dense", "i64-min-3x3", lsap_dense_seed(3, 3, [4, 1, 3, 2, 0, 5, 3, 2, 2], 0))
    write("lsap_dense", "i64-max-forbidden-4x6",
          lsap_dense_seed(4, 6, [rng.randrange(-50, 100) for _ in range(24)], 1 | 16, seed=1, period=4, ws_offset=5))
    write("lsap_dense", "i64-near-bound-6x3", lsap_dense_seed(6, 3, [rng.randrange(0, 100) for _ in range(18)], 8))
    write("lsap_dense", "f64-ints-5x5", lsap_dense_seed(5, 5, [rng.randrange(-20, 20) for _ in range(25)], 2 | 12))
    write("lsap_dense", "f64-fractions-4x7", lsap_dense_seed(4, 7, [rng.randrange(-800, 800) / 16 for _ in range(28)], 2 | 1))
    write("lsap_dense", "i64-in-bound-8x8",
          lsap_dense_seed(8, 8, [rng.randrange(-(1 << 60), 1 << 60) for _ in range(64)], 4 | 64))
    write("lsap_dense", "i64-infeasible-2x2", lsap_dense_seed(2, 2, [I64_MAX, 1, I64_MAX, 2], 0))
    write("lsap_dense", "f64-raw-12x9",
          lsap_dense_seed(12, 9, [rng.uniform(-1e6, 1e6) for _ in range(108)], 2 | 1 | 16, seed=5, period=7))
    write("lsap_dense", "f64-big-20x30", lsap_dense_seed(20, 30, [rng.uniform(0, 1e3) for _ in range(600)], 2 | 1))
    write("lsap_dense", "f64-nan", lsap_dense_seed(2, 2, [1.0, "nan", 2.0, 3.0], 2))


def lsap_sparse_seed(rows, cols, mode, rowspec, costs, perturb=None, ws_byte=0):
    """rowspec per row: (count, start, [columns]) as the column mode reads them."""
    cm = (mode >> 4) & 3
    out = u8(rows) + u8(cols) + u8(mode) + u8(ws_byte)
    for count, start, colvals in rowspec:
        if cm != 3:
            out += u8(count)
        out += u8(start)
        for c in colvals:
            out += u8(c) if cm == 1 else i64(c + 3)
    if mode & 64:
        out += u8(perturb[0]) + i64(perturb[1])
    enc = f64 if mode & 2 else i64
    for c in costs:
        out += enc(c)
    return out


def seeds_lsap_sparse():
    rng = random.Random(5)
    write("lsap_sparse", "i64-band-3x3", lsap_sparse_seed(3, 3, 0, [(3, 0, []), (2, 1, []), (2, 2, [])],
                                                          [4, 1, 3, 2, 0, 5, 3]))
    spec = [(3, 0, rng.sample(range(6), 3)) for _ in range(4)]
    write("lsap_sparse", "f64-random-4x6", lsap_sparse_seed(4, 6, 2 | 1 | 16, spec, [rng.uniform(-9, 9) for _ in range(12)]))
    write("lsap_sparse", "i64-band-6x4", lsap_sparse_seed(6, 4, 0, [(2, i, []) for i in range(6)],
                                                          [rng.randrange(-30, 30) for _ in range(12)]))
    write("lsap_sparse", "i64-full-near-bound-5x5", lsap_sparse_seed(5, 5, 8 | 48, [(5, 0, [])] * 5,
                                                                     [rng.randrange(100) for _ in range(25)]))
    write("lsap_sparse", "i64-duplicate-column", lsap_sparse_seed(2, 3, 16, [(2, 0, [1, 1]), (1, 0, [0])], [1, 2, 3]))
    write("lsap_sparse", "i64-perturbed", lsap_sparse_seed(3, 3, 64, [(2, 0, []), (2, 1, []), (2, 2, [])],
                                                           [1, 2, 3, 4, 5, 6], perturb=(1, 1)))
    spec = [(rng.randrange(3, 8), rng.randrange(12), []) for _ in range(10)]
    write("lsap_sparse", "f64-ints-10x12", lsap_sparse_seed(10, 12, 2 | 12, spec,
                                                            [rng.randrange(-30, 30) for _ in range(sum(s[0] for s in spec))]))
    write("lsap_sparse", "i64-wild-columns", lsap_sparse_seed(2, 2, 32, [(1, 0, [1]), (1, 0, [-1])], [5, 6]))


def seeds_lsap_check():
    # rows, cols, mode, seed, costs, then (kind, a, b, d) for derived or (rtc, u, v) explicit.
    write("lsap_check", "i64-derived", u8(3) + u8(3) + u8(4) + u8(0) + b"".join(i64(c) for c in [4, 1, 3, 2, 0, 5, 3, 2, 2])
          + u8(0) + u8(0) + u8(0) + i64(0))
    write("lsap_check", "i64-derived-perturbed", u8(3) + u8(4) + u8(4 | 1) + u8(0)
          + b"".join(i64(c) for c in range(12)) + u8(1) + u8(2) + u8(0) + i64(1))
    write("lsap_check", "i64-explicit-2x2", u8(2) + u8(2) + u8(0) + u8(0) + b"".join(i64(c) for c in [1, 2, 3, 4])
          + u8(2) + u8(3) + i64(1) + i64(3) + i64(0) + i64(1))
    write("lsap_check", "i64-rect-forbidden", u8(4) + u8(2) + u8(4 | 16 | 32) + u8(1)
          + b"".join(i64(c) for c in [5, 3, 2, 8, 1, 1, 7, 4]) + u8(4) + u8(1) + u8(1) + i64(0))
    write("lsap_check", "f64-derived", u8(3) + u8(2) + u8(2 | 4) + u8(0)
          + b"".join(f64(c) for c in [0.5, 1.25, -2.0, 3.0, 7.5, 0.0]) + u8(0) + u8(0) + u8(0) + f64(0.0))
    write("lsap_check", "f64-nan-tolerance", u8(2) + u8(2) + u8(2 | 64) + u8(0)
          + b"".join(f64(c) for c in [1.0, "nan", 2.0, 3.0]) + f64(0.5)
          + u8(2) + u8(3) + f64(1.0) + f64(2.0) + f64(0.0) + f64(1.0))


# ---------------------------------------------------------------- prosumer

def prosumer_seed(requests, evs, mode=0, ws_byte=0):
    """requests: (energy, submitted, kind); evs: (available, free) or, with mode & 4, (C, SoC, reserve, P, period)."""
    out = u8(len(requests)) + u8(len(evs)) + u8(mode) + u8(ws_byte)
    for e, t, k in requests:
        out += i64(e) + i64(t) + (ppm(k) if mode & 2 else u8(k))
        if mode & 1:
            out += u8(0)
    for ev in evs:
        out += b"".join(i64(x) for x in ev)
    return out


def seeds_prosumer():
    rng = random.Random(13)
    write("prosumer", "mixed", prosumer_seed([(500, 3, 0), (1200, 1, 1), (0, 2, 0), (800, 1, 0)],
                                             [(600, 100), (0, 2000), (1000, 1000)]))
    write("prosumer", "batteries", prosumer_seed([(3000, 0, 1), (2500, 1, 0), (4000, 2, 0)],
                                                 [(60000, 30000, 5000, 7400, 900), (40000, 35000, 0, I64_MAX, 3600),
                                                  (75000, 10000, 2000, 22000, 1800)], mode=4))
    write("prosumer", "small-ties", prosumer_seed([(rng.randrange(16), rng.randrange(3), rng.randrange(2)) for _ in range(8)],
                                                  [(rng.randrange(16), rng.randrange(16)) for _ in range(6)], mode=32))
    write("prosumer", "dp-12x10", prosumer_seed([(rng.randrange(5000), rng.randrange(100), rng.randrange(2)) for _ in range(12)],
                                                [(rng.randrange(4000), rng.randrange(4000)) for _ in range(10)], ws_byte=9))
    write("prosumer", "random-30x40", prosumer_seed([(rng.randrange(5000), rng.randrange(100), rng.randrange(2)) for _ in range(30)],
                                                    [(rng.randrange(4000), rng.randrange(4000)) for _ in range(40)]))
    write("prosumer", "bad-kind", prosumer_seed([(10, 0, 7)], [(5, 5)], mode=2))


# ---------------------------------------------------------------- auction

def auction_seed(bids, asks, mode=0, ws_byte=0):
    out = u8(len(bids)) + u8(len(asks)) + u8(mode) + u8(ws_byte)
    for p, e in list(bids) + list(asks):
        out += i64(p) + i64(e)
    return out


def seeds_auction():
    rng = random.Random(17)
    write("auction", "uniform", auction_seed([(100, 10), (90, 10), (80, 10), (70, 10)], [(50, 10), (60, 10), (75, 10), (85, 10)]))
    write("auction", "reduction", auction_seed([(100, 10), (90, 5), (20, 10)], [(10, 8), (60, 10), (95, 3)]))
    write("auction", "no-trade", auction_seed([(10, 5), (9, 5)], [(11, 5), (30, 1)]))
    write("auction", "ties-zeros", auction_seed([(5, 3), (5, 0), (7, 2), (5, 4)], [(5, 1), (3, 0), (5, 6), (2, 2)], mode=3))
    write("auction", "overflow", auction_seed([(I64_MAX, I64_MAX), (I64_MAX, I64_MAX)], [(0, I64_MAX), (0, I64_MAX)]))
    write("auction", "random-30x30", auction_seed([(rng.randrange(1000), rng.randrange(100)) for _ in range(30)],
                                                  [(rng.randrange(1000), rng.randrange(100)) for _ in range(30)], ws_byte=3))


# ---------------------------------------------------------------- penalty and pricing

def seeds_penalty():
    def seq(cap, values, ops):
        out = u8(cap) + u8(len(values)) + b"".join(ppm(v) for v in values)
        for op in ops:
            out += op
        return out
    factor = u8(0)

    def scale(x, f):
        return u8(1) + i64(x) + ppm(f)

    def update(t, p, g, no_action=False):
        # the selector picks update when it is 2 mod 3; its top bit drops the action pointer
        sel = next(b for b in range(256) if b % 3 == 2 and (b & 0x80) == (0x80 if no_action else 0))
        return u8(sel) + i64(t) + i64(p) + ppm(g)
    write("penalty", "append-forgive", seq(4, [], [update(100, 50, 100000), factor, update(100, 100, 100000), factor,
                                                   update(10, 2, 0), update(10, 2, 0), factor, scale(12345, 640000)]))
    write("penalty", "full-list", seq(2, [500000, 900000], [factor, update(7, 1, 50000), update(0, 5, 0, True), factor]))
    write("penalty", "over-capacity", seq(1, [1000000, 1000000, 1000000], [update(3, 1, 0), factor]))
    write("penalty", "extremes", seq(3, [0, 1000000], [scale(I64_MAX, 1000000), scale(-1, 5), update(I64_MAX, I64_MAX - 1, 999999),
                                                       update(I64_MAX, 0, 0), factor]))


def seeds_pricing():
    def money(p, e):
        return u8(0) + i64(p) + i64(e)

    def tariff(gb, gs, markup, reserved=None):
        out = u8(1 | (0x80 if reserved is not None else 0)) + i64(gb) + i64(gs) + ppm(markup)
        if reserved is not None:
            out += u8(reserved)
        return out
    write("pricing", "defaults", tariff(294900, 64000, 100000) + money(294900, 1500) + money(-64000, 2500))
    write("pricing", "edges", tariff(I64_MAX, I64_MAX, 1000000) + tariff(1, 0, 0) + tariff(5, 6, 0)
          + money(I64_MAX, 1000) + money(I64_MIN, 999))
    write("pricing", "errors", tariff(-1, 0, 0) + tariff(10, 5, -1) + tariff(10, 5, 0, reserved=1) + money(I64_MAX, I64_MAX))


# ---------------------------------------------------------------- neural networks

def nn_model(kind, inputs, outputs, hidden, seed):
    rng = random.Random(seed)
    count, width = 0, inputs
    for h in hidden:
        count += 4 * h * (width + h + 1) if kind == 1 else h * (width + 1)
        width = h
    count += outputs * (width + 1)
    out = b"V2GNN001" + struct.pack("<4I", kind, inputs, outputs, len(hidden))
    out += b"".join(struct.pack("<I", h) for h in hidden)
    out += struct.pack("<Q", count)
    out += b"".join(struct.pack("<d", rng.uniform(-1, 1)) for _ in range(count))
    return out


def seeds_nn():
    write("nn", "mlp-linear", u8(0) + nn_model(2, 3, 1, [], 1))
    write("nn", "mlp-2-layers", u8(0x10) + nn_model(2, 2, 2, [4, 3], 2))
    write("nn", "lstm-1-layer", u8(2) + nn_model(1, 2, 1, [3], 3))
    write("nn", "lstm-2-layers-ask-count", u8(4 | 3) + nn_model(1, 3, 2, [2, 3], 4))
    write("nn", "lstm-big-inputs", u8(8 | 1) + nn_model(1, 1, 1, [2], 5))
    write("nn", "truncated", u8(0) + nn_model(2, 3, 1, [2], 6)[:-5])
    write("nn", "repair-lstm-3-layers", u8(0x80 | 2) + nn_model(1, 2, 3, [3, 1, 2], 8)[:40] + bytes(range(1, 200, 3)))
    big = bytearray(nn_model(2, 2, 1, [2], 7))
    big[-8:] = struct.pack("<d", 1e300)
    write("nn", "mlp-huge-param", u8(0) + bytes(big))


def main():
    if os.path.isdir(CORPUS):
        shutil.rmtree(CORPUS)
    for gen in (seeds_ret, seeds_sret, seeds_lsap_dense, seeds_lsap_sparse, seeds_lsap_check, seeds_prosumer,
                seeds_auction, seeds_penalty, seeds_pricing, seeds_nn):
        gen()
    total = sum(len(files) for _, _, files in os.walk(CORPUS))
    print("wrote %d seeds under %s" % (total, os.path.relpath(CORPUS)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
