/*
 * lsap_kernel.h - the dense Jonker-Volgenant kernel, instantiated per cost type and sense.
 *
 * Internal to CV2G; included by lsap_dense.c once per instance with:
 *   LSAP_T        element type of costs and potentials (double or int64_t)
 *   LSAP_SUF      name suffix of the instance
 *   LSAP_LOAD(x)  the minimisation cost of a stored cost x, LSAP_INF for a forbidden pair
 *   LSAP_VLOAD(x) LSAP_LOAD on a 4-lane vector LSAP_VT; LSAP_VSEL(mask, a, b) a lane select
 *   LSAP_INF      "infinite" distance; LSAP_UNREACH <= any value derived from it
 *   LSAP_LOW, LSAP_HIGH  values below / above every distance (-inf, +inf for double)
 * With LSAP_HAVE_AVX2 the header includes itself once more, compiling the
 * same kernel for AVX2 under the name suffix LSAP_SUF_avx2 (lsap_dense.c
 * picks one at run time; both give identical results).
 *
 * The kernel solves m x n with m <= n, row-major with stride ld, always
 * minimising LSAP_LOAD(cost). Potentials follow the LAPJV convention: only v is
 * stored; u_i = c(i, x_i) - v(x_i) for an assigned row. Invariants: every
 * assigned row i has c(i, x_i) - v(x_i) == min_j c(i, j) - v(j); v never
 * rises; while m < n a column's v only moves once it is assigned, so
 * unassigned columns keep v == 0 and every v <= 0.
 *
 * floor_v bounds every lowering done by the initialisation (see lsap_dense.c:
 * it is -(4K+1) for K the largest |cost|), which bounds every potential.
 */

/* LSAP_ANY(mask): some lane of a 4-lane compare mask is set (one movemask on AVX2) */
#undef LSAP_ANY
#ifdef LSAP_WIDE
#define LSAP_ANY(mask) (_mm256_movemask_pd((__m256d)(mask)) != 0)
#else
#define LSAP_ANY(mask) (((mask)[0] | (mask)[1] | (mask)[2] | (mask)[3]) != 0)
#endif

#define LSAP_CAT2(a, b) a##_##b
#define LSAP_CAT(a, b) LSAP_CAT2(a, b)
#ifdef LSAP_WIDE
#define KFN(name) LSAP_CAT(LSAP_CAT(name, LSAP_SUF), avx2)
#else
#define KFN(name) LSAP_CAT(name, LSAP_SUF)
#endif

/* Column reduction and reduction transfer (square only). Returns the number of free rows or -1 if infeasible. */
static int64_t KFN(lsap_ccrrt)(size_t n, const LSAP_T *c, size_t ld, int64_t *x, int64_t *y,
                               LSAP_T *v, int64_t *free_rows, int64_t *unique, LSAP_T floor_v) {
    for (size_t j = 0; j < n; j++) { v[j] = LSAP_INF; y[j] = 0; }
    for (size_t i = 0; i < n; i++) {
        const LSAP_T *row = c + i * ld;
        const int64_t ii = (int64_t)i;
        for (size_t j = 0; j < n; j++) {
            const LSAP_T cij = LSAP_LOAD(row[j]);
            const int lt = cij < v[j];
            v[j] = lt ? cij : v[j];
            y[j] = lt ? ii : y[j];
        }
    }
    for (size_t j = 0; j < n; j++) if (v[j] >= LSAP_UNREACH) return -1;
    for (size_t i = 0; i < n; i++) { x[i] = -1; unique[i] = 1; }
    for (size_t jj = n; jj-- > 0;) {
        const int64_t i = y[jj];
        if (x[i] < 0) x[i] = (int64_t)jj;
        else { unique[i] = 0; y[jj] = -1; }
    }
    int64_t n_free = 0;
    for (size_t i = 0; i < n; i++) {
        if (x[i] < 0) { free_rows[n_free++] = (int64_t)i; continue; }
        if (!unique[i]) continue;
        const size_t j1 = (size_t)x[i];
        const LSAP_T *row = c + i * ld;
        LSAP_T m0 = LSAP_INF, m1 = LSAP_INF;
        size_t j = 0;
        for (; j < j1; j++) { const LSAP_T h = LSAP_LOAD(row[j]) - v[j]; m0 = h < m0 ? h : m0; }
        for (j = j1 + 1; j < n; j++) { const LSAP_T h = LSAP_LOAD(row[j]) - v[j]; m1 = h < m1 ? h : m1; }
        const LSAP_T mn = m0 < m1 ? m0 : m1;
        if (mn >= LSAP_UNREACH) { v[j1] = floor_v < v[j1] ? floor_v : v[j1]; continue; }
        const LSAP_T nv = v[j1] - mn;
        v[j1] = nv < floor_v ? (floor_v < v[j1] ? floor_v : v[j1]) : nv;
    }
    return n_free;
}

/* Smallest LOAD(row[j]) and (*arg) its first column; 4 lanes at a time. */
static LSAP_T KFN(lsap_argmin)(size_t n, const LSAP_T *row, size_t *arg) {
    const LSAP_VT highv = {LSAP_HIGH, LSAP_HIGH, LSAP_HIGH, LSAP_HIGH};
    const lsap_vi four = {4, 4, 4, 4};
    LSAP_VT mv = highv;
    lsap_vi kv = {0, 1, 2, 3}, iv = {0, 0, 0, 0};
    size_t k = 0;
    for (; k + 4 <= n; k += 4) {
        LSAP_VT x;
        memcpy(&x, row + k, sizeof x);
        const LSAP_VT h = LSAP_VLOAD(x);
        const lsap_vi lt = (lsap_vi)(h < mv);
        mv = LSAP_VSEL(lt, h, mv);
        iv = (kv & lt) | (iv & ~lt);
        kv += four;
    }
    LSAP_T best = LSAP_HIGH;
    size_t bj = 0;
    for (int q = 0; q < 4; q++)
        if (mv[q] < best || (mv[q] == best && (size_t)iv[q] < bj)) { best = mv[q]; bj = (size_t)iv[q]; }
    for (; k < n; k++) {
        const LSAP_T h = LSAP_LOAD(row[k]);
        if (h < best) { best = h; bj = k; }
    }
    *arg = bj;
    return best;
}

/* Row reduction for m < n: v = 0, each row takes its cheapest column if that one is still free. */
static int64_t KFN(lsap_rowred)(size_t m, size_t n, const LSAP_T *c, size_t ld, int64_t *x, int64_t *y,
                                LSAP_T *v, int64_t *free_rows) {
    for (size_t j = 0; j < n; j++) { v[j] = 0; y[j] = -1; }
    int64_t n_free = 0;
    for (size_t i = 0; i < m; i++) {
        size_t bj = 0;
        const LSAP_T best = KFN(lsap_argmin)(n, c + i * ld, &bj);
        if (best >= LSAP_UNREACH) return -1;
        if (y[bj] < 0) { x[i] = (int64_t)bj; y[bj] = (int64_t)i; }
        else { x[i] = -1; free_rows[n_free++] = (int64_t)i; }
    }
    return n_free;
}

/*
 * One pass of augmenting row reduction (LAPJV), lowering v never below floor_v.
 * Each step costs a full row scan; on continuous costs the displacement
 * chains get long (measured: 70 % of the time at n = 2000), so a pass stops
 * after LSAP_ARR_BUDGET row scans per row that was free at its start.
 * Returns the new free count or -1 if a row has no allowed column.
 */
#ifndef LSAP_ARR_BUDGET
#define LSAP_ARR_BUDGET 4
#endif
static int64_t KFN(lsap_carr)(size_t n, const LSAP_T *c, size_t ld, int64_t n_free, int64_t *free_rows,
                              int64_t *x, int64_t *y, LSAP_T *v, LSAP_T floor_v) {
    int64_t current = 0, new_free = 0, rr_cnt = 0;
    const int64_t limit_n = (int64_t)n;
    while (current < n_free) {
        if (rr_cnt >= LSAP_ARR_BUDGET * n_free) {
            /* budget spent: the rest goes to the shortest-path phase */
            while (current < n_free) free_rows[new_free++] = free_rows[current++];
            break;
        }
        rr_cnt++;
        const int64_t i = free_rows[current++];
        const LSAP_T *row = c + (size_t)i * ld;
        LSAP_T v1 = LSAP_INF, v2 = LSAP_INF;
        int64_t j1 = -1, j2 = -1;
        for (size_t j = 0; j < n; j++) {
            const LSAP_T h = LSAP_LOAD(row[j]) - v[j];
            if (h < v2) {
                if (h >= v1) { v2 = h; j2 = (int64_t)j; }
                else { v2 = v1; j2 = j1; v1 = h; j1 = (int64_t)j; }
            }
        }
        if (j1 < 0 || v1 >= LSAP_UNREACH) return -1;
        int64_t i0 = y[j1];
        const LSAP_T vj1 = v[j1];
        LSAP_T nv = (j2 < 0 || v2 >= LSAP_UNREACH) ? floor_v : vj1 - (v2 - v1);
        if (nv < floor_v) nv = floor_v;
        const int lowers = nv < vj1;
        if (rr_cnt < current * limit_n) {
            if (lowers) v[j1] = nv;
            else if (i0 >= 0 && j2 >= 0 && v2 == v1) { j1 = j2; i0 = y[j2]; }
            if (i0 >= 0) {
                x[i0] = -1;
                if (lowers) free_rows[--current] = i0;
                else free_rows[new_free++] = i0;
            }
        } else if (i0 >= 0) {
            x[i0] = -1;
            free_rows[new_free++] = i0;
        }
        x[i] = j1;
        y[j1] = i;
    }
    return new_free;
}

/* Appends column j at distance dist to the settled list; returns 1 if j is free (the path ends there). */
static inline int KFN(lsap_settle)(int64_t j, LSAP_T dist, LSAP_T *d, const int64_t *y, int64_t *scols,
                                   LSAP_T *sdist, size_t *ns) {
    scols[*ns] = j;
    sdist[*ns] = dist;
    (*ns)++;
    d[j] = LSAP_LOW;
    return y[j] < 0;
}

/*
 * Settles every column with d == m; stops at the first free one (*final_j).
 * Compares 4 lanes at a time; matches are rare, so they take a scalar path.
 */
static size_t KFN(lsap_collect)(size_t n, LSAP_T *d, const int64_t *y, LSAP_T m, int64_t *scols, LSAP_T *sdist,
                                size_t ns, int64_t *final_j) {
    const LSAP_VT mv = {m, m, m, m};
    size_t k = 0;
    for (; k + 4 <= n; k += 4) {
        LSAP_VT dk;
        memcpy(&dk, d + k, sizeof dk);
        const lsap_vi eq = (lsap_vi)(dk == mv);
        if (!LSAP_ANY(eq)) continue;
        for (int q = 0; q < 4; q++)
            if (eq[q] && KFN(lsap_settle)((int64_t)k + q, m, d, y, scols, sdist, &ns)) {
                *final_j = (int64_t)k + q;
                return ns;
            }
    }
    for (; k < n; k++)
        if (d[k] == m && KFN(lsap_settle)((int64_t)k, m, d, y, scols, sdist, &ns)) { *final_j = (int64_t)k; return ns; }
    return ns;
}

/*
 * One row scan of the shortest-path phase: for every column k,
 * d[k] = min(d[k], LOAD(row[k]) - v[k] - shift), pred[k] = i where it drops.
 * A column that drops to exactly mind joins the current level at once (it is
 * settled; ties are common on integer costs, and this saves a pass to find
 * them); if it is free the scan stops and *final_j names it. Otherwise returns
 * the smallest d over the columns not yet settled (d != LSAP_LOW).
 * Written on 4-lane vectors (GCC/Clang vector extensions) so the compiler
 * emits SIMD on every target.
 */
static LSAP_T KFN(lsap_scan)(size_t n, const LSAP_T *row, const LSAP_T *v, LSAP_T *d, int64_t *pred,
                             int64_t i, LSAP_T shift, LSAP_T mind, const int64_t *y, int64_t *scols,
                             LSAP_T *sdist, size_t *ns, int64_t *final_j) {
    const LSAP_VT shiftv = {shift, shift, shift, shift};
    const LSAP_VT mindv = {mind, mind, mind, mind};
    const LSAP_VT lowv = {LSAP_LOW, LSAP_LOW, LSAP_LOW, LSAP_LOW};
    const LSAP_VT highv = {LSAP_HIGH, LSAP_HIGH, LSAP_HIGH, LSAP_HIGH};
    const lsap_vi iv = {i, i, i, i};
    LSAP_VT mv = highv;
    size_t k = 0;
    for (; k + 4 <= n; k += 4) {
        LSAP_VT x, vk, dk;
        lsap_vi pk;
        memcpy(&x, row + k, sizeof x);
        memcpy(&vk, v + k, sizeof vk);
        memcpy(&dk, d + k, sizeof dk);
        memcpy(&pk, pred + k, sizeof pk);
        const LSAP_VT cand = LSAP_VLOAD(x) - vk - shiftv;
        const lsap_vi lt = (lsap_vi)(cand < dk);
        dk = LSAP_VSEL(lt, cand, dk);
        pk = (iv & lt) | (pk & ~lt);
        memcpy(d + k, &dk, sizeof dk);
        memcpy(pred + k, &pk, sizeof pk);
        const lsap_vi eq = (lsap_vi)(dk == mindv);
        if (LSAP_ANY(eq)) {
            for (int q = 0; q < 4; q++) {
                if (!eq[q]) continue;
                if (KFN(lsap_settle)((int64_t)k + q, mind, d, y, scols, sdist, ns)) {
                    *final_j = (int64_t)k + q;
                    return mind;
                }
            }
            memcpy(&dk, d + k, sizeof dk);
        }
        const LSAP_VT key = LSAP_VSEL((lsap_vi)(dk == lowv), highv, dk);
        mv = LSAP_VSEL((lsap_vi)(key < mv), key, mv);
    }
    LSAP_T m = LSAP_HIGH;
    for (int q = 0; q < 4; q++) m = mv[q] < m ? mv[q] : m;
    for (; k < n; k++) {
        const LSAP_T cand = LSAP_LOAD(row[k]) - v[k] - shift;
        LSAP_T dk = d[k];
        if (cand < dk) { dk = cand; d[k] = dk; pred[k] = i; }
        if (dk == mind) {
            if (KFN(lsap_settle)((int64_t)k, mind, d, y, scols, sdist, ns)) { *final_j = (int64_t)k; return mind; }
            continue;
        }
        if (dk != LSAP_LOW && dk < m) m = dk;
    }
    return m;
}

/*
 * Shortest augmenting path from free row s (Dijkstra on reduced costs, LAPJV
 * bookkeeping) in natural column order. d[j] is the tentative distance of a
 * column still to settle; a settled column holds LSAP_LOW, which no candidate
 * undercuts and the minimum skips, so a row scan is one contiguous, branch-free
 * pass over the cost row, v, d and pred that also yields the new minimum
 * (the cost row streams from memory in order). Settled columns are listed in
 * scols[] with their distance in sdist[]: all columns at the current minimum
 * are settled together (this is what makes tie-heavy integer costs fast), and
 * the search stops as soon as one of them is free.
 * Augments, updates v, returns 0, or -1 if no free column is reachable.
 */
static int KFN(lsap_augment)(size_t n, const LSAP_T *c, size_t ld, int64_t s, int64_t *x, int64_t *y,
                             LSAP_T *v, LSAP_T *d, int64_t *pred, int64_t *scols, LSAP_T *sdist) {
    for (size_t j = 0; j < n; j++) { d[j] = LSAP_HIGH; pred[j] = s; }
    size_t lo = 0, ns = 0;
    int64_t final_j = -1;
    /* no column is settled yet, so LSAP_LOW as the level matches none */
    LSAP_T m = KFN(lsap_scan)(n, c + (size_t)s * ld, v, d, pred, s, 0, LSAP_LOW, y, scols, sdist, &ns, &final_j);
    LSAP_T mind = m;
    for (;;) {
        if (lo == ns) {
            /* next level: settle every column at the minimum distance; done if one is free */
            if (m >= LSAP_UNREACH) return -1;
            mind = m;
            ns = KFN(lsap_collect)(n, d, y, m, scols, sdist, ns, &final_j);
            if (final_j >= 0) break;
        }
        /* scan the row assigned to the next settled column */
        const int64_t j = scols[lo];
        const LSAP_T hj = sdist[lo];
        lo++;
        const int64_t i = y[j];
        const LSAP_T *row = c + (size_t)i * ld;
        const LSAP_T shift = (LSAP_LOAD(row[j]) - v[j]) - hj; /* u_i - d_j */
        m = KFN(lsap_scan)(n, row, v, d, pred, i, shift, mind, y, scols, sdist, &ns, &final_j);
        if (final_j >= 0) break;
    }
    /* dual update on the settled columns (those at the final level move by 0), then flip the path */
    for (size_t k = 0; k < ns; k++) v[scols[k]] += sdist[k] - mind;
    int64_t j = final_j;
    for (;;) {
        const int64_t i = pred[j];
        y[j] = i;
        const int64_t prev = x[i];
        x[i] = j;
        if (i == s) break;
        j = prev;
    }
    return 0;
}

/* Solves m x n (m <= n) into x (row -> column) and v. Returns V2G_OK or V2G_E_INFEASIBLE. */
static v2g_status KFN(lsap_kernel)(size_t m, size_t n, const LSAP_T *c, size_t ld, int64_t *x, LSAP_T *v,
                                   int64_t *y, int64_t *free_rows, int64_t *cols, LSAP_T *dp, LSAP_T *vp,
                                   int64_t *pred, LSAP_T floor_v) {
    int64_t n_free = m == n ? KFN(lsap_ccrrt)(n, c, ld, x, y, v, free_rows, pred, floor_v)
                            : KFN(lsap_rowred)(m, n, c, ld, x, y, v, free_rows);
    if (n_free < 0) return V2G_E_INFEASIBLE;
        for (int pass = 0; pass < 2 && n_free > 0; pass++) {
        n_free = KFN(lsap_carr)(n, c, ld, n_free, free_rows, x, y, v, floor_v);
        if (n_free < 0) return V2G_E_INFEASIBLE;
    }
    for (int64_t f = 0; f < n_free; f++) {
        if (KFN(lsap_augment)(n, c, ld, free_rows[f], x, y, v, dp, pred, cols, vp) != 0) return V2G_E_INFEASIBLE;
    }
    return V2G_OK;
}

#undef KFN
#undef LSAP_CAT
#undef LSAP_CAT2

#if LSAP_HAVE_AVX2 && !defined(LSAP_WIDE)
#define LSAP_WIDE 1
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2"))), apply_to = function)
#include "lsap_kernel.h"
#pragma clang attribute pop
#else
#pragma GCC push_options
#pragma GCC target("avx2")
#include "lsap_kernel.h"
#pragma GCC pop_options
#endif
#undef LSAP_WIDE
#endif
