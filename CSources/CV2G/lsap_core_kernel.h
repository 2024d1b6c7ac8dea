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

/* Puts (h, key) into a list of at most cap entries kept sorted by (value, key); *cnt grows up to cap. */
static inline void CFN(lsap_core_insert)(LSAP_T *bc, int64_t *bj, uint32_t *bk, size_t *cnt, size_t cap, LSAP_T h,
                                         int64_t id, uint32_t key) {
    size_t at = *cnt < cap ? (*cnt)++ : cap - 1;
    while (at > 0 && (bc[at - 1] > h || (bc[at - 1] == h && bk[at - 1] > key))) {
        bc[at] = bc[at - 1]; bj[at] = bj[at - 1]; bk[at] = bk[at - 1];
        at--;
    }
    bc[at] = h; bj[at] = id; bk[at] = key;
}

/* Offers (h, row i) to column j's list of its KC cheapest entries; h is below the column's KC-th cheapest. */
static inline void CFN(lsap_core_offer_column)(lsap_core_ws *w, size_t j, LSAP_T h, size_t i) {
    const size_t KC = LSAP_CORE_KC;
    LSAP_T *col_c = (LSAP_T *)w->col_c;
    size_t cn = (size_t)w->col_n[j];
    CFN(lsap_core_insert)(col_c + j * KC, w->col_r + j * KC, w->col_k + j * KC, &cn, KC, h, (int64_t)i, (uint32_t)i);
    w->col_n[j] = (int64_t)cn;
    if (cn == KC) ((LSAP_T *)w->col_worst)[j] = col_c[j * KC + KC - 1];
}

/*
 * First pass: each row's K cheapest allowed entries (ties: by lsap_core_tie, which spreads them over the
 * columns instead of piling every row of a tie-heavy matrix onto the first ones) go to cv_b/ci_b at a stride of
 * K; each column's KC cheapest (ties: the lower row) to col_c/col_r. Then the core CSR: a row's own entries,
 * then the columns that list it and it does not list yet. Both sides matter: rows alone leave a column nobody
 * ranks among their cheapest with no entry (geometric costs: an EV far from every consumer), and a core
 * without a full matching is no use.
 */
static int CFN(lsap_core_select)(size_t m, size_t n, const LSAP_T *c, int neg, lsap_core_ws *w) {
    const size_t K = LSAP_CORE_K, KC = LSAP_CORE_KC;
#ifdef LSAP_CORE_WIDE
    const LSAP_VT forbid_v = LSAP_CORE_SPLAT(LSAP_FORBID), far_v = LSAP_CORE_SPLAT(LSAP_FAR);
#endif
    LSAP_T *col_c = (LSAP_T *)w->col_c, *col_worst = (LSAP_T *)w->col_worst, *cv_tmp = (LSAP_T *)w->cv_b;
    int64_t *ci_tmp = w->ci_b, *count = w->rs_b;
    uint32_t *row_k = w->row_k;
    for (size_t j = 0; j < n; j++) { col_worst[j] = LSAP_FAR; w->col_n[j] = 0; }
    size_t ties = 0;   /* entries equal to their row's K-th cheapest, over the first LSAP_CORE_PROBE rows */
    for (size_t i = 0; i < m; i++) {
        /* A matrix whose rows tie at their cheapest values (the [P] benefit matrices, min(request, room): most
           EVs give a request all it asks) has no small core that settles it, and looking at every tie costs a
           scalar pass: leave it to the dense kernel, which is fast on ties, after a few rows. */
        if (i == LSAP_CORE_PROBE && ties > LSAP_CORE_PROBE * (n / 16)) return 0;
        const LSAP_T *row = c + i * n;
        LSAP_T *bc = cv_tmp + i * K;
        int64_t *bj = ci_tmp + i * K;
        size_t cnt = 0;
        LSAP_T worst = LSAP_FAR;   /* the K-th cheapest so far; LSAP_FAR while fewer than K */
        uint32_t worst_key = UINT32_MAX;
        /* In blocks: the block's minimum and the test against the columns' KC-th cheapest are branch free
           and vectorise; entries are looked at one by one only where something beats (or ties) a kept one,
           which on a long row soon becomes rare. */
        for (size_t j0 = 0; j0 < n; j0 += LSAP_CORE_BLOCK) {
            const size_t j1 = j0 + LSAP_CORE_BLOCK < n ? j0 + LSAP_CORE_BLOCK : n;
            size_t j = j0;
#ifdef LSAP_CORE_WIDE
            LSAP_VT lowv = LSAP_CORE_SPLAT(LSAP_FAR);
            for (; j + 4 <= j1; j += 4) {
                LSAP_VT h, cw;
                LSAP_CORE_VLOAD(h, row + j, neg);
                memcpy(&cw, col_worst + j, sizeof cw);
                const lsap_cvi lt = h < cw;
                if (lt[0] | lt[1] | lt[2] | lt[3])
                    for (size_t t = 0; t < 4; t++)
                        if (lt[t]) CFN(lsap_core_offer_column)(w, j + t, h[t], i);
                lowv = LSAP_CORE_SEL(LSAP_VT, h < lowv, h, lowv);
            }
            LSAP_T low = LSAP_CORE_VMIN(lowv);
#else
            LSAP_T low = LSAP_FAR;
#endif
            for (; j < j1; j++) {
                const LSAP_T h = CFN(lsap_core_load)(row[j], neg);
                low = h < low ? h : low;
                if (h < col_worst[j]) CFN(lsap_core_offer_column)(w, j, h, i);
            }
            if (low > worst || low >= LSAP_FAR) continue;
            for (j = j0; j < j1; j++) {
                const LSAP_T h = CFN(lsap_core_load)(row[j], neg);
                if (h > worst || h >= LSAP_FAR) continue;
                const uint32_t key = lsap_core_tie(i, j);
                ties += h == worst;
                if (h == worst && key >= worst_key) continue;
                CFN(lsap_core_insert)(bc, bj, row_k + i * K, &cnt, K, h, (int64_t)j, key);
                if (cnt == K) { worst = bc[K - 1]; worst_key = row_k[i * K + K - 1]; }
            }
        }
        count[i] = (int64_t)cnt;
    }
    /* The column lists by row: slot s = j * KC + t names row col_r[s]; a linked list of slots per row. */
    for (size_t i = 0; i < m; i++) w->head[i] = -1;
    for (size_t jj = n; jj-- > 0;)
        for (size_t t = (size_t)w->col_n[jj]; t-- > 0;) {
            const size_t slot = jj * KC + t;
            const int64_t i = w->col_r[slot];
            w->next[slot] = w->head[i];
            w->head[i] = (int64_t)slot;
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
        for (int64_t slot = w->head[i]; slot >= 0; slot = w->next[slot]) {
            const int64_t j = slot / (int64_t)KC;
            int listed = 0;
            for (int64_t t = own; t < e && !listed; t++) listed = w->ci_a[t] == j;
            if (listed) continue;
            w->ci_a[e] = j;
            cv[e++] = col_c[slot];
        }
        /* And the diagonal, which gives the core a full matching whenever no diagonal pair is forbidden. Near
           neighbours alone can lack one (geometric costs: five EVs whose four nearest consumers are the same
           four); a costly diagonal entry in the answer leaves its row far above its minimum, so the check adds
           what the row really needs and the next solve drops it. */
        const LSAP_T d = CFN(lsap_core_load)(c[i * n + i], neg);
        int listed = d >= LSAP_FAR;
        for (int64_t t = own; t < e && !listed; t++) listed = w->ci_a[t] == (int64_t)i;
        if (!listed) { w->ci_a[e] = (int64_t)i; cv[e++] = d; }
        w->rs_a[i + 1] = e;
    }
    return 1;
}

/*
 * The check pass: row i's entries below c(i, x_i) - v(x_i) that the core lacks are appended to its copy of the
 * row in the other buffer. Returns the number added, or -1 if the core would outgrow its room.
 */
static int64_t CFN(lsap_core_check)(size_t m, size_t n, const LSAP_T *c, int neg, lsap_core_ws *w,
                                    int64_t *x, const LSAP_T *v) {
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
        /* The row's K entries furthest below its minimum that the core lacks. All of them could be most of the
           row when it sits on a costly diagonal entry; the next solve and check add more if it needs them. */
        LSAP_T bv[LSAP_CORE_K];
        int64_t bj[LSAP_CORE_K];
        uint32_t bk[LSAP_CORE_K];
        size_t cnt = 0;
        for (j = 0; j < n; j++) {
            if (row[j] == LSAP_FORBID) continue;
            const LSAP_T r = CFN(lsap_core_load)(row[j], neg) - v[j];
            if (!(r < hi) || (cnt == LSAP_CORE_K && !(r < bv[LSAP_CORE_K - 1]))) continue;
            int listed = 0;
            for (int64_t t = own; t < e && !listed; t++) listed = w->ci_b[t] == (int64_t)j;
            if (listed) continue;   /* a core entry: below only by rounding (doubles), which a new solve keeps */
            CFN(lsap_core_insert)(bv, bj, bk, &cnt, LSAP_CORE_K, r, (int64_t)j, 0);
        }
        if ((size_t)e + cnt > w->cap) return -1;
        if (cnt > 0) x[i] = -1;   /* the row searches again when the solve resumes */
        for (size_t t = 0; t < cnt; t++) {
            w->ci_b[e] = bj[t];
            cv2[e++] = CFN(lsap_core_load)(row[bj[t]], neg);
        }
        added += (int64_t)cnt;
        w->rs_b[i + 1] = e;
    }
    return added;
}

/*
 * Select, solve, check, repeat. Gives up when a check adds at least as many entries as the one before (the
 * core is not closing in) or the core would outgrow its room. Uniform costs at n = 4000 add 12 entries, then
 * 3, then none; geometric costs, whose optimum uses long edges, take about nine rounds (n = 2000: 14,527
 * entries, then 8,037, 6,090, 3,593, 2,210, 1,052, 267, 16, none), which resuming makes cheap.
 */
static int CFN(lsap_core_solve)(size_t m, size_t n, const LSAP_T *c, int neg, lsap_core_ws *w, int64_t *x,
                                LSAP_T *v) {
    if (!CFN(lsap_core_select)(m, n, c, neg, w)) return 0;
    int64_t before = -1;
    LSAP_T total = 0;
    v2g_status st = LSAP_SOLVE_SPARSE(m, n, w->rs_a, w->ci_a, (const LSAP_T *)w->cv_a, 0, x, &total, NULL, v,
                                      w->sparse, w->sparse_size);
    for (;;) {
        if (st != V2G_OK) return 0;
        const int64_t added = CFN(lsap_core_check)(m, n, c, neg, w, x, v);
        if (added == 0) return 1;
        if (added < 0 || (before >= 0 && added >= before)) return 0;
        before = added;
        lsap_core_swap(w);
        /* Square: the rows the check freed search again from where the solve ended; the others are still at
           their minimum (their entries did not change). Not with more columns than rows: the certificate there
           wants v = 0 on every unassigned column, and a freed row's column keeps its lowered price. */
        st = m == n && LSAP_RESUME_SAFE(v, n)
                 ? LSAP_RESUME_SPARSE(m, n, w->rs_a, w->ci_a, (const LSAP_T *)w->cv_a, x, v, w->sparse, w->sparse_size)
                 : LSAP_SOLVE_SPARSE(m, n, w->rs_a, w->ci_a, (const LSAP_T *)w->cv_a, 0, x, &total, NULL, v,
                                     w->sparse, w->sparse_size);
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
