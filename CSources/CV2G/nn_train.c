/* nn_train.c - Adam updates and the sample-weighted average of models (federated averaging). */
#include <math.h>

#include "nn_internal.h"

v2g_status v2g_adam_update(v2g_adam *adam, double *params, const double *grad, double *m, double *v,
                           size_t count) {
    if (!adam || !params || !grad || !m || !v) return V2G_E_NULL;
    const double lr = adam->learning_rate, b1 = adam->beta1, b2 = adam->beta2, eps = adam->epsilon;
    if (isnan(lr) || isnan(b1) || isnan(b2) || isnan(eps)) return V2G_E_NAN;
    if (!(lr > 0.0) || isinf(lr) || !(b1 >= 0.0 && b1 < 1.0) || !(b2 >= 0.0 && b2 < 1.0) || !(eps > 0.0) ||
        isinf(eps) || adam->step < 0)
        return V2G_E_INVALID;
    if (adam->step == INT64_MAX) return V2G_E_OVERFLOW;
    if (nn_any_nonfinite(grad, count)) return V2G_E_NAN;

    const int64_t t = adam->step + 1;
    const double c1 = 1.0 - pow(b1, (double)t), c2 = 1.0 - pow(b2, (double)t);
    const double step_size = lr / c1, inv_c2 = 1.0 / c2;
    for (size_t k = 0; k < count; k++) {
        const double g = grad[k];
        const double mk = b1 * m[k] + (1.0 - b1) * g;
        const double vk = b2 * v[k] + (1.0 - b2) * (g * g);
        m[k] = mk;
        v[k] = vk;
        params[k] -= step_size * mk / (sqrt(vk * inv_c2) + eps);
    }
    adam->step = t;
    return V2G_OK;
}

static int nn_overlaps(const double *a, const double *b, size_t count) {
    const uintptr_t pa = (uintptr_t)a, pb = (uintptr_t)b, bytes = (uintptr_t)count * sizeof(double);
    return pa < pb + bytes && pb < pa + bytes;
}

/*
 * out = p_r + sum_j (w_j / W)(p_j - p_r) with r the (first) model of largest weight: the same average as
 * sum_j w_j p_j / W, but identical models give back their parameters bit for bit.
 */
v2g_status v2g_nn_average(const double *const *params, const double *weights, size_t models, size_t count,
                          double *out) {
    if (!params || !weights || !out) return V2G_E_NULL;
    if (models == 0) return V2G_E_INVALID;
    if (count > SIZE_MAX / sizeof(double)) return V2G_E_OVERFLOW;
    double total = 0.0;
    size_t ref = 0;
    for (size_t j = 0; j < models; j++) {
        if (!params[j]) return V2G_E_NULL;
        const double w = weights[j];
        if (isnan(w)) return V2G_E_NAN;
        if (w < 0.0) return V2G_E_NEGATIVE;
        if (w > weights[ref]) ref = j;
        total += w;
    }
    if (isinf(total)) return V2G_E_OVERFLOW;
    if (!(total > 0.0)) return V2G_E_INVALID;
    for (size_t j = 0; j < models; j++)
        if (count > 0 && nn_overlaps(out, params[j], count)) return V2G_E_INVALID;

    const double *pr = params[ref];
    memcpy(out, pr, count * sizeof *out);
    for (size_t j = 0; j < models; j++) {
        if (j == ref || weights[j] == 0.0) continue;
        const double c = weights[j] / total;
        const double *pj = params[j];
        for (size_t k = 0; k < count; k++) out[k] += c * (pj[k] - pr[k]);
    }
    return V2G_OK;
}
