/*
 * nn_internal.h - what nn.c, nn_lstm.c, nn_mlp.c, nn_train.c and nn_serialize.c share:
 * shape checks, the workspace layout, and the few dense kernels.
 *
 * Internal to CV2G. The kernels keep one summation order so results are
 * bit-identical from run to run; they use no threads and no allocation.
 */
#ifndef V2G_NN_INTERNAL_H
#define V2G_NN_INTERNAL_H

#include <math.h>
#include <string.h>

#include "v2g/v2g_nn.h"
#include "workspace.h"

/* ---------------------------------------------------------------- checked sizes */

static inline int nn_mul(size_t a, size_t b, size_t *r) {
    if (a != 0 && b > SIZE_MAX / a) return 0;
    *r = a * b;
    return 1;
}

static inline int nn_add(size_t a, size_t b, size_t *r) {
    if (b > SIZE_MAX - a) return 0;
    *r = a + b;
    return 1;
}

/* 1 if any value is NaN or +-infinity; bit compares, so the loop has no branches. */
static inline int nn_any_nonfinite(const double *v, size_t count) {
    const uint64_t inf_bits = 0x7FF0000000000000u;
    uint64_t bad = 0;
    for (size_t k = 0; k < count; k++) {
        uint64_t b;
        memcpy(&b, v + k, sizeof b);
        bad |= (uint64_t)((b & ~((uint64_t)1 << 63)) >= inf_bits);
    }
    return bad != 0;
}

/* ---------------------------------------------------------------- activations */

/*
 * e^x = 2^k (1 + m) for x in [-708, 709] (callers clamp; NaN stays NaN): x = k ln 2 + r with
 * |r| <= ln 2 / 2 (Cody-Waite, ln 2 split in two), m = e^r - 1 by its Taylor polynomial to degree 13
 * (truncation below 5e-18 relative). Returns m, *scale = 2^k. Only +, * and integer bit operations: no
 * libm, no branches, so loops of it vectorise, and the bits are the same on every IEEE-754 platform whose
 * compiler does not fuse a * b + c. k is read from the bits of x / ln 2 + 1.5 * 2^52, never converted
 * from a double, so a NaN is no undefined behaviour.
 */
static inline double nn_exp_parts(double x, double *scale) {
    const double shift = 0x1.8p52;
    double kd = x * 0x1.71547652b82fep0 + shift;            /* log2(e) */
    uint64_t ki;
    memcpy(&ki, &kd, sizeof ki);
    kd -= shift;
    const double r = (x - kd * 0x1.62e42feep-1) - kd * 0x1.a39ef35793c76p-33;   /* ln 2 = hi + lo */
    double q = 1.0 / 6227020800.0;                           /* 1/13! */
    q = q * r + 1.0 / 479001600.0;
    q = q * r + 1.0 / 39916800.0;
    q = q * r + 1.0 / 3628800.0;
    q = q * r + 1.0 / 362880.0;
    q = q * r + 1.0 / 40320.0;
    q = q * r + 1.0 / 5040.0;
    q = q * r + 1.0 / 720.0;
    q = q * r + 1.0 / 120.0;
    q = q * r + 1.0 / 24.0;
    q = q * r + 1.0 / 6.0;
    q = q * r + 0.5;
    q = q * r + 1.0;
    const uint64_t bits = (ki + 1023u) << 52;                /* 2^k, k in [-1022, 1023] */
    memcpy(scale, &bits, sizeof *scale);
    return q * r;
}

/*
 * z = min(max(z, -bound), bound) in place (NaN stays NaN). A loop of its own: a compare-select that
 * feeds arithmetic in the same loop keeps GCC from vectorising it.
 */
static inline void nn_clamp(double *z, size_t n, double bound) {
    for (size_t i = 0; i < n; i++) z[i] = z[i] < -bound ? -bound : z[i];
    for (size_t i = 0; i < n; i++) z[i] = z[i] > bound ? bound : z[i];
}

/* z = 1 / (1 + e^-z) in place, within a few ulp (z clamped to +-708 first: the same doubles up to 1e-307). */
static inline void nn_sigmoid_inplace(double *z, size_t n) {
    nn_clamp(z, n, 708.0);
    for (size_t i = 0; i < n; i++) {
        double scale;
        const double m = nn_exp_parts(-z[i], &scale);
        z[i] = 1.0 / (1.0 + (scale * m + scale));
    }
}

/*
 * z = tanh z in place, within a few ulp: sign(z) (-d / (2 + d)) with d = e^(-2|z|) - 1 in (-1, 0],
 * computed as 2^k m + (2^k - 1), exact at k = 0, so small |z| keep their relative accuracy. z is clamped
 * to +-354 first (tanh 354 is 1.0 to the last bit).
 */
static inline void nn_tanh_inplace(double *z, size_t n) {
    nn_clamp(z, n, 354.0);
    for (size_t i = 0; i < n; i++) {
        double scale;
        const double m = nn_exp_parts(-2.0 * fabs(z[i]), &scale);
        const double d = scale * m + (scale - 1.0);
        z[i] = copysign(-d / (2.0 + d), z[i]);
    }
}

/* V2G_OK with *count = the parameter count; V2G_E_INVALID for a bad shape, V2G_E_OVERFLOW if it does not fit. */
v2g_status v2g_nn_shape_count(const v2g_nn_shape *shape, size_t *count);

/* Width of the input of layer l (inputs for l = 0, hidden[l - 1] otherwise). */
static inline size_t nn_layer_in(const v2g_nn_shape *s, int32_t l) {
    return l == 0 ? (size_t)s->inputs : (size_t)s->hidden[l - 1];
}

/* Width of the last hidden layer (inputs for an MLP without hidden layers). */
static inline size_t nn_top_width(const v2g_nn_shape *s) {
    return s->layers == 0 ? (size_t)s->inputs : (size_t)s->hidden[s->layers - 1];
}

/* ---------------------------------------------------------------- workspace */

/*
 * LSTM over T steps: act holds, per layer l of width h and per step, 7h values
 * [i f g o | c | tanh c | h] (layer after layer, T blocks each); d0 and d1 hold
 * T x maxh gradients flowing between layers; dz (4 maxh), dh and dc (maxh) are
 * one step's backward scratch.
 * MLP: act holds the hidden activations layer after layer; d0 and d1 (maxh)
 * the gradients between layers; dz, dh, dc are empty.
 * Both: y and dy (outputs).
 */
typedef struct nn_arrays {
    double *act, *d0, *d1, *dz, *dh, *dc, *y, *dy;
} nn_arrays;

/* Reserves (ws == NULL) or takes (ws != NULL) every array, in one order for both; 0 on overflow/exhaustion.
 * The shape must be valid. */
int v2g_nn_layout(const v2g_nn_shape *shape, size_t steps, size_t *total, v2g_ws *ws, nn_arrays *out);

void v2g_nn_lstm_forward(const v2g_nn_shape *shape, const double *params, const double *x, size_t steps,
                         nn_arrays *a);
void v2g_nn_lstm_backward(const v2g_nn_shape *shape, const double *params, const double *x, size_t steps,
                          nn_arrays *a, double *grad);
void v2g_nn_mlp_forward(const v2g_nn_shape *shape, const double *params, const double *x, nn_arrays *a);
void v2g_nn_mlp_backward(const v2g_nn_shape *shape, const double *params, const double *x, nn_arrays *a,
                         double *grad);

/* ---------------------------------------------------------------- kernels (M row-major, rows x cols) */

static inline double nn_dot(const double *restrict a, const double *restrict b, size_t n) {
    double s0 = 0.0, s1 = 0.0;
    size_t j = 0;
    for (; j + 2 <= n; j += 2) {
        s0 += a[j] * b[j];
        s1 += a[j + 1] * b[j + 1];
    }
    if (j < n) s0 += a[j] * b[j];
    return s0 + s1;
}

/*
 * Two-lane vectors where the compiler has them (GCC, Clang: SSE2 on x86-64, NEON on AArch64). The
 * fallback below (also built with -DV2G_NN_SCALAR) computes the same sums in the same order, so both
 * give the same bits.
 */
#if (defined(__GNUC__) || defined(__clang__)) && !defined(V2G_NN_SCALAR)
#define NN_VECTORS 1
typedef double nn_v2 __attribute__((vector_size(16)));
static inline nn_v2 nn_load2(const double *p) {
    nn_v2 v;
    memcpy(&v, p, sizeof v);
    return v;
}
#endif

/*
 * z[r] += M[r, :] . x for every row. Four rows at a time share the loads of x; each row sums its even
 * and its odd columns apart (two lanes, so no single chain of dependent additions), then adds the two
 * and the last column of an odd width.
 */
static inline void nn_gemv_add(const double *restrict m, size_t rows, size_t cols, const double *restrict x,
                               double *restrict z) {
    size_t r = 0;
    const size_t pairs = cols & ~(size_t)1;
    for (; r + 4 <= rows; r += 4) {
        const double *m0 = m + r * cols, *m1 = m0 + cols, *m2 = m1 + cols, *m3 = m2 + cols;
        double s0, s1, s2, s3;
#ifdef NN_VECTORS
        nn_v2 a0 = {0.0, 0.0}, a1 = {0.0, 0.0}, a2 = {0.0, 0.0}, a3 = {0.0, 0.0};
        for (size_t j = 0; j < pairs; j += 2) {
            const nn_v2 xv = nn_load2(x + j);
            a0 += nn_load2(m0 + j) * xv;
            a1 += nn_load2(m1 + j) * xv;
            a2 += nn_load2(m2 + j) * xv;
            a3 += nn_load2(m3 + j) * xv;
        }
        s0 = a0[0] + a0[1];
        s1 = a1[0] + a1[1];
        s2 = a2[0] + a2[1];
        s3 = a3[0] + a3[1];
#else
        double e0 = 0.0, o0 = 0.0, e1 = 0.0, o1 = 0.0, e2 = 0.0, o2 = 0.0, e3 = 0.0, o3 = 0.0;
        for (size_t j = 0; j < pairs; j += 2) {
            e0 += m0[j] * x[j]; o0 += m0[j + 1] * x[j + 1];
            e1 += m1[j] * x[j]; o1 += m1[j + 1] * x[j + 1];
            e2 += m2[j] * x[j]; o2 += m2[j + 1] * x[j + 1];
            e3 += m3[j] * x[j]; o3 += m3[j + 1] * x[j + 1];
        }
        s0 = e0 + o0;
        s1 = e1 + o1;
        s2 = e2 + o2;
        s3 = e3 + o3;
#endif
        if (pairs < cols) {
            const double xl = x[pairs];
            s0 += m0[pairs] * xl;
            s1 += m1[pairs] * xl;
            s2 += m2[pairs] * xl;
            s3 += m3[pairs] * xl;
        }
        z[r] += s0;
        z[r + 1] += s1;
        z[r + 2] += s2;
        z[r + 3] += s3;
    }
    for (; r < rows; r++) z[r] += nn_dot(m + r * cols, x, cols);
}

/*
 * Backward through z = M x: G += dz xᵀ and, if dx is not NULL, dx += Mᵀ dz (dx is not cleared here).
 * One pass over the rows does both.
 */
static inline void nn_linear_back(const double *restrict m, double *restrict g, size_t rows, size_t cols,
                                  const double *restrict dz, const double *restrict x, double *restrict dx) {
    if (dx) {
        for (size_t r = 0; r < rows; r++) {
            const double d = dz[r];
            const double *mr = m + r * cols;
            double *gr = g + r * cols;
            for (size_t j = 0; j < cols; j++) {
                gr[j] += d * x[j];
                dx[j] += d * mr[j];
            }
        }
    } else {
        for (size_t r = 0; r < rows; r++) {
            const double d = dz[r];
            double *gr = g + r * cols;
            for (size_t j = 0; j < cols; j++) gr[j] += d * x[j];
        }
    }
}

#endif /* V2G_NN_INTERNAL_H */
