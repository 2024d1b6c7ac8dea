/*
 * test_nn.c - the LSTM and MLP of v2g_nn.h: gradients against central finite differences, training with
 * Adam on learnable series, the byte format, federated averaging, initialisation, and argument checks.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "v2g/v2g.h"
#include "check.h"

/* ------------------------------------------------------------------ helpers */

static double uniform(check_rng *r, double lo, double hi) {
    return lo + (hi - lo) * ((double)(check_next(r) >> 11) * 0x1p-53);
}

static v2g_nn_shape make_shape(int32_t kind, int32_t inputs, int32_t outputs, int32_t layers, const int32_t *hidden) {
    v2g_nn_shape s;
    memset(&s, 0, sizeof s);
    s.kind = kind;
    s.inputs = inputs;
    s.outputs = outputs;
    s.layers = layers;
    for (int32_t l = 0; l < layers; l++) s.hidden[l] = hidden[l];
    return s;
}

static size_t count_of(const v2g_nn_shape *s) {
    size_t n = 0;
    CHECK_EQ_I64(v2g_nn_param_count(s, &n), V2G_OK);
    return n;
}

/* A model with its workspace, for one sequence length. */
typedef struct {
    v2g_nn_shape shape;
    int32_t steps;
    size_t count, ws_size;
    double *params;
    void *ws;
} model;

static model model_new(v2g_nn_shape s, int32_t steps) {
    model m;
    m.shape = s;
    m.steps = steps;
    m.count = count_of(&s);
    m.params = calloc(m.count, sizeof(double));
    m.ws_size = 0;
    CHECK_EQ_I64(v2g_nn_workspace_size(&s, steps, &m.ws_size), V2G_OK);
    m.ws = malloc(m.ws_size);
    return m;
}

static void model_free(model *m) {
    free(m->params);
    free(m->ws);
}

static double loss_of(model *m, const double *x, const double *target) {
    double y[16];
    v2g_status st = v2g_nn_forward(&m->shape, m->params, m->count, x, m->steps, y, m->ws, m->ws_size);
    CHECK_EQ_I64(st, V2G_OK);
    double sum = 0.0;
    for (int32_t k = 0; k < m->shape.outputs; k++) sum += (y[k] - target[k]) * (y[k] - target[k]);
    return sum / m->shape.outputs;
}

/* ------------------------------------------------------------------ gradients */

/*
 * Random parameters and inputs; the analytic gradient against central differences with h = 1e-6:
 * max|a - b| / max(|a| + |b|) over the whole vector below 1e-5, and per parameter
 * |a - b| <= 1e-5 (|a| + |b|) + 1e-9 (the floor covers the rounding of the difference quotient).
 */
static void check_gradient(v2g_nn_shape s, int32_t steps, uint64_t seed) {
    model m = model_new(s, steps);
    check_rng rng = {seed};
    for (size_t k = 0; k < m.count; k++) m.params[k] = uniform(&rng, -0.8, 0.8);
    const size_t nx = (size_t)steps * (size_t)s.inputs;
    double x[256], target[16], y[16], y2[16];
    for (size_t k = 0; k < nx; k++) x[k] = uniform(&rng, -1.0, 1.0);
    for (int32_t k = 0; k < s.outputs; k++) target[k] = uniform(&rng, -1.0, 1.0);

    double *grad = calloc(m.count, sizeof(double)), *grad2 = calloc(m.count, sizeof(double));
    double loss = -1.0;
    CHECK_EQ_I64(v2g_nn_gradient(&s, m.params, m.count, x, steps, target, &loss, y, grad, m.ws, m.ws_size), V2G_OK);
    CHECK_EQ_I64(v2g_nn_forward(&s, m.params, m.count, x, steps, y2, m.ws, m.ws_size), V2G_OK);
    CHECK(memcmp(y, y2, (size_t)s.outputs * sizeof *y) == 0);
    CHECK(fabs(loss - loss_of(&m, x, target)) <= 1e-15 * fabs(loss));

    double max_diff = 0.0, max_mag = 0.0;
    int per_param_ok = 1;
    for (size_t k = 0; k < m.count; k++) {
        const double p = m.params[k], h = 1e-6;
        const double hp = p + h, hm = p - h;
        m.params[k] = hp;
        const double lp = loss_of(&m, x, target);
        m.params[k] = hm;
        const double lm = loss_of(&m, x, target);
        m.params[k] = p;
        const double fd = (lp - lm) / (hp - hm), a = grad[k];
        const double diff = fabs(a - fd), mag = fabs(a) + fabs(fd);
        if (diff > max_diff) max_diff = diff;
        if (mag > max_mag) max_mag = mag;
        if (diff > 1e-5 * mag + 1e-9) per_param_ok = 0;
    }
    const double rel = max_diff / (max_mag > 1e-300 ? max_mag : 1e-300);
    CHECK(max_mag > 1e-3);   /* the gradient is not trivially zero */
    CHECK(rel < 1e-5);
    CHECK(per_param_ok);
    printf("  gradient %s, %d layer(s), %d step(s), %zu parameters: relative error %.2g\n",
           s.kind == V2G_NN_LSTM ? "LSTM" : "MLP", s.layers, steps, m.count, rel);

    /* A second call into zeros is bit-identical; into the first result it adds to it (doubles it). */
    double loss2 = 0.0;
    CHECK_EQ_I64(v2g_nn_gradient(&s, m.params, m.count, x, steps, target, &loss2, NULL, grad2, m.ws, m.ws_size),
                 V2G_OK);
    CHECK(memcmp(grad, grad2, m.count * sizeof *grad) == 0);
    CHECK(loss2 == loss);
    CHECK_EQ_I64(v2g_nn_gradient(&s, m.params, m.count, x, steps, target, &loss2, NULL, grad2, m.ws, m.ws_size),
                 V2G_OK);
    int doubled = 1;
    for (size_t k = 0; k < m.count; k++) doubled &= fabs(grad2[k] - 2.0 * grad[k]) <= 1e-14 * fabs(grad[k]) + 1e-300;
    CHECK(doubled);

    /* A workspace at another alignment gives the same result. */
    unsigned char *shifted = malloc(m.ws_size + 8);
    double y3[16];
    CHECK_EQ_I64(v2g_nn_forward(&s, m.params, m.count, x, steps, y3, shifted + 8, m.ws_size), V2G_OK);
    CHECK(memcmp(y, y3, (size_t)s.outputs * sizeof *y) == 0);
    free(shifted);
    free(grad);
    free(grad2);
    model_free(&m);
}

static void test_gradients(void) {
    const int32_t h1[] = {5}, h2[] = {4, 6}, h3[] = {3, 5, 2};
    check_gradient(make_shape(V2G_NN_LSTM, 3, 2, 1, h1), 4, 11);
    check_gradient(make_shape(V2G_NN_LSTM, 1, 1, 1, h1), 1, 12);
    check_gradient(make_shape(V2G_NN_LSTM, 2, 3, 2, h2), 5, 13);
    check_gradient(make_shape(V2G_NN_LSTM, 3, 2, 3, h3), 3, 14);
    const int32_t m1[] = {7}, m2[] = {5, 6};
    check_gradient(make_shape(V2G_NN_MLP, 4, 3, 0, NULL), 1, 21);
    check_gradient(make_shape(V2G_NN_MLP, 4, 3, 1, m1), 1, 22);
    check_gradient(make_shape(V2G_NN_MLP, 3, 2, 2, m2), 1, 23);
}

/* One LSTM unit worked by hand from the equations of v2g_nn.h, over two steps. */
static void test_lstm_by_hand(void) {
    const int32_t h[] = {1};
    v2g_nn_shape s = make_shape(V2G_NN_LSTM, 1, 1, 1, h);
    CHECK_EQ_I64(count_of(&s), 14);   /* W 4, U 4, b 4, V 1, a 1 */
    /*                 W: i    f    g    o     U: i    f    g    o     b: i    f    g    o    V    a */
    double p[14] = {0.5, -0.3, 0.8, 0.2, 0.1, 0.4, -0.6, 0.3, 0.0, 1.0, 0.1, -0.2, 1.5, 0.25};
    const double x[2] = {0.7, -1.2};
    double hp = 0.0, cp = 0.0;
    for (int t = 0; t < 2; t++) {
        const double zi = p[0] * x[t] + p[4] * hp + p[8], zf = p[1] * x[t] + p[5] * hp + p[9];
        const double zg = p[2] * x[t] + p[6] * hp + p[10], zo = p[3] * x[t] + p[7] * hp + p[11];
        const double i = 1 / (1 + exp(-zi)), f = 1 / (1 + exp(-zf)), g = tanh(zg), o = 1 / (1 + exp(-zo));
        cp = f * cp + i * g;
        hp = o * tanh(cp);
    }
    const double want = p[12] * hp + p[13];
    size_t ws_size = 0;
    CHECK_EQ_I64(v2g_nn_workspace_size(&s, 2, &ws_size), V2G_OK);
    void *ws = malloc(ws_size);
    double y = 0.0;
    CHECK_EQ_I64(v2g_nn_forward(&s, p, 14, x, 2, &y, ws, ws_size), V2G_OK);
    CHECK(fabs(y - want) <= 1e-15);
    free(ws);
}

/* tanh through a 1-1-1 MLP (y = 1 * tanh(1 * x + 0) + 0) against libm, within 4 ulp, over the whole range. */
static void test_tanh_accuracy(void) {
    const int32_t h[] = {1};
    v2g_nn_shape s = make_shape(V2G_NN_MLP, 1, 1, 1, h);
    const double p[4] = {1.0, 0.0, 1.0, 0.0};
    size_t ws_size = 0;
    CHECK_EQ_I64(v2g_nn_workspace_size(&s, 1, &ws_size), V2G_OK);
    void *ws = malloc(ws_size);
    int close = 1;
    double worst = 0.0;
    for (int i = -40000; i <= 40000; i++) {
        const double x = i * 1e-3 + 3.7e-7;
        double y = 0.0;
        if (v2g_nn_forward(&s, p, 4, &x, 1, &y, ws, ws_size) != V2G_OK) close = 0;
        const double err = fabs(y - tanh(x)) / fabs(tanh(x));
        if (err > worst) worst = err;
    }
    CHECK(close);
    CHECK(worst <= 4 * 0x1p-52);
    const double edge[6] = {1e-300, -1e-12, 5e-8, 354.5, -1e300, 0.0};
    const double want[6] = {1e-300, -1e-12, 4.999999999999996e-8 /* tanh 5e-8 */, 1.0, -1.0, 0.0};
    for (int i = 0; i < 6; i++) {
        double y = 0.5;
        CHECK_EQ_I64(v2g_nn_forward(&s, p, 4, &edge[i], 1, &y, ws, ws_size), V2G_OK);
        CHECK(fabs(y - want[i]) <= 2 * 0x1p-52 * fabs(want[i]));
    }
    printf("  tanh against libm: %.2g ulp at worst\n", worst / 0x1p-52);
    free(ws);
}

/* ------------------------------------------------------------------ training */

typedef struct {
    size_t n, nx, ny;
    double *x, *y;
} dataset;

static double dataset_loss(model *m, const dataset *d) {
    double sum = 0.0;
    for (size_t i = 0; i < d->n; i++) sum += loss_of(m, d->x + i * d->nx, d->y + i * d->ny);
    return sum / (double)d->n;
}

/*
 * Mini-batch Adam (mean gradient over the batch, fixed sample order) until the data set's loss is below
 * 10 % of the initial one or max_epochs pass; returns the epochs used (max_epochs + 1 if never reached).
 */
static int train(model *m, const dataset *d, size_t batch, double lr, int max_epochs, double *first,
                 double *last) {
    double *grad = calloc(m->count, sizeof(double)), *mm = calloc(m->count, sizeof(double));
    double *vv = calloc(m->count, sizeof(double));
    v2g_adam adam = {lr, 0.9, 0.999, 1e-8, 0};
    *first = dataset_loss(m, d);
    *last = *first;
    int epoch = 1;
    for (; epoch <= max_epochs; epoch++) {
        for (size_t start = 0; start < d->n; start += batch) {
            const size_t end = start + batch < d->n ? start + batch : d->n;
            memset(grad, 0, m->count * sizeof *grad);
            for (size_t i = start; i < end; i++) {
                double loss;
                v2g_status st = v2g_nn_gradient(&m->shape, m->params, m->count, d->x + i * d->nx, m->steps,
                                                d->y + i * d->ny, &loss, NULL, grad, m->ws, m->ws_size);
                if (st != V2G_OK) CHECK_EQ_I64(st, V2G_OK);
            }
            for (size_t k = 0; k < m->count; k++) grad[k] /= (double)(end - start);
            v2g_status st = v2g_adam_update(&adam, m->params, grad, mm, vv, m->count);
            if (st != V2G_OK) CHECK_EQ_I64(st, V2G_OK);
        }
        *last = dataset_loss(m, d);
        if (*last < 0.1 * *first) break;
    }
    CHECK(adam.step > 0);
    free(grad);
    free(mm);
    free(vv);
    return epoch;
}

/* Next value of a noisy sine (period 24 samples) from the last 3 values: an LSTM of 3 steps x 1 input. */
static void test_train_lstm(void) {
    const int32_t h[] = {8};
    model m = model_new(make_shape(V2G_NN_LSTM, 1, 1, 1, h), 3);
    CHECK_EQ_I64(v2g_nn_init(&m.shape, 2024, m.params, m.count), V2G_OK);
    check_rng rng = {7};
    enum { N = 288 };
    double series[N + 3];
    for (int t = 0; t < N + 3; t++) series[t] = sin(2.0 * 3.141592653589793 * t / 24.0) + uniform(&rng, -0.03, 0.03);
    dataset d = {N, 3, 1, malloc(N * 3 * sizeof(double)), malloc(N * sizeof(double))};
    for (int i = 0; i < N; i++) {
        for (int k = 0; k < 3; k++) d.x[i * 3 + k] = series[i + k];
        d.y[i] = series[i + 3];
    }
    double first, last;
    int epochs = train(&m, &d, 16, 0.02, 60, &first, &last);
    CHECK(last < 0.1 * first);
    printf("  LSTM noisy sine: loss %.4f -> %.5f in %d epochs\n", first, last, epochs);
    free(d.x);
    free(d.y);
    model_free(&m);
}

/* A smooth nonlinear map R^3 -> R^2: an MLP with two hidden layers of 16. */
static void test_train_mlp(void) {
    const int32_t h[] = {16, 16};
    model m = model_new(make_shape(V2G_NN_MLP, 3, 2, 2, h), 1);
    CHECK_EQ_I64(v2g_nn_init(&m.shape, 99, m.params, m.count), V2G_OK);
    check_rng rng = {8};
    enum { N = 512 };
    dataset d = {N, 3, 2, malloc(N * 3 * sizeof(double)), malloc(N * 2 * sizeof(double))};
    for (int i = 0; i < N; i++) {
        double *x = d.x + i * 3;
        for (int k = 0; k < 3; k++) x[k] = uniform(&rng, -1.0, 1.0);
        d.y[i * 2] = sin(2.0 * x[0]) * cos(x[1]) + 0.5;
        d.y[i * 2 + 1] = x[2] * x[2] - 0.5 * x[0] * x[1];
    }
    double first, last;
    int epochs = train(&m, &d, 16, 0.01, 200, &first, &last);
    CHECK(last < 0.1 * first);
    printf("  MLP smooth map: loss %.4f -> %.5f in %d epochs\n", first, last, epochs);
    free(d.x);
    free(d.y);
    model_free(&m);
}

/* ------------------------------------------------------------------ Adam */

static void test_adam(void) {
    double p[3] = {1.0, -2.0, 0.5}, g[3] = {0.3, -4.0, 0.0}, m[3] = {0}, v[3] = {0};
    v2g_adam adam = {0.1, 0.9, 0.999, 1e-8, 0};
    CHECK_EQ_I64(v2g_adam_update(&adam, p, g, m, v, 3), V2G_OK);
    CHECK_EQ_I64(adam.step, 1);
    /* First step: m̂ = g, v̂ = g², so each parameter moves by lr · g / (|g| + eps). */
    CHECK(fabs(p[0] - (1.0 - 0.1 * 0.3 / (0.3 + 1e-8))) < 1e-15);
    CHECK(fabs(p[1] - (-2.0 + 0.1 * 4.0 / (4.0 + 1e-8))) < 1e-15);
    CHECK(p[2] == 0.5);
    CHECK(fabs(m[0] - 0.03) < 1e-15 && fabs(v[1] - 0.016) < 1e-15);

    double before[3];
    memcpy(before, p, sizeof p);
    g[1] = NAN;
    CHECK_EQ_I64(v2g_adam_update(&adam, p, g, m, v, 3), V2G_E_NAN);
    CHECK(memcmp(before, p, sizeof p) == 0);
    CHECK_EQ_I64(adam.step, 1);
    g[1] = 1.0;
    v2g_adam bad = adam;
    bad.learning_rate = 0.0;
    CHECK_EQ_I64(v2g_adam_update(&bad, p, g, m, v, 3), V2G_E_INVALID);
    bad = adam;
    bad.beta1 = 1.0;
    CHECK_EQ_I64(v2g_adam_update(&bad, p, g, m, v, 3), V2G_E_INVALID);
    bad = adam;
    bad.epsilon = NAN;
    CHECK_EQ_I64(v2g_adam_update(&bad, p, g, m, v, 3), V2G_E_NAN);
    bad = adam;
    bad.step = INT64_MAX;
    CHECK_EQ_I64(v2g_adam_update(&bad, p, g, m, v, 3), V2G_E_OVERFLOW);
    CHECK_EQ_I64(v2g_adam_update(NULL, p, g, m, v, 3), V2G_E_NULL);
    CHECK_EQ_I64(v2g_adam_update(&adam, p, g, NULL, v, 3), V2G_E_NULL);
}

/* ------------------------------------------------------------------ initialisation */

/* The stream and layout of v2g_nn_init, written out again: Glorot weights in layout order, biases after. */
static double *expect_weights(double *p, size_t rows, size_t cols, check_rng *r) {
    const double a = sqrt(6.0 / (double)(rows + cols));
    for (size_t k = 0; k < rows * cols; k++) p[k] = a * (2.0 * ((double)(check_next(r) >> 11) * 0x1p-53) - 1.0);
    return p + rows * cols;
}

static void test_init(void) {
    const int32_t h[] = {4, 3};
    v2g_nn_shape s = make_shape(V2G_NN_LSTM, 2, 2, 2, h);
    size_t n = count_of(&s);
    CHECK_EQ_I64(n, 4 * 4 * (2 + 4 + 1) + 4 * 3 * (4 + 3 + 1) + 2 * (3 + 1));
    double *p = malloc(n * sizeof *p), *q = calloc(n, sizeof *q), *r = malloc(n * sizeof *r);
    CHECK_EQ_I64(v2g_nn_init(&s, 42, p, n), V2G_OK);
    check_rng rng = {42};
    double *e = q;
    for (int l = 0; l < 2; l++) {
        const size_t in = l == 0 ? 2 : 4, w = (size_t)h[l];
        e = expect_weights(e, 4 * w, in, &rng);
        e = expect_weights(e, 4 * w, w, &rng);
        for (size_t k = 0; k < 4 * w; k++) e[k] = (k >= w && k < 2 * w) ? 1.0 : 0.0;
        e += 4 * w;
    }
    e = expect_weights(e, 2, 3, &rng);
    CHECK(e + 2 == q + n);
    CHECK(memcmp(p, q, n * sizeof *p) == 0);
    CHECK_EQ_I64(v2g_nn_init(&s, 42, r, n), V2G_OK);
    CHECK(memcmp(p, r, n * sizeof *p) == 0);
    CHECK_EQ_I64(v2g_nn_init(&s, 43, r, n), V2G_OK);
    CHECK(memcmp(p, r, n * sizeof *p) != 0);

    const int32_t mh[] = {5};
    v2g_nn_shape ms = make_shape(V2G_NN_MLP, 3, 1, 1, mh);
    size_t mn = count_of(&ms);
    CHECK_EQ_I64(mn, 5 * 4 + 6);
    CHECK_EQ_I64(v2g_nn_init(&ms, 5, p, mn), V2G_OK);
    check_rng rng2 = {5};
    e = expect_weights(q, 5, 3, &rng2);
    memset(e, 0, 5 * sizeof *e);
    e = expect_weights(e + 5, 1, 5, &rng2);
    e[0] = 0.0;
    CHECK(memcmp(p, q, mn * sizeof *p) == 0);
    CHECK_EQ_I64(v2g_nn_init(&ms, 5, p, mn + 1), V2G_E_INVALID);
    free(p);
    free(q);
    free(r);
}

/* ------------------------------------------------------------------ byte format */

static void check_round_trip(v2g_nn_shape s, uint64_t seed) {
    size_t n = count_of(&s), size = 0;
    CHECK_EQ_I64(v2g_nn_serialized_size(&s, &size), V2G_OK);
    CHECK_EQ_I64(size, 24 + 4 * (size_t)s.layers + 8 + 8 * n);
    double *p = malloc(n * sizeof *p), *q = malloc(n * sizeof *q);
    CHECK_EQ_I64(v2g_nn_init(&s, seed, p, n), V2G_OK);
    uint8_t *buf = malloc(size + 1), *buf2 = malloc(size + 1);
    CHECK_EQ_I64(v2g_nn_serialize(&s, p, n, buf, size), V2G_OK);

    v2g_nn_shape back;
    memset(&back, 0xAB, sizeof back);
    size_t got = 0;
    CHECK_EQ_I64(v2g_nn_deserialize(buf, size, &back, q, n, &got), V2G_OK);
    CHECK_EQ_I64(got, n);
    CHECK(memcmp(&back, &s, sizeof s) == 0);
    CHECK(memcmp(p, q, n * sizeof *p) == 0);
    CHECK_EQ_I64(v2g_nn_serialize(&back, q, got, buf2, size), V2G_OK);
    CHECK(memcmp(buf, buf2, size) == 0);

    /* Every flipped parameter bit changes the bytes, or (a flip to infinity or NaN) is refused. */
    int all_changed = 1;
    for (size_t k = 0; k < n; k++) {
        for (int b = 0; b < 64; b++) {
            uint64_t bits;
            memcpy(&bits, p + k, sizeof bits);
            bits ^= (uint64_t)1 << b;
            memcpy(q + k, &bits, sizeof bits);
            v2g_status st = v2g_nn_serialize(&s, q, n, buf2, size);
            if (isfinite(q[k]) ? st != V2G_OK || memcmp(buf, buf2, size) == 0 : st != V2G_E_NAN) all_changed = 0;
            q[k] = p[k];
        }
    }
    CHECK(all_changed);

    /* Truncated, extended and re-tagged input is refused. */
    int refused = 1;
    for (size_t len = 0; len < size; len++)
        if (v2g_nn_deserialize(buf, len, &back, q, n, &got) != V2G_E_INVALID) refused = 0;
    CHECK(refused);
    buf[size] = 0;
    CHECK_EQ_I64(v2g_nn_deserialize(buf, size + 1, &back, q, n, &got), V2G_E_INVALID);
    for (int i = 0; i < 8; i++) {
        memcpy(buf2, buf, size);
        buf2[i] ^= 0x20;
        CHECK_EQ_I64(v2g_nn_deserialize(buf2, size, &back, q, n, &got), V2G_E_INVALID);
    }
    memcpy(buf2, buf, size);
    buf2[8] = 3;                                  /* kind 3 */
    CHECK_EQ_I64(v2g_nn_deserialize(buf2, size, &back, q, n, &got), V2G_E_INVALID);
    memcpy(buf2, buf, size);
    buf2[24 + 4 * s.layers] ^= 1;                 /* count disagrees with the shape */
    CHECK_EQ_I64(v2g_nn_deserialize(buf2, size, &back, q, n, &got), V2G_E_INVALID);
    memcpy(buf2, buf, size);
    buf2[size - 2] = 0xF0;                        /* last parameter +-infinity or NaN */
    buf2[size - 1] |= 0x7F;
    CHECK_EQ_I64(v2g_nn_deserialize(buf2, size, &back, q, n, &got), V2G_E_INVALID);

    /* Too little room: the count is reported; too small an output buffer. */
    got = 0;
    CHECK_EQ_I64(v2g_nn_deserialize(buf, size, &back, q, n - 1, &got), V2G_E_OVERFLOW);
    CHECK_EQ_I64(got, n);
    CHECK_EQ_I64(v2g_nn_deserialize(buf, size, &back, NULL, 0, &got), V2G_E_OVERFLOW);
    CHECK_EQ_I64(v2g_nn_serialize(&s, p, n, buf2, size - 1), V2G_E_OVERFLOW);
    CHECK_EQ_I64(v2g_nn_serialize(&s, p, n - 1, buf2, size), V2G_E_INVALID);
    p[0] = NAN;
    CHECK_EQ_I64(v2g_nn_serialize(&s, p, n, buf2, size), V2G_E_NAN);
    free(p);
    free(q);
    free(buf);
    free(buf2);
}

static void test_serialize(void) {
    const int32_t h[] = {3, 4}, mh[] = {2};
    check_round_trip(make_shape(V2G_NN_LSTM, 2, 2, 2, h), 1);
    check_round_trip(make_shape(V2G_NN_MLP, 3, 1, 1, mh), 2);
    check_round_trip(make_shape(V2G_NN_MLP, 2, 2, 0, NULL), 3);

    /* The exact bytes of linear regression y = 1.0 x - 2.0. */
    v2g_nn_shape s = make_shape(V2G_NN_MLP, 1, 1, 0, NULL);
    s.hidden[0] = 77;                             /* beyond `layers`: not written */
    const double p[2] = {1.0, -2.0};
    const uint8_t want[48] = {'V', '2', 'G', 'N', 'N', '0', '0', '1', 2, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0,
                              2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xF0, 0x3F, 0, 0, 0, 0, 0, 0, 0, 0xC0};
    uint8_t out[48];
    CHECK_EQ_I64(v2g_nn_serialize(&s, p, 2, out, sizeof out), V2G_OK);
    CHECK(memcmp(out, want, sizeof want) == 0);
}

/* ------------------------------------------------------------------ averaging */

static void test_average(void) {
    const int32_t h[] = {3};
    v2g_nn_shape s = make_shape(V2G_NN_LSTM, 2, 1, 1, h);
    size_t n = count_of(&s);
    double *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b), *out = malloc(n * sizeof *out);
    CHECK_EQ_I64(v2g_nn_init(&s, 31, a, n), V2G_OK);

    const double *same[3] = {a, a, a};
    const double w3[3] = {1.0, 2.0, 5.0};
    CHECK_EQ_I64(v2g_nn_average(same, w3, 3, n, out), V2G_OK);
    CHECK(memcmp(out, a, n * sizeof *a) == 0);
    memcpy(b, a, n * sizeof *a);
    const double *copies[2] = {a, b};
    const double w2[2] = {0.3, 0.7};
    CHECK_EQ_I64(v2g_nn_average(copies, w2, 2, n, out), V2G_OK);
    CHECK(memcmp(out, a, n * sizeof *a) == 0);

    /* Weights 1 and 3 give 0.25 a + 0.75 b; dyadic values make it exact. */
    for (size_t k = 0; k < n; k++) {
        a[k] = ((double)(k % 7) - 3.0) * 0.5;
        b[k] = ((double)(k % 5) - 2.0) * 0.25;
    }
    const double w13[2] = {1.0, 3.0};
    CHECK_EQ_I64(v2g_nn_average(copies, w13, 2, n, out), V2G_OK);
    int mixed = 1;
    for (size_t k = 0; k < n; k++) mixed &= out[k] == 0.25 * a[k] + 0.75 * b[k];
    CHECK(mixed);
    const double w01[2] = {0.0, 2.0};
    CHECK_EQ_I64(v2g_nn_average(copies, w01, 2, n, out), V2G_OK);
    CHECK(memcmp(out, b, n * sizeof *b) == 0);

    const double neg[2] = {1.0, -0.5}, zero[2] = {0.0, 0.0}, nan_w[2] = {1.0, NAN}, inf_w[2] = {INFINITY, 1.0};
    CHECK_EQ_I64(v2g_nn_average(copies, neg, 2, n, out), V2G_E_NEGATIVE);
    CHECK_EQ_I64(v2g_nn_average(copies, zero, 2, n, out), V2G_E_INVALID);
    CHECK_EQ_I64(v2g_nn_average(copies, nan_w, 2, n, out), V2G_E_NAN);
    CHECK_EQ_I64(v2g_nn_average(copies, inf_w, 2, n, out), V2G_E_OVERFLOW);
    CHECK_EQ_I64(v2g_nn_average(copies, w13, 0, n, out), V2G_E_INVALID);
    CHECK_EQ_I64(v2g_nn_average(copies, w13, 2, n, b), V2G_E_INVALID);        /* out aliases an input */
    CHECK_EQ_I64(v2g_nn_average(copies, w13, 2, n, b + n - 1), V2G_E_INVALID);
    CHECK_EQ_I64(v2g_nn_average(copies, NULL, 2, n, out), V2G_E_NULL);
    const double *with_null[2] = {a, NULL};
    CHECK_EQ_I64(v2g_nn_average(with_null, w13, 2, n, out), V2G_E_NULL);
    free(a);
    free(b);
    free(out);
}

/* ------------------------------------------------------------------ argument checks */

static void test_arguments(void) {
    const int32_t h[] = {4, 4};
    v2g_nn_shape s = make_shape(V2G_NN_LSTM, 3, 2, 2, h), bad;
    size_t n = 0, bytes = 0;
    CHECK_EQ_I64(v2g_nn_param_count(NULL, &n), V2G_E_NULL);
    CHECK_EQ_I64(v2g_nn_param_count(&s, NULL), V2G_E_NULL);
    bad = s; bad.kind = 3;
    CHECK_EQ_I64(v2g_nn_param_count(&bad, &n), V2G_E_INVALID);
    bad = s; bad.layers = 0;
    CHECK_EQ_I64(v2g_nn_param_count(&bad, &n), V2G_E_INVALID);          /* an LSTM needs a layer */
    bad = s; bad.layers = V2G_NN_MAX_LAYERS + 1;
    CHECK_EQ_I64(v2g_nn_param_count(&bad, &n), V2G_E_INVALID);
    bad = s; bad.hidden[1] = 0;
    CHECK_EQ_I64(v2g_nn_param_count(&bad, &n), V2G_E_INVALID);
    bad = s; bad.inputs = 0;
    CHECK_EQ_I64(v2g_nn_param_count(&bad, &n), V2G_E_INVALID);
    bad = s; bad.outputs = -1;
    CHECK_EQ_I64(v2g_nn_param_count(&bad, &n), V2G_E_INVALID);
    bad = s; bad.layers = V2G_NN_MAX_LAYERS;
    for (int l = 0; l < V2G_NN_MAX_LAYERS; l++) bad.hidden[l] = INT32_MAX;
    CHECK_EQ_I64(v2g_nn_param_count(&bad, &n), V2G_E_OVERFLOW);
    CHECK_EQ_I64(v2g_nn_serialized_size(&bad, &bytes), V2G_E_OVERFLOW);
    bad = make_shape(V2G_NN_MLP, 2, 1, 0, NULL);
    bad.hidden[0] = -5;                                                  /* beyond `layers`: ignored */
    CHECK_EQ_I64(v2g_nn_param_count(&bad, &n), V2G_OK);
    CHECK_EQ_I64(n, 3);

    CHECK_EQ_I64(v2g_nn_workspace_size(&s, 0, &bytes), V2G_E_INVALID);
    CHECK_EQ_I64(v2g_nn_workspace_size(&bad, 2, &bytes), V2G_E_INVALID); /* an MLP has one step */
    CHECK_EQ_I64(v2g_nn_workspace_size(NULL, 1, &bytes), V2G_E_NULL);
    const int32_t wide[] = {1 << 28};
    v2g_nn_shape big = make_shape(V2G_NN_LSTM, 1, 1, 1, wide);
    CHECK_EQ_I64(v2g_nn_workspace_size(&big, INT32_MAX, &bytes), V2G_E_OVERFLOW);

    model m = model_new(s, 3);
    CHECK_EQ_I64(v2g_nn_init(&s, 1, m.params, m.count), V2G_OK);
    double x[12] = {0.1, 0.2, 0.3, -0.1, 0.0, 0.5, 1.0, -1.0, 0.25, 0.3, 0.2, 0.1}, t[2] = {0.5, -0.5}, y[2], loss;
    double *grad = calloc(m.count, sizeof(double));
    CHECK_EQ_I64(v2g_nn_forward(&s, m.params, m.count, x, 3, y, m.ws, m.ws_size), V2G_OK);
    CHECK_EQ_I64(v2g_nn_forward(&s, m.params, m.count, NULL, 3, y, m.ws, m.ws_size), V2G_E_NULL);
    CHECK_EQ_I64(v2g_nn_forward(&s, NULL, m.count, x, 3, y, m.ws, m.ws_size), V2G_E_NULL);
    CHECK_EQ_I64(v2g_nn_forward(&s, m.params, m.count, x, 3, NULL, m.ws, m.ws_size), V2G_E_NULL);
    CHECK_EQ_I64(v2g_nn_forward(&s, m.params, m.count + 1, x, 3, y, m.ws, m.ws_size), V2G_E_INVALID);
    CHECK_EQ_I64(v2g_nn_forward(&s, m.params, m.count, x, 0, y, m.ws, m.ws_size), V2G_E_INVALID);
    CHECK_EQ_I64(v2g_nn_forward(&s, m.params, m.count, x, 3, y, m.ws, m.ws_size - 1), V2G_E_WORKSPACE);
    CHECK_EQ_I64(v2g_nn_forward(&s, m.params, m.count, x, 3, y, NULL, m.ws_size), V2G_E_WORKSPACE);
    CHECK_EQ_I64(v2g_nn_forward(&s, m.params, m.count, x, 2, y, m.ws, m.ws_size), V2G_OK); /* fewer steps fit */
    x[4] = NAN;
    CHECK_EQ_I64(v2g_nn_forward(&s, m.params, m.count, x, 3, y, m.ws, m.ws_size), V2G_E_NAN);
    x[4] = INFINITY;
    CHECK_EQ_I64(v2g_nn_forward(&s, m.params, m.count, x, 3, y, m.ws, m.ws_size), V2G_E_NAN);
    x[4] = 0.0;

    CHECK_EQ_I64(v2g_nn_gradient(&s, m.params, m.count, x, 3, t, &loss, NULL, grad, m.ws, m.ws_size), V2G_OK);
    memset(grad, 0, m.count * sizeof *grad);
    t[1] = NAN;
    CHECK_EQ_I64(v2g_nn_gradient(&s, m.params, m.count, x, 3, t, &loss, y, grad, m.ws, m.ws_size), V2G_E_NAN);
    t[1] = -0.5;
    CHECK_EQ_I64(v2g_nn_gradient(&s, m.params, m.count, x, 3, NULL, &loss, y, grad, m.ws, m.ws_size), V2G_E_NULL);
    CHECK_EQ_I64(v2g_nn_gradient(&s, m.params, m.count, x, 3, t, NULL, y, grad, m.ws, m.ws_size), V2G_E_NULL);
    CHECK_EQ_I64(v2g_nn_gradient(&s, m.params, m.count, x, 3, t, &loss, y, NULL, m.ws, m.ws_size), V2G_E_NULL);
    CHECK_EQ_I64(v2g_nn_gradient(&s, m.params, m.count - 1, x, 3, t, &loss, y, grad, m.ws, m.ws_size), V2G_E_INVALID);
    CHECK_EQ_I64(v2g_nn_gradient(&s, m.params, m.count, x, 4, t, &loss, y, grad, m.ws, m.ws_size), V2G_E_WORKSPACE);
    int untouched = 1;
    for (size_t k = 0; k < m.count; k++) untouched &= grad[k] == 0.0;
    CHECK(untouched);                                                    /* refused calls add nothing */

    v2g_nn_shape mlp = make_shape(V2G_NN_MLP, 3, 2, 0, NULL);
    size_t mc = count_of(&mlp), mws = 0;
    CHECK_EQ_I64(v2g_nn_workspace_size(&mlp, 1, &mws), V2G_OK);
    CHECK_EQ_I64(v2g_nn_forward(&mlp, m.params, mc, x, 2, y, m.ws, m.ws_size), V2G_E_INVALID);
    CHECK_EQ_I64(v2g_nn_forward(&mlp, m.params, mc, x, 1, y, m.ws, mws), V2G_OK);
    CHECK_EQ_I64(v2g_nn_init(NULL, 1, m.params, m.count), V2G_E_NULL);
    free(grad);
    model_free(&m);
}

int main(void) {
    test_gradients();
    test_lstm_by_hand();
    test_tanh_accuracy();
    test_init();
    test_adam();
    test_serialize();
    test_average();
    test_arguments();
    test_train_lstm();
    test_train_mlp();
    return check_report("test_nn");
}
