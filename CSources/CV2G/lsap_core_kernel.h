/*
 * lsap_core_kernel.h - a dense LSAP solved on a sparse core, instantiated per cost type.
 *
 * Internal to CV2G; included by lsap_core.c with LSAP_T, LSAP_SUF, LSAP_FORBID (the stored forbidden value),
 * LSAP_FAR (what a forbidden pair reads as: above every allowed reduced cost, safe to subtract a potential
 * from) and LSAP_SOLVE_SPARSE (the sparse solver of that type). The matrix is m x n, m <= n, row-major.
 *
 * The core holds each row's LSAP_CORE_K cheapest entries and each column's cheapest one. The sparse solver
 * gives an assignment x and column potentials v with every row at a minimum of c - v over its core entries.
 * One pass over the whole matrix then looks for entries below their row's minimum: none means every row is at a
 * minimum of c - v over all its entries, which is the dense solver's own optimality condition (the certificate
 * u_i = c(i, x_i) - v(x_i) holds on every pair). Otherwise those entries join the core and it is solved again.
 * Returns 1 with x and v set, or 0 if the core route gave up (no full matching inside the core, or the core
 * outgrew its room): the caller then runs the dense kernel, so the answer never depends on the route's luck.
 */

#define LSAP_CCAT2(a, b) a##_##b
#define LSAP_CCAT(a, b) LSAP_CCAT2(a, b)
#ifdef LSAP_CORE_WIDE
#define CFN(name) LSAP_CCAT(LSAP_CCAT(name, LSAP_SUF), avx2)
#else
#define CFN(name) LSAP_CCAT(name, LSAP_SUF)
#endif
#ifndef LSAP_CORE_BLOCK
#define LSAP_CORE_BLOCK ((size_t)32)
#endif

/* The entry as the minimisation sees it: negated when maximising, LSAP_FAR when forbidden. */
static inline LSAP_T CFN(lsap_core_load)(LSAP_T c, int neg) {
    if (c == LSAP_FORBID) return LSAP_FAR;
    return neg ? -c : c;
}

/* Four entries as lsap_core_load reads them, into out (macros: a 32-byte vector is not passed by value without
   AVX, as in lsap_kernel.h). The function using it declares forbid_v and far_v. */
#define LSAP_CORE_VLOAD(out, p, neg)                                              \
    do {                                                                          \
        LSAP_VT c_;                                                               \
        memcpy(&c_, (p), sizeof c_);                                              \
        (out) = LSAP_CORE_SEL(LSAP_VT, c_ == forbid_v, far_v, (neg) ? -c_ : c_);  \
    } while (0)
#define LSAP_CORE_VMIN(a) LSAP_CORE_MIN(LSAP_CORE_MIN((a)[0], (a)[1]), LSAP_CORE_MIN((a)[2], (a)[3]))
#define LSAP_CORE_MIN(x, y) ((x) < (y) ? (x) : (y))
#define LSAP_CORE_SPLAT(x) {(x), (x), (x), (x)}

/*
 * First pass: each row's K cheapest allowed entries go to rs_tmp/ci_tmp/cv_tmp at a stride of K (ties: the
 * lower column), each column's cheapest allowed entry to col_cost/col_row (ties: the lower row). Then the core
 * CSR: a row's own entries, then the columns whose cheapest entry it holds and it does not list yet.
 */
static void CFN(lsap_core_select)(size_t m, size_t n, const LSAP_T *c, int neg, lsap_core_ws *w) {
    const size_t K = LSAP_CORE_K;
#ifdef LSAP_CORE_WIDE
    const LSAP_VT forbid_v = LSAP_CORE_SPLAT(LSAP_FORBID), far_v = LSAP_CORE_SPLAT(LSAP_FAR);
#endif
    LSAP_T *col_cost = (LSAP_T *)w->col_cost, *cv_tmp = (LSAP_T *)w->cv_b;
    int64_t *ci_tmp = w->ci_b, *count = w->rs_b;
    for (size_t j = 0; j < n; j++) { col_cost[j] = LSAP_FAR; w->col_row[j] = -1; }
    for (size_t i = 0; i < m; i++) {
        const LSAP_T *row = c + i * n;
        LSAP_T *bc = cv_tmp + i * K;
        int64_t *bj = ci_tmp + i * K;
        size_t cnt = 0;
        LSAP_T worst = LSAP_FAR;   /* the K-th cheapest so far; LSAP_FAR while fewer than K */
        /* In blocks: the column minima and the block's minimum are branch free and vectorise; a block is
           looked at entry by entry only if it holds something below the K-th cheapest, which on a long row
           soon becomes rare. */
        for (size_t j0 = 0; j0 < n; j0 += LSAP_CORE_BLOCK) {
            const size_t j1 = j0 + LSAP_CORE_BLOCK < n ? j0 + LSAP_CORE_BLOCK : n;
            size_t j = j0;
#ifdef LSAP_CORE_WIDE
            LSAP_VT lowv = LSAP_CORE_SPLAT(LSAP_FAR);
            const lsap_cvi iv = {(int64_t)i, (int64_t)i, (int64_t)i, (int64_t)i};
            for (; j + 4 <= j1; j += 4) {
                LSAP_VT h, cc;
                LSAP_CORE_VLOAD(h, row + j, neg);
                lsap_cvi cr;
                memcpy(&cc, col_cost + j, sizeof cc);
                memcpy(&cr, w->col_row + j, sizeof cr);
                const lsap_cvi lt = h < cc;
                cc = LSAP_CORE_SEL(LSAP_VT, lt, h, cc);
                cr = (lt & iv) | (cr & ~lt);
                memcpy(col_cost + j, &cc, sizeof cc);
                memcpy(w->col_row + j, &cr, sizeof cr);
                lowv = LSAP_CORE_SEL(LSAP_VT, h < lowv, h, lowv);
            }
            LSAP_T low = LSAP_CORE_VMIN(lowv);
#else
            LSAP_T low = LSAP_FAR;
#endif
            for (; j < j1; j++) {
                const LSAP_T h = CFN(lsap_core_load)(row[j], neg);
                const int lt = h < col_cost[j];
                col_cost[j] = lt ? h : col_cost[j];
                w->col_row[j] = lt ? (int64_t)i : w->col_row[j];
                low = h < low ? h : low;
            }
            if (!(low < worst)) continue;
            for (j = j0; j < j1; j++) {
                const LSAP_T h = CFN(lsap_core_load)(row[j], neg);
                if (!(h < worst)) continue;
                size_t at = cnt < K ? cnt++ : K - 1;
                while (at > 0 && bc[at - 1] > h) { bc[at] = bc[at - 1]; bj[at] = bj[at - 1]; at--; }
                bc[at] = h;
                bj[at] = (int64_t)j;
                if (cnt == K) worst = bc[K - 1];
            }
        }
        count[i] = (int64_t)cnt;
    }
    /* Columns grouped by the row holding their cheapest entry: a linked list per row. */
    for (size_t i = 0; i < m; i++) w->head[i] = -1;
    for (size_t jj = n; jj-- > 0;) {
        const int64_t i = w->col_row[jj];
        if (i < 0) continue;
        w->next[jj] = w->head[i];
        w->head[i] = (int64_t)jj;
    }
    LSAP_T *cv = (LSAP_T *)w->cv_a;
    int64_t e = 0;
    w->rs_a[0] = 0;
    for (size_t i = 0; i < m; i++) {
        const int64_t own = e;
        for (int64_t t = 0; t < count[i]; t++) {
            w->ci_a[e] = ci_tmp[i * K + (size_t)t];
            cv[e++] = cv_tmp[i * K + (size_t)t];
        }
        for (int64_t j = w->head[i]; j >= 0; j = w->next[j]) {
            int listed = 0;
            for (int64_t t = own; t < e && !listed; t++) listed = w->ci_a[t] == j;
            if (listed) continue;
            w->ci_a[e] = j;
            cv[e++] = col_cost[j];
        }
        w->rs_a[i + 1] = e;
    }
}

/*
 * The check pass: row i's entries below c(i, x_i) - v(x_i) that the core lacks are appended to its copy of the
 * row in the other buffer. Returns the number added, or -1 if the core would outgrow its room.
 */
static int64_t CFN(lsap_core_check)(size_t m, size_t n, const LSAP_T *c, int neg, lsap_core_ws *w,
                                    const int64_t *x, const LSAP_T *v) {
#ifdef LSAP_CORE_WIDE
    const LSAP_VT forbid_v = LSAP_CORE_SPLAT(LSAP_FORBID), far_v = LSAP_CORE_SPLAT(LSAP_FAR);
#endif
    const int64_t *rs = w->rs_a, *ci = w->ci_a;
    const LSAP_T *cv = (const LSAP_T *)w->cv_a;
    LSAP_T *cv2 = (LSAP_T *)w->cv_b;
    int64_t added = 0, e = 0;
    w->rs_b[0] = 0;
    for (size_t i = 0; i < m; i++) {
        const LSAP_T *row = c + i * n;
        const LSAP_T hi = CFN(lsap_core_load)(row[x[i]], neg) - v[x[i]];
        size_t j = 0;
#ifdef LSAP_CORE_WIDE
        LSAP_VT lowv = LSAP_CORE_SPLAT(hi);
        for (; j + 4 <= n; j += 4) {
            LSAP_VT vj, h;
            memcpy(&vj, v + j, sizeof vj);
            LSAP_CORE_VLOAD(h, row + j, neg);
            h -= vj;
            lowv = LSAP_CORE_SEL(LSAP_VT, h < lowv, h, lowv);
        }
        LSAP_T low = LSAP_CORE_VMIN(lowv);
#else
        LSAP_T low = hi;
#endif
        for (; j < n; j++) {
            const LSAP_T h = CFN(lsap_core_load)(row[j], neg) - v[j];
            low = h < low ? h : low;
        }
        if ((size_t)(e + (rs[i + 1] - rs[i])) > w->cap) return -1;
        const int64_t own = e;
        for (int64_t t = rs[i]; t < rs[i + 1]; t++) { w->ci_b[e] = ci[t]; cv2[e++] = cv[t]; }
        if (!(low < hi)) { w->rs_b[i + 1] = e; continue; }
        for (j = 0; j < n; j++) {
            const LSAP_T h = CFN(lsap_core_load)(row[j], neg);
            if (!(h - v[j] < hi) || row[j] == LSAP_FORBID) continue;
            int listed = 0;
            for (int64_t t = own; t < e && !listed; t++) listed = w->ci_b[t] == (int64_t)j;
            if (listed) continue;   /* a core entry: below only by rounding (doubles), which a new solve keeps */
            if ((size_t)e >= w->cap) return -1;
            w->ci_b[e] = (int64_t)j;
            cv2[e++] = h;
            added++;
        }
        w->rs_b[i + 1] = e;
    }
    return added;
}

static int CFN(lsap_core_solve)(size_t m, size_t n, const LSAP_T *c, int neg, lsap_core_ws *w, int64_t *x,
                                LSAP_T *v) {
    CFN(lsap_core_select)(m, n, c, neg, w);
    for (;;) {
        LSAP_T total = 0;
        const v2g_status st = LSAP_SOLVE_SPARSE(m, n, w->rs_a, w->ci_a, (const LSAP_T *)w->cv_a, 0, x, &total,
                                                NULL, v, w->sparse, w->sparse_size);
        if (st != V2G_OK) return 0;
        const int64_t added = CFN(lsap_core_check)(m, n, c, neg, w, x, v);
        if (added < 0) return 0;
        if (added == 0) return 1;
        lsap_core_swap(w);
    }
}

#undef CFN
#undef LSAP_CCAT
#undef LSAP_CCAT2
#undef LSAP_CORE_VLOAD
#undef LSAP_CORE_VMIN
#undef LSAP_CORE_MIN
#undef LSAP_CORE_SPLAT

/* x86-64: the same functions once more for AVX2 (suffix _avx2), where the whole-matrix passes use 4-lane
   vectors; the baseline copy keeps them scalar (without AVX2 the vectors split into slow pieces, measured
   3x slower). Both compute the same minima and selects, so results are identical. */
#if LSAP_CORE_HAVE_AVX2 && !defined(LSAP_CORE_WIDE)
#define LSAP_CORE_WIDE 1
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2"))), apply_to = function)
#include "lsap_core_kernel.h"
#pragma clang attribute pop
#else
#pragma GCC push_options
#pragma GCC target("avx2")
#include "lsap_core_kernel.h"
#pragma GCC pop_options
#endif
#undef LSAP_CORE_WIDE
#endif
