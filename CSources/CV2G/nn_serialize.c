/*
 * nn_serialize.c - the byte format of a model (v2g_nn.h), little-endian on every platform:
 *   "V2GNN001" | u32 kind | u32 inputs | u32 outputs | u32 layers | u32 hidden[layers] | u64 count | f64 params[count]
 */
#include "nn_internal.h"

static const uint8_t nn_tag[8] = {'V', '2', 'G', 'N', 'N', '0', '0', '1'};
#define NN_FIXED 24u /* tag and the four u32 before hidden[] */

static void put_u32(uint8_t *p, uint32_t v) {
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static void put_u64(uint8_t *p, uint64_t v) {
    for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get_u32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get_u64(const uint8_t *p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = v << 8 | p[i];
    return v;
}

/* Header bytes (through the u64 count) and total bytes of a model with `layers` layers and `count` parameters. */
static int nn_sizes(int32_t layers, size_t count, size_t *header, size_t *total) {
    *header = NN_FIXED + 4u * (size_t)layers + 8u;
    size_t body;
    return nn_mul(count, 8, &body) && nn_add(*header, body, total);
}

v2g_status v2g_nn_serialized_size(const v2g_nn_shape *shape, size_t *bytes) {
    if (!shape || !bytes) return V2G_E_NULL;
    size_t count = 0, header, total;
    v2g_status st = v2g_nn_shape_count(shape, &count);
    if (st != V2G_OK) return st;
    if (!nn_sizes(shape->layers, count, &header, &total)) return V2G_E_OVERFLOW;
    *bytes = total;
    return V2G_OK;
}

v2g_status v2g_nn_serialize(const v2g_nn_shape *shape, const double *params, size_t count, uint8_t *out,
                            size_t out_size) {
    if (!shape || !params || !out) return V2G_E_NULL;
    size_t want = 0, header, total;
    v2g_status st = v2g_nn_shape_count(shape, &want);
    if (st != V2G_OK) return st;
    if (count != want) return V2G_E_INVALID;
    if (!nn_sizes(shape->layers, count, &header, &total)) return V2G_E_OVERFLOW;
    if (nn_any_nonfinite(params, count)) return V2G_E_NAN;
    if (out_size < total) return V2G_E_OVERFLOW;

    memcpy(out, nn_tag, sizeof nn_tag);
    put_u32(out + 8, (uint32_t)shape->kind);
    put_u32(out + 12, (uint32_t)shape->inputs);
    put_u32(out + 16, (uint32_t)shape->outputs);
    put_u32(out + 20, (uint32_t)shape->layers);
    for (int32_t l = 0; l < shape->layers; l++) put_u32(out + NN_FIXED + 4 * (size_t)l, (uint32_t)shape->hidden[l]);
    put_u64(out + header - 8, (uint64_t)count);
    uint8_t *p = out + header;
    for (size_t k = 0; k < count; k++, p += 8) {
        uint64_t bits;
        memcpy(&bits, params + k, sizeof bits);
        put_u64(p, bits);
    }
    return V2G_OK;
}

v2g_status v2g_nn_deserialize(const uint8_t *in, size_t in_size, v2g_nn_shape *shape, double *params,
                              size_t capacity, size_t *count) {
    if (!in || !shape || !count || (!params && capacity > 0)) return V2G_E_NULL;
    if (in_size < NN_FIXED || memcmp(in, nn_tag, sizeof nn_tag) != 0) return V2G_E_INVALID;
    const uint32_t kind = get_u32(in + 8), inputs = get_u32(in + 12), outputs = get_u32(in + 16);
    const uint32_t layers = get_u32(in + 20);
    if (kind > INT32_MAX || inputs > INT32_MAX || outputs > INT32_MAX || layers > V2G_NN_MAX_LAYERS)
        return V2G_E_INVALID;
    v2g_nn_shape s;
    memset(&s, 0, sizeof s);
    s.kind = (int32_t)kind;
    s.inputs = (int32_t)inputs;
    s.outputs = (int32_t)outputs;
    s.layers = (int32_t)layers;
    if (in_size < NN_FIXED + 4u * (size_t)layers) return V2G_E_INVALID;
    for (uint32_t l = 0; l < layers; l++) {
        const uint32_t h = get_u32(in + NN_FIXED + 4 * (size_t)l);
        if (h > INT32_MAX) return V2G_E_INVALID;
        s.hidden[l] = (int32_t)h;
    }
    size_t want = 0, header, total;
    if (v2g_nn_shape_count(&s, &want) != V2G_OK) return V2G_E_INVALID;
    if (!nn_sizes(s.layers, want, &header, &total)) return V2G_E_INVALID;
    if (in_size < header || get_u64(in + header - 8) != (uint64_t)want || in_size != total) return V2G_E_INVALID;

    /* Parameters must be finite: check the bytes before anything is written. */
    const uint64_t inf_bits = 0x7FF0000000000000u, magnitude = ~((uint64_t)1 << 63);
    uint64_t bad = 0;
    for (size_t k = 0; k < want; k++) bad |= (uint64_t)((get_u64(in + header + 8 * k) & magnitude) >= inf_bits);
    if (bad) return V2G_E_INVALID;

    *shape = s;
    *count = want;
    if (want > capacity) return V2G_E_OVERFLOW;
    for (size_t k = 0; k < want; k++) {
        const uint64_t bits = get_u64(in + header + 8 * k);
        memcpy(params + k, &bits, sizeof bits);
    }
    return V2G_OK;
}
