/*
 * radix.h - stable LSD radix sort on up to three 64-bit keys.
 *
 * Internal to CV2G. Orders records ascending by (key[2], key[1], key[0]),
 * keeping input order among equal keys, in O(n) per byte that varies: one
 * read builds every byte's histogram, and a byte that is the same in every
 * record costs no pass. Callers encode their order into unsigned keys
 * (flip the sign bit of a signed key, complement a key to sort it descending).
 */
#ifndef V2G_RADIX_H
#define V2G_RADIX_H

#include <stddef.h>
#include <stdint.h>

#define V2G_RADIX_KEYS 3

typedef struct v2g_radix_rec {
    uint64_t key[V2G_RADIX_KEYS];  /* key[0] least significant */
    uint32_t item;                 /* the caller's index */
    uint32_t reserved;
} v2g_radix_rec;

/* Signed keys sort as unsigned once the sign bit is flipped. */
static inline uint64_t v2g_radix_signed(int64_t x) { return (uint64_t)x ^ ((uint64_t)1 << 63); }

/* Sorts by key[0 .. keys-1]; returns whichever of `a` and `tmp` holds the result. */
static inline v2g_radix_rec *v2g_radix_sort(v2g_radix_rec *a, v2g_radix_rec *tmp, size_t n, int keys) {
    enum { BYTES = 8 * V2G_RADIX_KEYS };
    uint32_t counts[BYTES][256];
    if (n < 2) return a;
    for (int b = 0; b < 8 * keys; b++)
        for (int v = 0; v < 256; v++) counts[b][v] = 0;
    for (size_t i = 0; i < n; i++)
        for (int k = 0; k < keys; k++) {
            uint64_t x = a[i].key[k];
            for (int byte = 0; byte < 8; byte++) counts[8 * k + byte][(x >> (8 * byte)) & 0xFF]++;
        }
    for (int b = 0; b < 8 * keys; b++) {
        int k = b / 8, shift = 8 * (b % 8);
        if (counts[b][(a[0].key[k] >> shift) & 0xFF] == n) continue; /* this byte never varies */
        uint32_t sum = 0;
        for (int v = 0; v < 256; v++) { uint32_t c = counts[b][v]; counts[b][v] = sum; sum += c; }
        for (size_t i = 0; i < n; i++) tmp[counts[b][(a[i].key[k] >> shift) & 0xFF]++] = a[i];
        v2g_radix_rec *swap = a; a = tmp; tmp = swap;
    }
    return a;
}

#endif /* V2G_RADIX_H */
