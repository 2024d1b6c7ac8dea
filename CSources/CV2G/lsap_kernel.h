/*
 * lsap_kernel.h - the dense Jonker-Volgenant kernel, instantiated per cost type and sense.
 *
 * Internal to CV2G; included by lsap_dense.c once per instance with:
 *   LSAP_T        element type of costs and potentials (double or int64_t)
 *   LSAP_SUF      name suffix of the instance
 *   LSAP_LOAD(x)  the minimisation cost of a stored cost x, LSAP_INF for a forbidden pair
 *   LSAP_INF      "infinite" distance; LSAP_UNREACH <= any value derived from it
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

#define LSAP_CAT2(a, b) a##_##b
#define LSAP_CAT(a, b) LSAP_CAT2(a, b)
#define KFN(name) LSAP_CAT(name, LSAP_SUF)

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

/* Row reduction for m < n: v = 0, each row takes its cheapest column if that one is still free. */
static int64_t KFN(lsap_rowred)(size_t m, size_t n, const LSAP_T *c, size_t ld, int64_t *x, int64_t *y,
                                LSAP_T *v, int64_t *free_rows) {
    for (size_t j = 0; j < n; j++) { v[j] = 0; y[j] = -1; }
    int64_t n_free = 0;
    for (size_t i = 0; i < m; i++) {
        const LSAP_T *row = c + i * ld;
        LSAP_T best = LSAP_LOAD(row[0]);
        size_t bj = 0;
        for (size_t j = 1; j < n; j++) {
            const LSAP_T h = LSAP_LOAD(row[j]);
            if (h < best) { best = h; bj = j; }
        }
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

/*
 * Shortest augmenting path from free row s (Dijkstra on reduced costs, LAPJV
 * bookkeeping). Columns live in a permutation cols[] split into
 * READY [0, lo) | SCAN [lo, hi) | TODO [hi, n); dp[] and vp[] hold the
 * distance and potential of the column at the same position, so the scan of
 * a row reads its cost row (one gather) and two contiguous arrays.
 * Augments, updates v, returns 0, or -1 if no free column is reachable.
 */
static int KFN(lsap_augment)(size_t n, const LSAP_T *c, size_t ld, int64_t s, int64_t *x, int64_t *y,
                             LSAP_T *v, int64_t *cols, LSAP_T *dp, LSAP_T *vp, int64_t *pred) {
    const LSAP_T *srow = c + (size_t)s * ld;
    for (size_t j = 0; j < n; j++) {
        cols[j] = (int64_t)j;
        vp[j] = v[j];
        dp[j] = LSAP_LOAD(srow[j]) - v[j];
        pred[j] = s;
    }
    size_t lo = 0, hi = 0, n_ready = 0;
    int64_t final_j = -1;
    LSAP_T mind = 0;
    while (final_j < 0) {
        if (lo == hi) {
            /* collect every TODO column at the minimum distance into SCAN */
            n_ready = lo;
            mind = dp[lo];
            hi = lo + 1;
            for (size_t k = lo + 1; k < n; k++) {
                const LSAP_T h = dp[k];
                if (h <= mind) {
                    if (h < mind) { hi = lo; mind = h; }
                    const int64_t cj = cols[k]; const LSAP_T cv = vp[k];
                    cols[k] = cols[hi]; dp[k] = dp[hi]; vp[k] = vp[hi];
                    cols[hi] = cj; dp[hi] = h; vp[hi] = cv;
                    hi++;
                }
            }
            if (mind >= LSAP_UNREACH) return -1;
            for (size_t k = lo; k < hi; k++) {
                if (y[cols[k]] < 0) { final_j = cols[k]; break; }
            }
            if (final_j >= 0) break;
        }
        /* scan the row assigned to the next SCAN column */
        const int64_t j = cols[lo];
        const LSAP_T hj = dp[lo];
        lo++;
        const int64_t i = y[j];
        const LSAP_T *row = c + (size_t)i * ld;
        const LSAP_T shift = (LSAP_LOAD(row[j]) - v[j]) - hj; /* u_i - d_j */
        for (size_t k = hi; k < n; k++) {
            const int64_t cj = cols[k];
            const LSAP_T cand = LSAP_LOAD(row[cj]) - vp[k] - shift;
            if (cand < dp[k]) {
                dp[k] = cand;
                pred[cj] = i;
                if (cand == mind) {
                    if (y[cj] < 0) { final_j = cj; break; }
                    const LSAP_T cv = vp[k];
                    cols[k] = cols[hi]; dp[k] = dp[hi]; vp[k] = vp[hi];
                    cols[hi] = cj; dp[hi] = cand; vp[hi] = cv;
                    hi++;
                }
            }
        }
    }
    /* dual update on the READY columns, then flip the path */
    for (size_t k = 0; k < n_ready; k++) v[cols[k]] += dp[k] - mind;
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
        if (KFN(lsap_augment)(n, c, ld, free_rows[f], x, y, v, cols, dp, vp, pred) != 0) return V2G_E_INFEASIBLE;
    }
    return V2G_OK;
}

#undef KFN
#undef LSAP_CAT
#undef LSAP_CAT2
