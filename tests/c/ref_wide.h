/*
 * ref_wide.h - 128-bit integers for the test references, in plain C.
 *
 * The references (ret_reference.h, sret_reference.h) compare products that overflow 64 bits. They used
 * __int128, which 32-bit targets (armhf) lack, so the references could not run where bit-identical results
 * matter most. This is two's complement in two 64-bit words, written for clarity over speed and apart from
 * the library's own CSources/CV2G/int128.h, so a bug in one is not copied into the other; test_wide.c checks it
 * against the compiler's __int128 where there is one.
 */
#ifndef V2G_REF_WIDE_H
#define V2G_REF_WIDE_H

#include <stdint.h>

typedef struct ref_wide {
    uint64_t hi, lo;   /* value = hi * 2^64 + lo, two's complement over 128 bits */
} ref_wide;

static inline ref_wide ref_wide_from_i64(int64_t x) {
    ref_wide r = {x < 0 ? UINT64_MAX : 0, (uint64_t)x};
    return r;
}

static inline ref_wide ref_wide_from_u64(uint64_t x) {
    ref_wide r = {0, x};
    return r;
}

static inline ref_wide ref_wide_add(ref_wide a, ref_wide b) {
    ref_wide r = {a.hi + b.hi, a.lo + b.lo};
    r.hi += r.lo < a.lo;
    return r;
}

static inline ref_wide ref_wide_neg(ref_wide a) {
    ref_wide r = {~a.hi, ~a.lo};
    return ref_wide_add(r, ref_wide_from_u64(1));
}

static inline ref_wide ref_wide_sub(ref_wide a, ref_wide b) {
    return ref_wide_add(a, ref_wide_neg(b));
}

/* The full 128-bit product of two unsigned 64-bit numbers, from four 32 x 32-bit partial products. */
static inline ref_wide ref_wide_mul_u64(uint64_t a, uint64_t b) {
    const uint64_t a0 = (uint32_t)a, a1 = a >> 32, b0 = (uint32_t)b, b1 = b >> 32;
    ref_wide r = ref_wide_from_u64(a0 * b0);
    const uint64_t cross[2] = {a0 * b1, a1 * b0};
    for (int k = 0; k < 2; k++) {
        ref_wide part = {cross[k] >> 32, cross[k] << 32};
        r = ref_wide_add(r, part);
    }
    r.hi += a1 * b1;
    return r;
}

/* The low 128 bits of a x b (exact whenever the true product fits, which the references' values do). */
static inline ref_wide ref_wide_mul(ref_wide a, ref_wide b) {
    ref_wide r = ref_wide_mul_u64(a.lo, b.lo);
    r.hi += a.hi * b.lo + a.lo * b.hi;
    return r;
}

/* -1, 0 or 1 as signed a <, ==, > b. */
static inline int ref_wide_cmp(ref_wide a, ref_wide b) {
    if (a.hi != b.hi) return (int64_t)a.hi < (int64_t)b.hi ? -1 : 1;
    if (a.lo != b.lo) return a.lo < b.lo ? -1 : 1;
    return 0;
}

static inline ref_wide ref_wide_min(ref_wide a, ref_wide b) { return ref_wide_cmp(a, b) <= 0 ? a : b; }

/* Unsigned a / d for a < 2^64 * d (the quotient fits in 64 bits), by restoring division one bit at a time. */
static inline uint64_t ref_wide_div_u64(ref_wide a, uint64_t d) {
    uint64_t rem = a.hi, q = 0;
    for (int bit = 63; bit >= 0; bit--) {
        const int top = (int)(rem >> 63);
        rem = rem << 1 | (a.lo >> bit & 1u);
        q <<= 1;
        if (top || rem >= d) { rem -= d; q |= 1u; }
    }
    return q;
}

#endif /* V2G_REF_WIDE_H */
