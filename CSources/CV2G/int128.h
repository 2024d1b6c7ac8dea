/*
 * int128.h - portable unsigned 128-bit products for exact comparisons.
 *
 * Internal to CV2G. Ledger results must be bit-identical on every CPU, so
 * ratio and profit comparisons use exact products rather than floating
 * point; this header needs no compiler extension (no __int128).
 */
#ifndef V2G_INT128_H
#define V2G_INT128_H

#include <stdint.h>

typedef struct v2g_u128 {
    uint64_t hi;
    uint64_t lo;
} v2g_u128;

static inline v2g_u128 v2g_mul_u64(uint64_t a, uint64_t b) {
    uint64_t a_lo = a & 0xFFFFFFFFu, a_hi = a >> 32;
    uint64_t b_lo = b & 0xFFFFFFFFu, b_hi = b >> 32;
    uint64_t p0 = a_lo * b_lo;
    uint64_t p1 = a_lo * b_hi;
    uint64_t p2 = a_hi * b_lo;
    uint64_t p3 = a_hi * b_hi;
    uint64_t mid = (p0 >> 32) + (p1 & 0xFFFFFFFFu) + (p2 & 0xFFFFFFFFu);
    v2g_u128 r;
    r.lo = (mid << 32) | (p0 & 0xFFFFFFFFu);
    r.hi = p3 + (p1 >> 32) + (p2 >> 32) + (mid >> 32);
    return r;
}

/* -1, 0 or 1 as a <, ==, > b. */
static inline int v2g_cmp_u128(v2g_u128 a, v2g_u128 b) {
    if (a.hi != b.hi) return a.hi < b.hi ? -1 : 1;
    if (a.lo != b.lo) return a.lo < b.lo ? -1 : 1;
    return 0;
}

/* Divides a by a 32-bit divisor; the quotient must fit in 64 bits (returns 0 if it does not). */
static inline int v2g_div_u128_u32(v2g_u128 a, uint32_t d, uint64_t *quotient) {
    if (d == 0 || a.hi >= d) return 0;
    /* Long division in 32-bit digits: remainder < d keeps each step inside 64 bits. */
    uint64_t rem = a.hi;
    uint64_t digit_hi = ((rem << 32) | (a.lo >> 32)) / d;
    rem = ((rem << 32) | (a.lo >> 32)) % d;
    uint64_t digit_lo = ((rem << 32) | (a.lo & 0xFFFFFFFFu)) / d;
    *quotient = (digit_hi << 32) | digit_lo;
    return 1;
}

/* Divides a by d bit by bit; the quotient must fit in 64 bits (returns 0 if a.hi >= d). */
static inline int v2g_div_u128_u64(v2g_u128 a, uint64_t d, uint64_t *quotient) {
    if (d == 0 || a.hi >= d) return 0;
    uint64_t rem = a.hi, q = 0;
    for (int bit = 63; bit >= 0; bit--) {
        uint64_t carry = rem >> 63;
        rem = (rem << 1) | ((a.lo >> bit) & 1u);
        q <<= 1;
        if (carry || rem >= d) { rem -= d; q |= 1u; }
    }
    *quotient = q;
    return 1;
}

/* floor(x * num / den) for x >= 0, 0 <= num, 0 < den <= UINT32_MAX; 0 if the result exceeds INT64_MAX. */
static inline int v2g_scale_floor(int64_t x, uint64_t num, uint32_t den, int64_t *out) {
    uint64_t q;
    if (!v2g_div_u128_u32(v2g_mul_u64((uint64_t)x, num), den, &q) || q > (uint64_t)INT64_MAX) return 0;
    *out = (int64_t)q;
    return 1;
}

#endif /* V2G_INT128_H */
