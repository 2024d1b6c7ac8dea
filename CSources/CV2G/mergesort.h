/*
 * mergesort.h - a stable bottom-up merge sort, instantiated per record type.
 *
 * Internal to CV2G. glibc's qsort may allocate and is not stable, and ties
 * must never be broken by memory order, so every sort here is this one with
 * a comparator that inlines: V2G_DEFINE_MERGESORT(name, type, ctx_type, less)
 * defines `static void name(type *a, type *tmp, size_t n, const ctx_type *ctx)`
 * where `less(ctx, &x, &y)` is a strict weak order. Results land in `a`.
 */
#ifndef V2G_MERGESORT_H
#define V2G_MERGESORT_H

#include <stddef.h>
#include <string.h>

#define V2G_MERGESORT_RUN 16

#define V2G_DEFINE_MERGESORT(name, type, ctx_type, less)                                   \
    static void name(type *a, type *tmp, size_t n, const ctx_type *ctx) {                  \
        (void)ctx;                                                                         \
        for (size_t lo = 0; lo < n; lo += V2G_MERGESORT_RUN) {                             \
            size_t hi = lo + V2G_MERGESORT_RUN < n ? lo + V2G_MERGESORT_RUN : n;           \
            for (size_t i = lo + 1; i < hi; i++) {                                         \
                type x = a[i];                                                             \
                size_t j = i;                                                              \
                while (j > lo && less(ctx, &x, &a[j - 1])) { a[j] = a[j - 1]; j--; }       \
                a[j] = x;                                                                  \
            }                                                                              \
        }                                                                                  \
        type *src = a, *dst = tmp;                                                         \
        for (size_t width = V2G_MERGESORT_RUN; width < n; width *= 2) {                    \
            for (size_t lo = 0; lo < n; lo += 2 * width) {                                 \
                size_t mid = lo + width < n ? lo + width : n;                              \
                size_t hi = lo + 2 * width < n ? lo + 2 * width : n;                       \
                size_t i = lo, j = mid, k = lo;                                            \
                if (mid == hi || !less(ctx, &src[mid], &src[mid - 1])) {                   \
                    memcpy(dst + lo, src + lo, (hi - lo) * sizeof(type));                  \
                    continue;                                                              \
                }                                                                          \
                while (i < mid && j < hi) dst[k++] = less(ctx, &src[j], &src[i]) ? src[j++] : src[i++]; \
                while (i < mid) dst[k++] = src[i++];                                       \
                while (j < hi) dst[k++] = src[j++];                                        \
            }                                                                              \
            type *swap = src; src = dst; dst = swap;                                       \
        }                                                                                  \
        if (src != a) memcpy(a, src, n * sizeof(type));                                    \
    }

#endif /* V2G_MERGESORT_H */
