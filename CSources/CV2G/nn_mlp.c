/* nn_mlp.c - the multi-layer perceptron of v2g_nn.h: tanh hidden layers, a linear output layer. */
#include "nn_internal.h"

void v2g_nn_mlp_forward(const v2g_nn_shape *s, const double *params, const double *x, nn_arrays *a) {
    const double *p = params, *in = x;
    size_t n = (size_t)s->inputs;
    double *act = a->act;
    for (int32_t l = 0; l < s->layers; l++) {
        const size_t h = (size_t)s->hidden[l];
        const double *w = p, *b = w + h * n;
        p = b + h;
        memcpy(act, b, h * sizeof *act);
        nn_gemv_add(w, h, n, in, act);
        nn_tanh_inplace(act, h);
        in = act;
        act += h;
        n = h;
    }
    const size_t k = (size_t)s->outputs;
    memcpy(a->y, p + k * n, k * sizeof *a->y);
    nn_gemv_add(p, k, n, in, a->y);
}

void v2g_nn_mlp_backward(const v2g_nn_shape *s, const double *params, const double *x, nn_arrays *a,
                         double *grad) {
    size_t off[V2G_NN_MAX_LAYERS + 1], act_off[V2G_NN_MAX_LAYERS + 1];
    size_t o = 0, ao = 0;
    for (int32_t l = 0; l < s->layers; l++) {
        const size_t n = nn_layer_in(s, l), h = (size_t)s->hidden[l];
        off[l] = o;
        act_off[l] = ao;
        o += h * (n + 1);
        ao += h;
    }
    off[s->layers] = o;
    const int32_t layers = s->layers;
    const size_t k = (size_t)s->outputs, top = nn_top_width(s);

    /* Output layer; da of the top hidden layer = Vᵀ dy. */
    const double *top_in = layers == 0 ? x : a->act + act_off[layers - 1];
    double *da = a->d0, *dprev = a->d1;
    if (layers > 0) memset(da, 0, top * sizeof *da);
    nn_linear_back(params + off[layers], grad + off[layers], k, top, a->dy, top_in, layers > 0 ? da : NULL);
    double *gbias = grad + off[layers] + k * top;
    for (size_t j = 0; j < k; j++) gbias[j] += a->dy[j];

    for (int32_t l = layers - 1; l >= 0; l--) {
        const size_t h = (size_t)s->hidden[l], n = nn_layer_in(s, l);
        const double *act = a->act + act_off[l];
        const double *in = l == 0 ? x : a->act + act_off[l - 1];
        double *gw = grad + off[l], *gb = gw + h * n;
        for (size_t j = 0; j < h; j++) {
            da[j] *= 1.0 - act[j] * act[j];                 /* now dz */
            gb[j] += da[j];
        }
        if (l > 0) memset(dprev, 0, n * sizeof *dprev);
        nn_linear_back(params + off[l], gw, h, n, da, in, l > 0 ? dprev : NULL);
        double *swap = da;
        da = dprev;
        dprev = swap;
    }
}
