/*
 * fuzz_nn.c - v2g_nn_deserialize (v2g_nn.h) on arbitrary bytes, then, for a model it accepts, the calls
 * that use one: v2g_nn_forward, v2g_nn_gradient, v2g_adam_update, v2g_nn_average, v2g_nn_serialize.
 *
 * Input: one control byte (capacity mode, LSTM steps, input pattern, "repair" bit), then the serialized
 * model.
 * The format of the header ("V2GNN001" | u32 kind, inputs, outputs, layers | u32 hidden[layers] |
 * u64 count | f64 params[count]) is parsed independently here, so the harness knows whether the bytes
 * are a valid model and how many parameters it has. Checks:
 *   the status (V2G_OK for a valid model, V2G_E_INVALID otherwise, V2G_E_OVERFLOW with *count set when
 *     the capacity is short, then V2G_OK with that count);
 *   the shape, the count and every parameter bit equal what the bytes say; re-serializing gives the
 *     same bytes; v2g_nn_serialized_size gives the input's size;
 *   forward succeeds with the workspace v2g_nn_workspace_size asks for, and is bit-identical when run
 *     again on a workspace full of other bytes; gradient's y equals forward's y and its loss is the
 *     mean squared error of that y; Adam and the average of two models accept what they are given;
 *   v2g_nn_init draws finite weights within the Glorot range for the same shape.
 */
#include "fuzz_input.h"

typedef __int128 i128;

static uint32_t rd32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p) { return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32; }

/* 1 if `in` is a valid model; fills the shape, the count and the header size. */
static int parse(const uint8_t *in, size_t n, v2g_nn_shape *s, size_t *count, size_t *header) {
    if (n < 24 || memcmp(in, "V2GNN001", 8) != 0) return 0;
    uint32_t kind = rd32(in + 8), inputs = rd32(in + 12), outputs = rd32(in + 16), layers = rd32(in + 20);
    if (kind > INT32_MAX || inputs > INT32_MAX || outputs > INT32_MAX || layers > V2G_NN_MAX_LAYERS) return 0;
    if (n < 24 + 4 * (size_t)layers) return 0;
    memset(s, 0, sizeof *s);
    s->kind = (int32_t)kind;
    s->inputs = (int32_t)inputs;
    s->outputs = (int32_t)outputs;
    s->layers = (int32_t)layers;
    for (uint32_t l = 0; l < layers; l++) {
        uint32_t h = rd32(in + 24 + 4 * l);
        if (h > INT32_MAX || h < 1) return 0;
        s->hidden[l] = (int32_t)h;
    }
    if (kind != V2G_NN_LSTM && kind != V2G_NN_MLP) return 0;
    if (inputs < 1 || outputs < 1) return 0;
    if (kind == V2G_NN_LSTM && layers < 1) return 0;
    i128 total = 0;
    i128 width = inputs;
    for (uint32_t l = 0; l < layers; l++) {
        i128 h = s->hidden[l];
        total += kind == V2G_NN_LSTM ? 4 * h * (width + h + 1) : h * (width + 1);
        width = h;
    }
    total += (i128)outputs * (width + 1);
    if (total > (i128)(SIZE_MAX / 8)) return 0;
    size_t hdr = 24 + 4 * (size_t)layers + 8;
    if (n < hdr || rd64(in + hdr - 8) != (uint64_t)total || (i128)n != (i128)hdr + 8 * total) return 0;
    for (i128 k = 0; k < total; k++) {
        uint64_t bits = rd64(in + hdr + 8 * (size_t)k);
        if ((bits & ~((uint64_t)1 << 63)) >= 0x7FF0000000000000u) return 0;
    }
    *count = (size_t)total;
    *header = hdr;
    return 1;
}

/*
 * Control bit 0x80: keep the header as the input has it (layers capped at 8) and rebuild the rest so the
 * model is well formed: the right count field, then that many finite parameters taken from the bytes
 * that follow. Random shapes then reach the forward pass instead of failing the size check.
 */
static uint8_t *repair(const uint8_t *src, size_t n, size_t *out_n) {
    if (n < 24) return NULL;
    uint32_t layers = rd32(src + 20) % (V2G_NN_MAX_LAYERS + 1);
    size_t hdr = 24 + 4 * (size_t)layers + 8;
    if (n < hdr - 8) return NULL;
    v2g_nn_shape s;
    memset(&s, 0, sizeof s);
    s.kind = (int32_t)rd32(src + 8);
    s.inputs = (int32_t)rd32(src + 12);
    s.outputs = (int32_t)rd32(src + 16);
    s.layers = (int32_t)layers;
    for (uint32_t l = 0; l < layers; l++) s.hidden[l] = (int32_t)rd32(src + 24 + 4 * l);
    size_t count = 0;
    if (v2g_nn_param_count(&s, &count) != V2G_OK || count > 4096) return NULL;
    uint8_t *out = fz_calloc(hdr + 8 * count, 1);
    memcpy(out, src, hdr - 8);
    out[20] = (uint8_t)layers;
    out[21] = out[22] = out[23] = 0;
    for (int i = 0; i < 8; i++) out[hdr - 8 + i] = (uint8_t)((uint64_t)count >> (8 * i));
    const uint8_t *rest = src + (hdr - 8);
    size_t left = n - (hdr - 8);
    for (size_t k = 0; k < count; k++) {
        uint64_t bits = 0;
        for (int i = 0; i < 8; i++) bits |= (uint64_t)(left ? rest[(8 * k + (size_t)i) % left] : 0) << (8 * i);
        if ((bits & ~((uint64_t)1 << 63)) >= 0x7FF0000000000000u) bits = 0x3FE0000000000000u; /* 0.5 */
        for (int i = 0; i < 8; i++) out[hdr + 8 * k + (size_t)i] = (uint8_t)(bits >> (8 * i));
    }
    *out_n = hdr + 8 * count;
    return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    const uint8_t ctrl = data[0];
    /* An exact copy, so ASan sees any read past the model's end. */
    size_t n = size - 1;
    uint8_t *in = NULL;
    if (ctrl & 0x80) in = repair(data + 1, n, &n);
    if (!in) {
        n = size - 1;
        in = fz_calloc(n, 1);
        if (n) memcpy(in, data + 1, n);
    }

    v2g_nn_shape want_shape;
    size_t want_count = 0, header = 0;
    const int valid = parse(in, n, &want_shape, &want_count, &header);

    v2g_nn_shape shape;
    memset(&shape, 0xCD, sizeof shape);
    size_t count = (size_t)-1;
    double *params = NULL;
    v2g_status st;
    if (ctrl & 4) {
        /* Ask with no room first. */
        st = v2g_nn_deserialize(in, n, &shape, NULL, 0, &count);
        if (valid) {
            FZ_CHECK_MSG(st == V2G_E_OVERFLOW, "no capacity: status %d", st);
            FZ_CHECK(count == want_count);
        } else {
            FZ_CHECK_MSG(st == V2G_E_INVALID, "bad model with no capacity: status %d", st);
        }
        if (st == V2G_E_OVERFLOW) {
            params = fz_calloc(count, sizeof *params);
            st = v2g_nn_deserialize(in, n, &shape, params, count, &count);
        }
    } else {
        size_t cap = n / 8 + 1;
        params = fz_calloc(cap, sizeof *params);
        st = v2g_nn_deserialize(in, n, &shape, params, cap, &count);
    }
    FZ_NOTE("v2g_nn_deserialize", st);
    FZ_CHECK_MSG(st == (valid ? V2G_OK : V2G_E_INVALID), "deserialize: status %d, model %s", st, valid ? "valid" : "invalid");
    if (st != V2G_OK) {
        free(params);
        free(in);
        return 0;
    }
    FZ_CHECK(count == want_count);
    FZ_CHECK(memcmp(&shape, &want_shape, sizeof shape) == 0);
    for (size_t k = 0; k < count; k++) {
        uint64_t bits;
        memcpy(&bits, params + k, sizeof bits);
        FZ_CHECK(bits == rd64(in + header + 8 * k));
    }
    size_t pc = 0, ser = 0;
    FZ_CHECK(v2g_nn_param_count(&shape, &pc) == V2G_OK && pc == count);
    FZ_CHECK(v2g_nn_serialized_size(&shape, &ser) == V2G_OK && ser == n);
    uint8_t *again = fz_calloc(n, 1);
    FZ_CHECK(v2g_nn_serialize(&shape, params, count, again, n) == V2G_OK);
    FZ_CHECK_MSG(memcmp(again, in, n) == 0, "serialize(deserialize(x)) != x");
    if (n > 0) FZ_CHECK(v2g_nn_serialize(&shape, params, count, again, n - 1) == V2G_E_OVERFLOW);
    free(again);

    /* Forward. */
    const int32_t steps = shape.kind == V2G_NN_LSTM ? 1 + (ctrl & 3) : 1;
    size_t need = 0;
    FZ_CHECK(v2g_nn_workspace_size(&shape, steps, &need) == V2G_OK && need > 0);
    if (need <= FZ_MAX_WORKSPACE) {
        const size_t nx = (size_t)steps * (size_t)shape.inputs, k = (size_t)shape.outputs;
        double *x = fz_calloc(nx, sizeof *x), *y = fz_calloc(k, sizeof *y), *y2 = fz_calloc(k, sizeof *y2);
        for (size_t j = 0; j < nx; j++)
            x[j] = (ctrl & 8) ? ((j & 1) ? -1e300 : 1e300) : (double)((int)((j * 37 + ctrl) % 17) - 8) * 0.25;
        fz_buf ws = fz_alloc(need, ctrl >> 4, 0x00);
        FZ_CHECK(v2g_nn_forward(&shape, params, count, x, steps, y, ws.ptr, need) == V2G_OK);
        memset(ws.base, 0xF7, need + ((ctrl >> 4) & 63u) + 1);
        FZ_CHECK(v2g_nn_forward(&shape, params, count, x, steps, y2, ws.ptr, need) == V2G_OK);
        FZ_CHECK_MSG(memcmp(y, y2, k * sizeof *y) == 0, "forward is not bit-identical on a second run");
        FZ_CHECK(v2g_nn_forward(&shape, params, count, x, steps, y2, ws.ptr, need - 1) == V2G_E_WORKSPACE);

        /* Gradient at target 0. */
        double *target = fz_calloc(k, sizeof *target), *grad = fz_calloc(count, sizeof *grad);
        double loss = -1;
        FZ_CHECK(v2g_nn_gradient(&shape, params, count, x, steps, target, &loss, y2, grad, ws.ptr, need) == V2G_OK);
        FZ_CHECK_MSG(memcmp(y, y2, k * sizeof *y) == 0, "gradient's prediction differs from forward's");
        double sum = 0;
        for (size_t j = 0; j < k; j++) sum += y[j] * y[j];
        sum /= (double)k;
        FZ_CHECK_MSG(loss == sum || (isnan(loss) && isnan(sum)) || fabs(loss - sum) <= 1e-12 * fabs(sum),
                     "loss %.17g, mean squared error %.17g", loss, sum);

        /* One Adam step and the average of the two models. */
        int finite = 1;
        for (size_t j = 0; j < count; j++) finite &= isfinite(grad[j]) != 0;
        double *p2 = fz_calloc(count, sizeof *p2), *m = fz_calloc(count, sizeof *m), *v = fz_calloc(count, sizeof *v);
        memcpy(p2, params, count * sizeof *p2);
        v2g_adam adam = {1e-3, 0.9, 0.999, 1e-8, 0};
        v2g_status sa = v2g_adam_update(&adam, p2, grad, m, v, count);
        FZ_CHECK_MSG(sa == (finite ? V2G_OK : V2G_E_NAN), "adam: status %d, gradient %s", sa, finite ? "finite" : "not finite");
        FZ_CHECK(adam.step == (sa == V2G_OK ? 1 : 0));
        const double *models[2] = {params, p2};
        const double weights[2] = {1.0 + (ctrl & 3), 2.0};
        double *avg = fz_calloc(count, sizeof *avg);
        FZ_CHECK(v2g_nn_average(models, weights, 2, count, avg) == V2G_OK);
        const double *same[2] = {params, params};
        FZ_CHECK(v2g_nn_average(same, weights, 2, count, avg) == V2G_OK);
        for (size_t j = 0; j < count; j++)
            FZ_CHECK_MSG(avg[j] == params[j], "the average of identical models differs at %zu: %.17g, %.17g", j, avg[j],
                         params[j]);
        /* v2g_nn_init on the same shape: Glorot weights within +-sqrt(6 / (fan_in + fan_out)) <= sqrt(3), biases
         * 0 or (LSTM forget gate) 1; the model it draws runs forward too. */
        FZ_CHECK(v2g_nn_init(&shape, (uint64_t)ctrl * 0x9E3779B97F4A7C15u, p2, count) == V2G_OK);
        for (size_t j = 0; j < count; j++) FZ_CHECK_MSG(isfinite(p2[j]) && fabs(p2[j]) <= 1.7320508075688772, "init[%zu] = %g", j, p2[j]);
        FZ_CHECK(v2g_nn_init(&shape, 1, p2, count + 1) == V2G_E_INVALID);
        FZ_CHECK(v2g_nn_forward(&shape, p2, count, x, steps, y2, ws.ptr, need) == V2G_OK);
        free(p2);
        free(m);
        free(v);
        free(avg);
        free(target);
        free(grad);
        fz_free(&ws);
        free(x);
        free(y);
        free(y2);
    }
    free(params);
    free(in);
    return 0;
}
