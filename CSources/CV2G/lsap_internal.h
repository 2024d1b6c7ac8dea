/*
 * lsap_internal.h - constants and validation shared by the LSAP solvers and checkers.
 *
 * Internal to CV2G. Magnitudes for the int64 path (K = largest |cost| <= bound
 * = 2^55 / (rows + cols + 1)): potentials stay within 4(rows+cols+1)K + 1 <= 2^57 + 1,
 * distances within 2^58, every reduced cost or candidate distance of an allowed
 * pair within 2^60, so "infinite" values built on LSAP_I64_INF = 2^62 stay in
 * [2^61, 2^63) and remain distinguishable from finite ones (docs/lsap.md).
 */
#ifndef V2G_LSAP_INTERNAL_H
#define V2G_LSAP_INTERNAL_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "v2g/v2g_common.h"

#define LSAP_I64_INF ((int64_t)1 << 62)
#define LSAP_I64_UNREACH ((int64_t)1 << 61)

static inline int64_t lsap_i64_bound(size_t rows, size_t cols) {
    const uint64_t r = (uint64_t)rows, c = (uint64_t)cols;
    if (r > UINT64_MAX / 2 || c > UINT64_MAX / 2 - 1) return 0;
    return (int64_t)(((uint64_t)1 << 55) / (r + c + 1));
}

static inline double lsap_f64_bound(size_t rows, size_t cols) {
    return 0x1p1000 / ((double)rows + (double)cols + 1.0);
}

/*
 * NaN / -inf -> V2G_E_NAN, |finite| > bound -> V2G_E_OVERFLOW; *kmax = largest finite |cost|, *forbidden = any +inf.
 * Works on the bit patterns: with the sign cleared, IEEE doubles order like their
 * bits as integers (+inf above every finite value, NaN above +inf), so the loop is
 * integer compares and a max, which vectorise.
 */
static inline v2g_status lsap_validate_f64(const double *c, size_t count, double bound, double *kmax, int *forbidden) {
    const int64_t inf_bits = 0x7FF0000000000000, neg_inf_bits = (int64_t)0xFFF0000000000000u;
    int64_t bad = 0, forb = 0, km = 0;
    for (size_t k = 0; k < count; k++) {
        int64_t b;
        memcpy(&b, c + k, sizeof b);
        const int64_t a = b & INT64_MAX;
        bad |= (a > inf_bits) | (b == neg_inf_bits);
        forb |= b == inf_bits;
        const int64_t am = a == inf_bits ? 0 : a;
        km = am > km ? am : km;
    }
    if (bad) return V2G_E_NAN;
    double kd;
    memcpy(&kd, &km, sizeof kd);
    if (kd > bound) return V2G_E_OVERFLOW;
    *kmax = kd;
    *forbidden = forb != 0;
    return V2G_OK;
}

/* |cost| > bound (INT64_MAX = forbidden excluded) -> V2G_E_OVERFLOW; *kmax = largest |cost|, *forbidden = any INT64_MAX. */
static inline v2g_status lsap_validate_i64(const int64_t *c, size_t count, int64_t bound, int64_t *kmax, int *forbidden) {
    int64_t mn = 0, mx = 0;
    int forb = 0;
    for (size_t k = 0; k < count; k++) {
        const int64_t x = c[k];
        forb |= x == INT64_MAX;
        const int64_t xm = x == INT64_MAX ? 0 : x;
        mn = xm < mn ? xm : mn;
        mx = xm > mx ? xm : mx;
    }
    if (mn < -bound || mx > bound) return V2G_E_OVERFLOW;
    *kmax = -mn > mx ? -mn : mx;
    *forbidden = forb;
    return V2G_OK;
}

#endif /* V2G_LSAP_INTERNAL_H */
