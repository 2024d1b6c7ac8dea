/*
 * fuzz_input.h - a tiny byte reader shared by the libFuzzer harnesses in fuzz/c/.
 *
 * Every harness reads its problem from the fuzzer's bytes through these calls.
 * Reading past the end yields zeros, so every input is a valid problem.
 * fuzz/make_seeds.py encodes seeds with the same rules; keep the two in step.
 *
 * fz_i64: one tag byte, then:
 *   0x00..0x7F  the value tag (0..127)
 *   0x80..0x9F  -(tag - 0x7F)               (-1..-32)
 *   0xA0..0xBF  u16 little-endian           (0..65535)
 *   0xC0..0xCF  u32 little-endian           (0..2^32-1)
 *   0xD0..0xDF  i64 little-endian           (anything)
 *   0xE0..0xFF  FZ_I64_SPECIAL[tag - 0xE0]  (extremes and limits of the ABI)
 * fz_f64: one tag byte, then:
 *   0x00..0x7F  the value tag; 0x80..0x9F -(tag - 0x7F);
 *   0xA0..0xBF  i16 little-endian / 16      (fractions)
 *   0xC0..0xDF  f64 little-endian bits      (anything, NaN payloads included)
 *   0xE0..0xFF  FZ_F64_SPECIAL[tag - 0xE0]
 * fz_ppm (int32 ratios): one tag byte, then:
 *   0..100      tag * 10000 (0 .. 10^6);  101..200  i32 little-endian;
 *   201..255    FZ_PPM_SPECIAL[(tag - 201) % 16]
 * fz_id: one tag byte, then:
 *   0x00..0xBF  length tag % 13, that many bytes from the input (fewer if it ends)
 *   0xC0..0xEF  FZ_ID_TABLE[tag & 7] (shared prefixes, IDs over 8 bytes, NUL bytes)
 *   0xF0..0xFF  bytes NULL, length tag & 15 (valid only with length 0)
 */
#ifndef V2G_FUZZ_INPUT_H
#define V2G_FUZZ_INPUT_H

#include <float.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "v2g/v2g.h"

typedef struct fz {
    const uint8_t *p;
    size_t n;
} fz;

static inline fz fz_init(const uint8_t *data, size_t size) {
    fz r = {data, size};
    return r;
}

static inline uint8_t fz_u8(fz *r) {
    if (r->n == 0) return 0;
    r->n--;
    return *r->p++;
}

/* `bytes` bytes little-endian; missing bytes read as 0. */
static inline uint64_t fz_le(fz *r, int bytes) {
    uint64_t v = 0;
    for (int i = 0; i < bytes; i++) v |= (uint64_t)fz_u8(r) << (8 * i);
    return v;
}

/* A count in [0, max]. */
static inline size_t fz_count(fz *r, size_t max) { return (size_t)(fz_u8(r) % (max + 1)); }

static const int64_t FZ_I64_SPECIAL[32] = {
    INT64_MIN, INT64_MAX, INT64_MIN + 1, INT64_MAX - 1,
    (int64_t)1 << 62, -((int64_t)1 << 62), (int64_t)1 << 55, -((int64_t)1 << 55),
    (int64_t)1 << 31, ((int64_t)1 << 31) + 1, (int64_t)1 << 24, ((int64_t)1 << 24) + 1,
    (int64_t)1 << 26, ((int64_t)1 << 26) + 1, 1000000, 1000001,
    3600, 1000, (int64_t)UINT32_MAX, (int64_t)1 << 32,
    INT64_MAX / 1000, -1000, (int64_t)1 << 53, ((int64_t)1 << 53) + 1,
    INT64_MAX / 3600, ((int64_t)1 << 55) / 3, -(((int64_t)1 << 55) / 3), INT32_MAX,
    INT32_MIN, ((int64_t)1 << 62) + 1, 10000, -(INT64_MAX / 2),
};

static inline int64_t fz_i64(fz *r) {
    uint8_t t = fz_u8(r);
    if (t < 0x80) return t;
    if (t < 0xA0) return -(int64_t)(t - 0x7F);
    if (t < 0xC0) return (int64_t)fz_le(r, 2);
    if (t < 0xD0) return (int64_t)fz_le(r, 4);
    if (t < 0xE0) return (int64_t)fz_le(r, 8);
    return FZ_I64_SPECIAL[t - 0xE0];
}

static inline double fz_f64_special(int k) {
    switch (k) {
    case 0: return NAN;
    case 1: return INFINITY;
    case 2: return -INFINITY;
    case 3: return -0.0;
    case 4: return DBL_MAX;
    case 5: return -DBL_MAX;
    case 6: return DBL_MIN;
    case 7: return 4.9406564584124654e-324; /* smallest subnormal */
    case 8: return 0x1p1000;
    case 9: return -0x1p1000;
    case 10: return 0x1p1000 / 3.0;
    case 11: return -0x1p1000 / 3.0;
    case 12: return 0x1p1000 / 129.0;
    case 13: return 1e300;
    case 14: return -1e300;
    case 15: return 0.5;
    case 16: return -0.5;
    case 17: return 0.1;
    case 18: return 1e-300;
    case 19: return 0x1p53;
    case 20: return 0x1p53 + 2.0;
    case 21: return 0x1p52 + 0.5;
    case 22: return 1e15;
    case 23: return -1e15;
    case 24: return 1.0 / 3.0;
    case 25: return 2.0 / 3.0;
    case 26: return 1e-9;
    case 27: return 1e9;
    case 28: return -NAN;
    case 29: return 0x1p999;
    case 30: return 1e100;
    default: return 3.0;
    }
}

static inline double fz_f64(fz *r) {
    uint8_t t = fz_u8(r);
    if (t < 0x80) return (double)t;
    if (t < 0xA0) return -(double)(t - 0x7F);
    if (t < 0xC0) return (double)(int16_t)(uint16_t)fz_le(r, 2) / 16.0;
    if (t < 0xE0) {
        uint64_t bits = fz_le(r, 8);
        double d;
        memcpy(&d, &bits, sizeof d);
        return d;
    }
    return fz_f64_special(t - 0xE0);
}

static const int32_t FZ_PPM_SPECIAL[16] = {
    0, 1, 999999, 1000000, 1000001, -1, INT32_MIN, INT32_MAX,
    500000, 333333, 999, 100000, 2, 499999, 750000, 1000,
};

static inline int32_t fz_ppm(fz *r) {
    uint8_t t = fz_u8(r);
    if (t <= 100) return (int32_t)t * 10000;
    if (t <= 200) return (int32_t)(uint32_t)fz_le(r, 4);
    return FZ_PPM_SPECIAL[(t - 201) % 16];
}

static const struct { const char *s; size_t n; } FZ_ID_TABLE[8] = {
    {"", 0}, {"a", 1}, {"a\0", 2}, {"ab", 2},
    {"abcdefgh", 8}, {"abcdefgh\0", 9}, {"abcdefghi", 9}, {"abcdefghj", 9},
};

/* An ID whose bytes point into the input (so ASan sees any over-read) or into a static table. */
static inline v2g_id fz_id(fz *r) {
    uint8_t t = fz_u8(r);
    v2g_id id;
    if (t >= 0xF0) {
        id.bytes = NULL;
        id.length = t & 15u;
    } else if (t >= 0xC0) {
        id.bytes = (const uint8_t *)FZ_ID_TABLE[t & 7].s;
        id.length = FZ_ID_TABLE[t & 7].n;
    } else {
        size_t len = t % 13u;
        if (len > r->n) len = r->n;
        id.bytes = len ? r->p : NULL;
        if (len == 0 && (t & 0x40)) id.bytes = r->p; /* an empty ID with a non-NULL pointer */
        id.length = len;
        r->p += len;
        r->n -= len;
    }
    return id;
}

/* ---------------------------------------------------------------- harness helpers */

/* Workspaces larger than this are not allocated: the call is made with none. */
#define FZ_MAX_WORKSPACE ((size_t)64 << 20)

/* A fatal invariant failure: print where and why, then abort so libFuzzer saves the input. */
#define FZ_CHECK(cond)                                                                           \
    do {                                                                                         \
        if (!(cond)) {                                                                           \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond);         \
            abort();                                                                             \
        }                                                                                        \
    } while (0)

#define FZ_CHECK_MSG(cond, ...)                                                                  \
    do {                                                                                         \
        if (!(cond)) {                                                                           \
            fprintf(stderr, "%s:%d: invariant failed: %s: ", __FILE__, __LINE__, #cond);         \
            fprintf(stderr, __VA_ARGS__);                                                        \
            fputc('\n', stderr);                                                                 \
            abort();                                                                             \
        }                                                                                        \
    } while (0)

/* With -DFUZZ_VERBOSE every harness reports its main statuses (to see which paths a seed reaches). */
#ifdef FUZZ_VERBOSE
#define FZ_NOTE(what, st) fprintf(stderr, "  %s: status %d (%s)\n", what, (int)(st), v2g_strerror(st))
#else
#define FZ_NOTE(what, st) ((void)0)
#endif

/* A bit set of statuses. */
typedef uint32_t fz_status_set;
#define FZ_BIT(st) ((fz_status_set)1u << (st))

/* An exactly-sized allocation (so ASan flags any overrun) at a chosen misalignment. */
typedef struct fz_buf {
    unsigned char *base;
    void *ptr;
    size_t size;
} fz_buf;

static inline fz_buf fz_alloc(size_t size, unsigned offset, unsigned char fill) {
    fz_buf b = {NULL, NULL, size};
    offset &= 63u;
    b.base = malloc(size + offset + 1);
    if (!b.base) abort();
    memset(b.base, fill, size + offset + 1);
    b.ptr = b.base + offset;
    return b;
}

static inline void fz_free(fz_buf *b) {
    free(b->base);
    b->base = NULL;
    b->ptr = NULL;
}

/* Exactly n zeroed elements (n == 0 gives a zero-sized block that ASan guards). */
static inline void *fz_calloc(size_t n, size_t elem) {
    void *p = calloc(n, elem);
    if (!p && n) abort();
    if (!p) p = malloc(1);
    if (!p) abort();
    return p;
}

static inline int fz_id_cmp(v2g_id a, v2g_id b) {
    size_t n = a.length < b.length ? a.length : b.length;
    int c = n ? memcmp(a.bytes, b.bytes, n) : 0;
    if (c != 0) return c < 0 ? -1 : 1;
    if (a.length != b.length) return a.length < b.length ? -1 : 1;
    return 0;
}

static inline int fz_id_valid(v2g_id id) { return id.bytes != NULL || id.length == 0; }

#endif /* V2G_FUZZ_INPUT_H */
