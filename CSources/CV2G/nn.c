/* nn.c - shapes, parameter counts, workspace sizes, initialisation, and the forward and gradient calls. */
#include <math.h>

#include "nn_internal.h"

/* ---------------------------------------------------------------- shapes */

v2g_status v2g_nn_shape_count(const v2g_nn_shape *s, size_t *count) {
    if (s->kind != V2G_NN_LSTM && s->kind != V2G_NN_MLP) return V2G_E_INVALID;
    if (s->inputs < 1 || s->outputs < 1) return V2G_E_INVALID;
    const int32_t min_layers = s->kind == V2G_NN_LSTM ? 1 : 0;
    if (s->layers < min_layers || s->layers > V2G_NN_MAX_LAYERS) return V2G_E_INVALID;
    for (int32_t l = 0; l < s->layers; l++)
        if (s->hidden[l] < 1) return V2G_E_INVALID;

    size_t total = 0, t;
    for (int32_t l = 0; l < s->layers; l++) {
        const size_t n = nn_layer_in(s, l), h = (size_t)s->hidden[l];
        if (s->kind == V2G_NN_LSTM) {
            size_t h4, nh;                                   /* W (4h x n), U (4h x h), b (4h) */
            if (!nn_mul(4, h, &h4) || !nn_add(n, h, &nh) || !nn_add(nh, 1, &nh) || !nn_mul(h4, nh, &t))
                return V2G_E_OVERFLOW;
        } else {
            size_t n1;                                       /* W (h x n), b (h) */
            if (!nn_add(n, 1, &n1) || !nn_mul(h, n1, &t)) return V2G_E_OVERFLOW;
        }
        if (!nn_add(total, t, &total)) return V2G_E_OVERFLOW;
    }
    size_t top1;                                             /* V (outputs x top), a (outputs) */
    if (!nn_add(nn_top_width(s), 1, &top1) || !nn_mul((size_t)s->outputs, top1, &t) || !nn_add(total, t, &total))
        return V2G_E_OVERFLOW;
    *count = total;
    return V2G_OK;
}

v2g_status v2g_nn_param_count(const v2g_nn_shape *shape, size_t *count) {
    if (!shape || !count) return V2G_E_NULL;
    return v2g_nn_shape_count(shape, count);
}

/* ---------------------------------------------------------------- workspace */

int v2g_nn_layout(const v2g_nn_shape *s, size_t steps, size_t *total, v2g_ws *ws, nn_arrays *out) {
    size_t maxh = 0, act = 0, t;
    for (int32_t l = 0; l < s->layers; l++) {
        const size_t h = (size_t)s->hidden[l];
        if (h > maxh) maxh = h;
        if (s->kind == V2G_NN_LSTM) {
            if (!nn_mul(steps, h, &t) || !nn_mul(t, 7, &t)) return 0;
        } else {
            t = h;
        }
        if (!nn_add(act, t, &act)) return 0;
    }
    const int lstm = s->kind == V2G_NN_LSTM;
    size_t between = maxh, h4 = 0, hs = 0;
    if (lstm && (!nn_mul(steps, maxh, &between) || !nn_mul(4, maxh, &h4))) return 0;
    if (lstm) hs = maxh;
    const size_t k = (size_t)s->outputs;
    V2G_WS_ARRAY(ws, total, out, act, act, double);
    V2G_WS_ARRAY(ws, total, out, d0, between, double);
    V2G_WS_ARRAY(ws, total, out, d1, between, double);
    V2G_WS_ARRAY(ws, total, out, dz, h4, double);
    V2G_WS_ARRAY(ws, total, out, dh, hs, double);
    V2G_WS_ARRAY(ws, total, out, dc, hs, double);
    V2G_WS_ARRAY(ws, total, out, y, k, double);
    V2G_WS_ARRAY(ws, total, out, dy, k, double);
    return 1;
}

/* Shape, then steps; V2G_OK with *bytes the workspace size. */
static v2g_status nn_workspace_need(const v2g_nn_shape *shape, int32_t steps, size_t *count, size_t *bytes) {
    v2g_status st = v2g_nn_shape_count(shape, count);
    if (st != V2G_OK) return st;
    if (steps < 1 || (shape->kind == V2G_NN_MLP && steps != 1)) return V2G_E_INVALID;
    size_t total = 0, x_values;                                 /* x holds steps x inputs doubles */
    if (!nn_mul((size_t)steps, (size_t)shape->inputs, &x_values)) return V2G_E_OVERFLOW;
    if (!v2g_nn_layout(shape, (size_t)steps, &total, NULL, NULL)) return V2G_E_OVERFLOW;
    *bytes = v2g_ws_finish(total);
    return *bytes == 0 ? V2G_E_OVERFLOW : V2G_OK;
}

v2g_status v2g_nn_workspace_size(const v2g_nn_shape *shape, int32_t steps, size_t *bytes) {
    if (!shape || !bytes) return V2G_E_NULL;
    size_t count = 0, need = 0;
    v2g_status st = nn_workspace_need(shape, steps, &count, &need);
    if (st == V2G_OK) *bytes = need;
    return st;
}

/* Every check of forward and gradient in one order: shape, steps, count, NaN inputs, workspace. */
static v2g_status nn_prepare(const v2g_nn_shape *shape, size_t count, const double *x, int32_t steps,
                             const double *target, void *workspace, size_t workspace_size, nn_arrays *a) {
    size_t want = 0, need = 0;
    v2g_status st = nn_workspace_need(shape, steps, &want, &need);
    if (st != V2G_OK) return st;
    if (count != want) return V2G_E_INVALID;
    if (nn_any_nonfinite(x, (size_t)steps * (size_t)shape->inputs)) return V2G_E_NAN;
    if (target && nn_any_nonfinite(target, (size_t)shape->outputs)) return V2G_E_NAN;
    if (!workspace || workspace_size < need) return V2G_E_WORKSPACE;
    v2g_ws ws = v2g_ws_open(workspace, workspace_size);
    if (!v2g_nn_layout(shape, (size_t)steps, NULL, &ws, a)) return V2G_E_WORKSPACE;
    return V2G_OK;
}

/* ---------------------------------------------------------------- initialisation */

static inline uint64_t nn_splitmix64(uint64_t *state) {
    uint64_t z = (*state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

/* rows x cols weights, uniform in [-a, a) with a = sqrt(6 / (cols + rows)), drawn in layout order. */
static double *nn_glorot(double *p, size_t rows, size_t cols, uint64_t *state) {
    const double a = sqrt(6.0 / ((double)cols + (double)rows));
    const size_t n = rows * cols;
    for (size_t k = 0; k < n; k++) {
        const double u = (double)(nn_splitmix64(state) >> 11) * 0x1p-53;   /* [0, 1) */
        p[k] = a * (2.0 * u - 1.0);
    }
    return p + n;
}

v2g_status v2g_nn_init(const v2g_nn_shape *shape, uint64_t seed, double *params, size_t count) {
    if (!shape || !params) return V2G_E_NULL;
    size_t want = 0;
    v2g_status st = v2g_nn_shape_count(shape, &want);
    if (st != V2G_OK) return st;
    if (count != want) return V2G_E_INVALID;
    uint64_t state = seed;
    double *p = params;
    for (int32_t l = 0; l < shape->layers; l++) {
        const size_t n = nn_layer_in(shape, l), h = (size_t)shape->hidden[l];
        if (shape->kind == V2G_NN_LSTM) {
            p = nn_glorot(p, 4 * h, n, &state);          /* W: fan-in n, fan-out 4h */
            p = nn_glorot(p, 4 * h, h, &state);          /* U: fan-in h, fan-out 4h */
            for (size_t r = 0; r < 4 * h; r++) p[r] = (r >= h && r < 2 * h) ? 1.0 : 0.0;
            p += 4 * h;
        } else {
            p = nn_glorot(p, h, n, &state);
            for (size_t r = 0; r < h; r++) p[r] = 0.0;
            p += h;
        }
    }
    const size_t k = (size_t)shape->outputs;
    p = nn_glorot(p, k, nn_top_width(shape), &state);
    for (size_t r = 0; r < k; r++) p[r] = 0.0;
    return V2G_OK;
}

/* ---------------------------------------------------------------- forward and gradient */

v2g_status v2g_nn_forward(const v2g_nn_shape *shape, const double *params, size_t count,
                          const double *x, int32_t steps, double *y,
                          void *workspace, size_t workspace_size) {
    if (!shape || !params || !x || !y) return V2G_E_NULL;
    nn_arrays a;
    v2g_status st = nn_prepare(shape, count, x, steps, NULL, workspace, workspace_size, &a);
    if (st != V2G_OK) return st;
    if (shape->kind == V2G_NN_LSTM) v2g_nn_lstm_forward(shape, params, x, (size_t)steps, &a);
    else v2g_nn_mlp_forward(shape, params, x, &a);
    memcpy(y, a.y, (size_t)shape->outputs * sizeof *y);
    return V2G_OK;
}

v2g_status v2g_nn_gradient(const v2g_nn_shape *shape, const double *params, size_t count,
                           const double *x, int32_t steps, const double *target,
                           double *loss, double *y, double *grad,
                           void *workspace, size_t workspace_size) {
    if (!shape || !params || !x || !target || !loss || !grad) return V2G_E_NULL;
    nn_arrays a;
    v2g_status st = nn_prepare(shape, count, x, steps, target, workspace, workspace_size, &a);
    if (st != V2G_OK) return st;
    const int lstm = shape->kind == V2G_NN_LSTM;
    if (lstm) v2g_nn_lstm_forward(shape, params, x, (size_t)steps, &a);
    else v2g_nn_mlp_forward(shape, params, x, &a);

    /* L = (1/K) sum (y - t)^2, dL/dy = (2/K) (y - t). */
    const size_t k = (size_t)shape->outputs;
    const double scale = 2.0 / (double)k;
    double sum = 0.0;
    for (size_t j = 0; j < k; j++) {
        const double e = a.y[j] - target[j];
        sum += e * e;
        a.dy[j] = scale * e;
    }
    if (lstm) v2g_nn_lstm_backward(shape, params, x, (size_t)steps, &a, grad);
    else v2g_nn_mlp_backward(shape, params, x, &a, grad);
    *loss = sum / (double)k;
    if (y) memcpy(y, a.y, k * sizeof *y);
    return V2G_OK;
}
