/*
 * id.h - fast ordering of byte-string IDs.
 *
 * Internal to CV2G. Sorting 10^5 requests by ID compares millions of times;
 * a 64-bit big-endian prefix key settles almost every comparison without
 * touching the ID bytes, and the full comparison runs only on equal prefixes.
 */
#ifndef V2G_ID_H
#define V2G_ID_H

#include <string.h>
#include "v2g/v2g_types.h"

/* Big-endian first 8 bytes, zero-padded: orders like the bytes whenever the keys differ. */
static inline uint64_t v2g_id_prefix(v2g_id id) {
    uint64_t key = 0;
    size_t n = id.length < 8 ? id.length : 8;
    for (size_t i = 0; i < n; i++) key |= (uint64_t)id.bytes[i] << (56 - 8 * i);
    return key;
}

static inline int v2g_id_cmp_full(v2g_id a, v2g_id b) {
    size_t n = a.length < b.length ? a.length : b.length;
    int c = n ? memcmp(a.bytes, b.bytes, n) : 0;
    if (c != 0) return c < 0 ? -1 : 1;
    if (a.length != b.length) return a.length < b.length ? -1 : 1;
    return 0;
}

/* Compares two IDs whose prefix keys and lengths are known; reads the bytes only when both exceed 8 and the keys tie. */
static inline int v2g_id_cmp_keyed(uint64_t key_a, size_t len_a, const v2g_id *a,
                                   uint64_t key_b, size_t len_b, const v2g_id *b) {
    if (key_a != key_b) return key_a < key_b ? -1 : 1;
    if (len_a <= 8 || len_b <= 8) return len_a == len_b ? 0 : (len_a < len_b ? -1 : 1);
    return v2g_id_cmp_full(*a, *b);
}

/* 1 if the ID is well formed (bytes non-NULL unless empty). */
static inline int v2g_id_valid(v2g_id id) { return id.bytes != NULL || id.length == 0; }

#endif /* V2G_ID_H */
