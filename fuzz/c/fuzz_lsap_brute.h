/*
 * fuzz_lsap_brute.h - the plain references the LSAP harnesses compare the solvers with: whether a complete
 * assignment exists along allowed pairs (Kuhn's augmenting paths), and the optimal total by dynamic
 * programming over subsets of the larger side. The including file defines MAXN (the largest side), DP_MAX
 * (the largest side the DP takes) and the type i128.
 */
#ifndef V2G_FUZZ_LSAP_BRUTE_H
#define V2G_FUZZ_LSAP_BRUTE_H

#include <stdint.h>
#include <string.h>

static int kuhn_try(size_t a, size_t nb, const unsigned char *ok, size_t stride, int tr, int64_t *match_b,
                    unsigned char *seen) {
    for (size_t b = 0; b < nb; b++) {
        int allowed = tr ? ok[b * stride + a] : ok[a * stride + b];
        if (!allowed || seen[b]) continue;
        seen[b] = 1;
        if (match_b[b] < 0 || kuhn_try((size_t)match_b[b], nb, ok, stride, tr, match_b, seen)) {
            match_b[b] = (int64_t)a;
            return 1;
        }
    }
    return 0;
}

/* 1 if every row (rows <= cols) or every column (rows > cols) can be matched along allowed pairs. */
static int feasible(size_t rows, size_t cols, const unsigned char *ok) {
    int tr = rows > cols;
    size_t na = tr ? cols : rows, nb = tr ? rows : cols;
    int64_t match_b[MAXN];
    unsigned char seen[MAXN];
    for (size_t b = 0; b < nb; b++) match_b[b] = -1;
    for (size_t a = 0; a < na; a++) {
        memset(seen, 0, sizeof seen);
        if (!kuhn_try(a, nb, ok, cols, tr, match_b, seen)) return 0;
    }
    return 1;
}

/* Optimal total over complete assignments by DP over subsets of the larger side (<= DP_MAX). */
#define DEFINE_DP(NAME, T, ACC)                                                                   \
    static int NAME(size_t rows, size_t cols, const T *c, const unsigned char *ok, int mx, ACC *best) { \
        int tr = rows > cols;                                                                     \
        size_t ns = tr ? cols : rows, nb = tr ? rows : cols;                                      \
        static ACC dp[1 << DP_MAX];                                                               \
        static unsigned char has[1 << DP_MAX];                                                    \
        memset(has, 0, (size_t)1 << nb);                                                          \
        has[0] = 1;                                                                               \
        dp[0] = 0;                                                                                \
        int found = 0;                                                                            \
        for (size_t mask = 0; mask < ((size_t)1 << nb); mask++) {                                 \
            if (!has[mask]) continue;                                                             \
            size_t k = (size_t)__builtin_popcountll(mask);                                        \
            if (k == ns) {                                                                        \
                if (!found || (mx ? dp[mask] > *best : dp[mask] < *best)) *best = dp[mask];       \
                found = 1;                                                                        \
                continue;                                                                         \
            }                                                                                     \
            for (size_t b = 0; b < nb; b++) {                                                     \
                if (mask & ((size_t)1 << b)) continue;                                            \
                size_t idx = tr ? b * cols + k : k * cols + b;                                    \
                if (!ok[idx]) continue;                                                           \
                size_t nm = mask | ((size_t)1 << b);                                              \
                ACC val = dp[mask] + (ACC)c[idx];                                                 \
                if (!has[nm] || (mx ? val > dp[nm] : val < dp[nm])) dp[nm] = val;                 \
                has[nm] = 1;                                                                      \
            }                                                                                     \
        }                                                                                         \
        return found;                                                                             \
    }
DEFINE_DP(dp_best_i64, int64_t, i128)
DEFINE_DP(dp_best_f64, double, double)

#endif
