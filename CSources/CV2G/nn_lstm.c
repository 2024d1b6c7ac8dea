/*
 * nn_lstm.c - the stacked LSTM of v2g_nn.h: forward over all steps, and backpropagation through time
 * with the loss on the last step's output.
 *
 * Forward runs layer after layer over the whole sequence and keeps, per layer and step, the gate
 * activations, c, tanh(c) and h (nn_internal.h). Backward runs the layers top-down; each layer walks
 * the steps backwards, carrying dh and dc along time, and hands dL/d(input) at every step to the layer
 * below. Every gradient is added to the caller's grad.
 */
#include "nn_internal.h"

/* Offsets in the parameter array of W of each layer, and of V after the last (off[layers]). */
static void lstm_offsets(const v2g_nn_shape *s, size_t *off) {
    size_t o = 0;
    for (int32_t l = 0; l < s->layers; l++) {
        const size_t n = nn_layer_in(s, l), h = (size_t)s->hidden[l];
        off[l] = o;
        o += 4 * h * (n + h + 1);
    }
    off[s->layers] = o;
}

void v2g_nn_lstm_forward(const v2g_nn_shape *s, const double *params, const double *x, size_t steps,
                         nn_arrays *a) {
    const double *p = params;
    double *act = a->act;
    const double *in = x;
    size_t n = (size_t)s->inputs, in_stride = n;
    for (int32_t l = 0; l < s->layers; l++) {
        const size_t h = (size_t)s->hidden[l], h4 = 4 * h, blk = 7 * h;
        const double *w = p, *u = w + h4 * n, *b = u + h4 * h;
        p = b + h4;
        for (size_t t = 0; t < steps; t++) {
            double *z = act + t * blk;
            double *c = z + h4, *tc = z + 5 * h, *hh = z + 6 * h;
            memcpy(z, b, h4 * sizeof *z);
            nn_gemv_add(w, h4, n, in + t * in_stride, z);
            if (t > 0) nn_gemv_add(u, h4, h, z - blk + 6 * h, z);
            nn_sigmoid_inplace(z, 2 * h);                                           /* i, f */
            nn_tanh_inplace(z + 2 * h, h);                                          /* g */
            nn_sigmoid_inplace(z + 3 * h, h);                                       /* o */
            if (t > 0) {
                const double *cp = z - blk + h4;
                for (size_t j = 0; j < h; j++) c[j] = z[h + j] * cp[j] + z[j] * z[2 * h + j];
            } else {
                for (size_t j = 0; j < h; j++) c[j] = z[j] * z[2 * h + j];
            }
            memcpy(tc, c, h * sizeof *tc);
            nn_tanh_inplace(tc, h);
            for (size_t j = 0; j < h; j++) hh[j] = z[3 * h + j] * tc[j];
        }
        in = act + 6 * h;
        in_stride = blk;
        n = h;
        act += steps * blk;
    }
    /* y = V h_top + a, h_top the top layer's h at the last step. */
    const size_t k = (size_t)s->outputs;
    const double *v = p, *bias = v + k * n;
    memcpy(a->y, bias, k * sizeof *a->y);
    nn_gemv_add(v, k, n, in + (steps - 1) * in_stride, a->y);
}

void v2g_nn_lstm_backward(const v2g_nn_shape *s, const double *params, const double *x, size_t steps,
                          nn_arrays *a, double *grad) {
    size_t off[V2G_NN_MAX_LAYERS + 1], act_off[V2G_NN_MAX_LAYERS];
    lstm_offsets(s, off);
    size_t ao = 0;
    for (int32_t l = 0; l < s->layers; l++) {
        act_off[l] = ao;
        ao += steps * 7 * (size_t)s->hidden[l];
    }
    const int32_t top = s->layers - 1;
    const size_t ht = (size_t)s->hidden[top], k = (size_t)s->outputs;

    /* Output layer: dV += dy h_topᵀ, da += dy, and dh_top at the last step = Vᵀ dy. */
    double *dext = a->d0, *dnext = a->d1;
    memset(dext, 0, steps * ht * sizeof *dext);
    const double *h_last = a->act + act_off[top] + (steps - 1) * 7 * ht + 6 * ht;
    nn_linear_back(params + off[s->layers], grad + off[s->layers], k, ht, a->dy, h_last,
                   dext + (steps - 1) * ht);
    double *gbias = grad + off[s->layers] + k * ht;
    for (size_t j = 0; j < k; j++) gbias[j] += a->dy[j];

    double *dz = a->dz, *dh = a->dh, *dc = a->dc;
    for (int32_t l = top; l >= 0; l--) {
        const size_t h = (size_t)s->hidden[l], h4 = 4 * h, blk = 7 * h, n = nn_layer_in(s, l);
        const double *w = params + off[l], *u = w + h4 * n;
        double *gw = grad + off[l], *gu = gw + h4 * n, *gb = gu + h4 * h;
        const double *act = a->act + act_off[l];
        const double *in = l == 0 ? x : a->act + act_off[l - 1] + 6 * n;
        const size_t in_stride = l == 0 ? n : 7 * n;
        double *dx = l > 0 ? dnext : NULL;
        if (dx) memset(dx, 0, steps * n * sizeof *dx);
        memset(dh, 0, h * sizeof *dh);
        memset(dc, 0, h * sizeof *dc);
        for (size_t t = steps; t-- > 0;) {
            const double *gates = act + t * blk, *tc = gates + 5 * h;
            const double *cp = t > 0 ? gates - blk + h4 : NULL;
            const double *de = dext + t * h;
            for (size_t j = 0; j < h; j++) {
                const double gi = gates[j], gf = gates[h + j], gg = gates[2 * h + j], go = gates[3 * h + j];
                const double tcj = tc[j];
                const double dhj = de[j] + dh[j];
                const double dcj = dc[j] + dhj * go * (1.0 - tcj * tcj);
                dz[j] = dcj * gg * gi * (1.0 - gi);
                dz[h + j] = cp ? dcj * cp[j] * gf * (1.0 - gf) : 0.0;
                dz[2 * h + j] = dcj * gi * (1.0 - gg * gg);
                dz[3 * h + j] = dhj * tcj * go * (1.0 - go);
                dc[j] = dcj * gf;
            }
            for (size_t r = 0; r < h4; r++) gb[r] += dz[r];
            nn_linear_back(w, gw, h4, n, dz, in + t * in_stride, dx ? dx + t * n : NULL);
            if (t > 0) {
                memset(dh, 0, h * sizeof *dh);
                nn_linear_back(u, gu, h4, h, dz, gates - blk + 6 * h, dh);
            }
        }
        double *swap = dext;
        dext = dnext;
        dnext = swap;
    }
}
