/*
 * lsap_sparse_kernel.h - shortest augmenting paths on CSR costs, instantiated per cost type and variant.
 *
 * Internal to CV2G; included by lsap_sparse.c with LSAP_T, LSAP_TS (the type's suffix), LSAP_SUF (the
 * variant's), LSAP_INF, LSAP_UNREACH, LSAP_FORBID (the stored forbidden value), LSAP_INTEGRAL (1 for int64),
 * LSAP_NEG (1: minimise -cost) and LSAP_FORB (0: the matrix holds no forbidden entry, so no scan tests for
 * one); LSAP_SP_DEFINE_STRUCT on the first variant of a type defines the state and the resume. Solves m x n
 * with m <= n; same potentials and invariants as the dense kernel (lsap_kernel.h): only v is stored, and every
 * assigned row sits at a minimum of c - v over its entries. Square problems start with the column reduction
 * and, unless the costs tie heavily, an eps-scaled auction whose prices are made exact (lsap_sp_exactify);
 * rows < cols start from v = 0. Then two passes of augmenting row reduction (ARR), augmenting paths among
 * entries at the row minima (lsap_sp_tight), and Dijkstra with a binary heap for the rows still free. Only the
 * last three decide the answer; everything before them just leaves a valid state with few free rows.
 */

#define LSAP_CAT2(a, b) a##_##b
#define LSAP_CAT(a, b) LSAP_CAT2(a, b)
#define SFN(name) LSAP_CAT(name, LSAP_SUF)
#define LSAP_SPT LSAP_CAT(lsap_sp, LSAP_TS)

#ifdef LSAP_SP_DEFINE_STRUCT
typedef struct LSAP_SPT {
    size_t m, n;
    const int64_t *rs, *ci;
    const LSAP_T *cv;
    int64_t *x, *y, *pred, *heap, *pos, *touched, *free_rows, *level;
    LSAP_T *v, *d, *pc, *xc, *hk;   /* hk[k]: the key of heap[k], kept beside it so sifting reads no d[] */
    LSAP_T floor_v;   /* -(4K + 1): no initial lowering goes below it (docs/lsap.md, bounds) */
} LSAP_SPT;
#endif

/* A forbidden entry (only where LSAP_FORB says the matrix may hold one): its load is LSAP_INF. */
#define LSAP_OFF(c) (LSAP_FORB && (c) >= LSAP_UNREACH)

static inline LSAP_T SFN(lsap_sp_load)(const LSAP_SPT *p, int64_t e) {
    const LSAP_T c = p->cv[e];
    if (LSAP_FORB && c == LSAP_FORBID) return LSAP_INF;
    return LSAP_NEG ? -c : c;
}

/*
 * Binary heap of the columns a search has reached but not settled, keyed by distance alone: columns at equal
 * distance are settled together as one level (below), so the heap needs no tie order. pos[j] is j's heap slot,
 * -1 if unreached, -2 once settled.
 */
static inline void SFN(lsap_heap_place)(LSAP_SPT *p, int64_t k, int64_t j, LSAP_T key) {
    p->heap[k] = j; p->hk[k] = key; p->pos[j] = k;
}

static void SFN(lsap_heap_up)(LSAP_SPT *p, int64_t k, int64_t j, LSAP_T key) {
    while (k > 0) {
        const int64_t parent = (k - 1) / 2;
        if (!(key < p->hk[parent])) break;
        SFN(lsap_heap_place)(p, k, p->heap[parent], p->hk[parent]);
        k = parent;
    }
    SFN(lsap_heap_place)(p, k, j, key);
}

static void SFN(lsap_heap_down)(LSAP_SPT *p, int64_t k, int64_t size, int64_t j, LSAP_T key) {
    for (;;) {
        int64_t ch = 2 * k + 1;
        if (ch >= size) break;
        if (ch + 1 < size && p->hk[ch + 1] < p->hk[ch]) ch++;
        if (!(p->hk[ch] < key)) break;
        SFN(lsap_heap_place)(p, k, p->heap[ch], p->hk[ch]);
        k = ch;
    }
    SFN(lsap_heap_place)(p, k, j, key);
}

/* Removes the entry at slot k (the top when k = 0) and returns its column. */
static int64_t SFN(lsap_heap_take)(LSAP_SPT *p, int64_t k, int64_t *size) {
    const int64_t j = p->heap[k];
    const int64_t last = --*size;
    if (k < last) {
        const int64_t lj = p->heap[last];
        const LSAP_T lkey = p->hk[last];
        if (k > 0 && lkey < p->hk[(k - 1) / 2]) SFN(lsap_heap_up)(p, k, lj, lkey);
        else SFN(lsap_heap_down)(p, k, *size, lj, lkey);
    }
    return j;
}

/* Relaxes column j reached from row i with distance cand over an edge of cost c. */
static inline void SFN(lsap_relax)(LSAP_SPT *p, int64_t *size, int64_t *nt, int64_t i, int64_t j,
                                   LSAP_T cand, LSAP_T c) {
    const int64_t pj = p->pos[j];
    if (pj == -1) {
        p->touched[(*nt)++] = j;
        p->d[j] = cand; p->pred[j] = i; p->pc[j] = c;
        SFN(lsap_heap_up)(p, (*size)++, j, cand);
    } else if (pj >= 0 && cand < p->d[j]) {
        p->d[j] = cand; p->pred[j] = i; p->pc[j] = c;
        SFN(lsap_heap_up)(p, pj, j, cand);
    }
}

/* Between two columns at the same reduced cost: is a the better choice than b (b = -1: none yet)? */
static inline int SFN(lsap_sp_prefer)(const LSAP_SPT *p, int64_t a, int64_t b) {
    if (b < 0) return 1;
    const int fa = p->y[a] < 0, fb = p->y[b] < 0;
    return fa != fb ? fa : a < b;
}

/*
 * The cheapest and second cheapest reduced costs c - v of row i (v2 = LSAP_INF if the row has one allowed
 * column; j1 = -1 if none). The first pass is branch free and keeps only the cheapest entry; j2 and c2 matter
 * only when the two minima tie, and then a second pass picks both among the tied columns: a free column
 * first, then the lower one (on tie-heavy costs, taking an assigned column displaces a row for nothing).
 */
static inline void SFN(lsap_sp_two_min)(const LSAP_SPT *p, int64_t i, LSAP_T *v1o, LSAP_T *v2o, int64_t *j1o,
                                        int64_t *j2o, LSAP_T *c1o, LSAP_T *c2o) {
    LSAP_T v1 = LSAP_INF, v2 = LSAP_INF;
    int64_t e1 = -1;
    const int64_t lo = p->rs[i], hi = p->rs[i + 1];
    for (int64_t e = lo; e < hi; e++) {
        const LSAP_T c = SFN(lsap_sp_load)(p, e);
        const LSAP_T h = LSAP_OFF(c) ? LSAP_INF : c - p->v[p->ci[e]];
        const int lt = h < v1;
        v2 = lt ? v1 : (h < v2 ? h : v2);
        e1 = lt ? e : e1;
        v1 = lt ? h : v1;
    }
    *v1o = v1; *v2o = v2; *j2o = -1; *c2o = 0;
    if (e1 < 0) { *j1o = -1; *c1o = 0; return; }
    *j1o = p->ci[e1]; *c1o = SFN(lsap_sp_load)(p, e1);
    if (v2 != v1) { if (v2 < LSAP_INF) *j2o = -2; return; }   /* -2: a second column exists, not needed */
    int64_t j1 = -1, j2 = -1;
    LSAP_T c1 = 0, c2 = 0;
    for (int64_t e = lo; e < hi; e++) {
        const LSAP_T c = SFN(lsap_sp_load)(p, e);
        if (LSAP_OFF(c)) continue;
        const int64_t j = p->ci[e];
        if (c - p->v[j] != v1) continue;
        if (SFN(lsap_sp_prefer)(p, j, j1)) { j2 = j1; c2 = c1; j1 = j; c1 = c; }
        else if (SFN(lsap_sp_prefer)(p, j, j2)) { j2 = j; c2 = c; }
    }
    *j1o = j1; *j2o = j2; *c1o = c1; *c2o = c2;
}

/*
 * One pass of augmenting row reduction over the free rows (LAPJV; the dense kernel's lsap_carr on CSR rows):
 * a free row takes its cheapest column at the current prices and lowers that column's price to its second
 * cheapest (never below floor_v), displacing the column's row, which tries again at once. Every assigned row
 * stays at a minimum of c - v, which the shortest-path phase needs. A pass stops after LSAP_SP_ARR_BUDGET row
 * scans per row free at its start: a sparse row scan costs a few dozen entries, far less than a search, so the
 * budget is much larger than the dense kernel's (measured, 32 columns per row, uniform costs, n = 2e4: budget
 * 4 → 1.08 s, 64 → 0.77 s, 256 → 0.49 s, 1024 → 0.68 s, unlimited → 1.09 s on doubles, whose displacement
 * chains lower prices by ever smaller steps). Returns the new free count, or -1 if a row has no allowed column.
 */
#ifndef LSAP_SP_ARR_BUDGET
#define LSAP_SP_ARR_BUDGET 256
#endif
static int64_t SFN(lsap_sp_arr)(LSAP_SPT *p, int64_t n_free) {
    int64_t current = 0, new_free = 0, rr_cnt = 0;
    const int64_t limit_n = (int64_t)p->n;
    while (current < n_free) {
        if (rr_cnt >= LSAP_SP_ARR_BUDGET * n_free) {
            while (current < n_free) p->free_rows[new_free++] = p->free_rows[current++];
            break;
        }
        rr_cnt++;
        const int64_t i = p->free_rows[current++];
        LSAP_T v1, v2, c1, c2;
        int64_t j1, j2;
        SFN(lsap_sp_two_min)(p, i, &v1, &v2, &j1, &j2, &c1, &c2);
        if (j1 < 0) return -1;
        int64_t i0 = p->y[j1];
        const LSAP_T vj1 = p->v[j1];
        LSAP_T nv = j2 == -1 ? p->floor_v : vj1 - (v2 - v1);
        if (nv < p->floor_v) nv = p->floor_v;
        const int lowers = nv < vj1;
        LSAP_T cost = c1;
        if (rr_cnt < current * limit_n) {
            if (lowers) p->v[j1] = nv;
            else if (i0 >= 0 && j2 >= 0 && v2 == v1) { j1 = j2; i0 = p->y[j2]; cost = c2; }   /* a tie */
            if (i0 >= 0) {
                p->x[i0] = -1;
                if (lowers) p->free_rows[--current] = i0;
                else p->free_rows[new_free++] = i0;
            }
        } else if (i0 >= 0) {
            p->x[i0] = -1;
            p->free_rows[new_free++] = i0;
        }
        p->x[i] = j1;
        p->y[j1] = i;
        p->xc[i] = cost;
    }
    return new_free;
}

/* Row i's cheapest reduced cost c - v and the entry holding it (-1 if none), and the second cheapest value. */
static inline void SFN(lsap_sp_min2)(const LSAP_SPT *p, int64_t i, LSAP_T *v1o, LSAP_T *v2o, int64_t *e1o) {
    LSAP_T v1 = LSAP_INF, v2 = LSAP_INF;
    int64_t e1 = -1;
    const int64_t lo = p->rs[i], hi = p->rs[i + 1];
    for (int64_t e = lo; e < hi; e++) {
        const LSAP_T c = SFN(lsap_sp_load)(p, e);
        const LSAP_T h = LSAP_OFF(c) ? LSAP_INF : c - p->v[p->ci[e]];
        const int lt = h < v1;
        v2 = lt ? v1 : (h < v2 ? h : v2);
        e1 = lt ? e : e1;
        v1 = lt ? h : v1;
    }
    *v1o = v1; *v2o = v2; *e1o = v1 < LSAP_INF ? e1 : -1;
}

/*
 * Forward auction (Bertsekas), Gauss-Seidel, first in first out over the free rows: a free row takes its cheapest
 * column and lowers that column's price by the gap to its second cheapest plus eps, displacing the column's row to
 * the back of the queue. Stops when no row is free or after budget bids. free_rows is the queue (circular);
 * level is scratch. Returns the free count (free rows in free_rows[0..]), or -1 if a row has no allowed column.
 */
static int64_t SFN(lsap_sp_auction)(LSAP_SPT *p, int64_t n_free, LSAP_T eps, int64_t budget) {
    const int64_t m = (int64_t)p->m;
    int64_t head = 0, cnt = n_free, bids = 0;
    while (cnt > 0 && bids < budget) {
        const int64_t i = p->free_rows[head];
        head = head + 1 == m ? 0 : head + 1;
        cnt--;
        bids++;
        LSAP_T v1, v2;
        int64_t e1;
        SFN(lsap_sp_min2)(p, i, &v1, &v2, &e1);
        if (e1 < 0) return -1;
        const int64_t j1 = p->ci[e1];
        LSAP_T nv = v2 >= LSAP_UNREACH ? p->floor_v : p->v[j1] - (v2 - v1) - eps;
        if (nv < p->floor_v) nv = p->floor_v;
        if (nv < p->v[j1]) p->v[j1] = nv;
        const int64_t i0 = p->y[j1];
        if (i0 >= 0) {
            p->x[i0] = -1;
            int64_t tail = head + cnt;
            if (tail >= m) tail -= m;
            p->free_rows[tail] = i0;
            cnt++;
        }
        p->x[i] = j1; p->y[j1] = i; p->xc[i] = SFN(lsap_sp_load)(p, e1);
    }
    for (int64_t k = 0; k < cnt; k++) { int64_t h = head + k; if (h >= m) h -= m; p->level[k] = p->free_rows[h]; }
    for (int64_t k = 0; k < cnt; k++) p->free_rows[k] = p->level[k];
    return cnt;
}

/* Frees every assigned row whose column is more than eps above its cheapest reduced cost; returns the free list. */
static int64_t SFN(lsap_sp_loosen)(LSAP_SPT *p, LSAP_T eps) {
    int64_t n_free = 0;
    for (size_t i = 0; i < p->m; i++) {
        const int64_t j = p->x[i];
        if (j >= 0) {
            LSAP_T v1, v2;
            int64_t e1;
            SFN(lsap_sp_min2)(p, (int64_t)i, &v1, &v2, &e1);
            if (!(p->xc[i] - p->v[j] - v1 > eps)) continue;
            p->x[i] = -1; p->y[j] = -1;
        }
        p->free_rows[n_free++] = (int64_t)i;
    }
    return n_free;
}

/*
 * Makes every assigned row sit at an exact minimum of c - v, which the shortest-path phase needs: a row whose
 * column j is s above its cheapest reduced cost u_i raises v_j by s when no other row would then prefer j to its
 * own minimum (sigma_j, the least c - v - u over the other rows' entries in column j, is at least s); otherwise it
 * is freed. Raising keeps every other row at its minimum, and each column is raised by one row at most. hk (n >= m)
 * holds u, d holds sigma. Returns the free list.
 */
static int64_t SFN(lsap_sp_exactify)(LSAP_SPT *p) {
    const size_t m = p->m, n = p->n;
    LSAP_T *u = p->hk, *sigma = p->d;
    for (size_t j = 0; j < n; j++) sigma[j] = LSAP_INF;
    for (size_t i = 0; i < m; i++) {
        LSAP_T v1, v2;
        int64_t e1;
        SFN(lsap_sp_min2)(p, (int64_t)i, &v1, &v2, &e1);
        u[i] = v1;
    }
    for (size_t i = 0; i < m; i++) {
        const int64_t ji = p->x[i];
        for (int64_t e = p->rs[i]; e < p->rs[i + 1]; e++) {
            const int64_t j = p->ci[e];
            const LSAP_T c = SFN(lsap_sp_load)(p, e);
            if (j == ji || LSAP_OFF(c)) continue;
            const LSAP_T g = c - p->v[j] - u[i];
            if (g < sigma[j]) sigma[j] = g;
        }
    }
    int64_t n_free = 0;
    for (size_t i = 0; i < m; i++) {
        const int64_t j = p->x[i];
        if (j >= 0) {
            const LSAP_T s = p->xc[i] - p->v[j] - u[i];
            if (!(s > 0)) continue;
            if (s <= sigma[j]) { p->v[j] = p->xc[i] - u[i]; continue; }
            p->x[i] = -1; p->y[j] = -1;
        }
        p->free_rows[n_free++] = (int64_t)i;
    }
    return n_free;
}

/*
 * Augments along paths of tight entries (c - v at the row's minimum) from the free rows without changing v:
 * depth-first search with lookahead (Pothen & Fan 1990), each column entered once per phase, phases until one
 * finds no path. Every row that moves goes to another column at its minimum, so the invariant holds. Borrows
 * heap (lookahead), pred (the entry each row on the path was left by), level (the path), touched (phase stamps).
 * Returns the new free count.
 */
static int64_t SFN(lsap_sp_tight)(LSAP_SPT *p, int64_t n_free) {
    const size_t m = p->m, n = p->n;
    int64_t *look = p->heap, *iter = p->pred, *stack = p->level, *seen = p->touched;
    for (size_t i = 0; i < m; i++) look[i] = p->rs[i];
    for (size_t j = 0; j < n; j++) seen[j] = -1;
    for (int64_t phase = 0; n_free > 0; phase++) {
        int64_t new_free = 0, found_any = 0;
        const int64_t step = (phase & 1) ? -1 : 1;   /* fairness: odd phases scan rows backwards */
        for (int64_t f = 0; f < n_free; f++) {
            const int64_t s = p->free_rows[f];
            LSAP_T us, u2;
            int64_t e1;
            SFN(lsap_sp_min2)(p, s, &us, &u2, &e1);
            int64_t depth = e1 < 0 ? -1 : 0;
            stack[0] = s; iter[s] = step > 0 ? p->rs[s] - 1 : p->rs[s + 1];
            int done = 0;
            while (depth >= 0) {
                const int64_t i = stack[depth];
                const LSAP_T ui = depth == 0 ? us : p->xc[i] - p->v[p->x[i]];
                const int64_t hi = p->rs[i + 1];
                int64_t e = look[i];
                for (; e < hi; e++) {
                    const int64_t j = p->ci[e];
                    if (p->y[j] >= 0) continue;
                    const LSAP_T c = SFN(lsap_sp_load)(p, e);
                    if (!LSAP_OFF(c) && c - p->v[j] == ui) break;
                }
                if (e < hi) {
                    look[i] = e + 1;
                    for (int64_t dd = depth; dd >= 0; dd--) {
                        const int64_t r = stack[dd], ee = dd == depth ? e : iter[r], j = p->ci[ee];
                        p->x[r] = j; p->y[j] = r; p->xc[r] = SFN(lsap_sp_load)(p, ee);
                    }
                    done = 1;
                    break;
                }
                look[i] = hi;
                const int64_t lo = p->rs[i];
                int64_t k = iter[i] + step;
                for (; k >= lo && k < hi; k += step) {
                    const int64_t j = p->ci[k];
                    if (seen[j] == phase) continue;
                    const LSAP_T c = SFN(lsap_sp_load)(p, k);
                    if (!LSAP_OFF(c) && c - p->v[j] == ui) break;
                }
                if (k >= lo && k < hi) {
                    iter[i] = k;
                    const int64_t j = p->ci[k];
                    seen[j] = phase;
                    const int64_t r = p->y[j];
                    stack[++depth] = r;
                    iter[r] = step > 0 ? p->rs[r] - 1 : p->rs[r + 1];
                } else {
                    depth--;
                }
            }
            if (done) found_any = 1;
            else p->free_rows[new_free++] = s;
        }
        n_free = new_free;
        if (!found_any) break;
    }
    return n_free;
}

/*
 * Looks at up to 1024 rows spread over the matrix: returns 1 if the costs tie so much that the auction below would
 * only blur them (more than an eighth of those rows have their two cheapest entries equal), else 0 with *gap the
 * mean difference between a row's two cheapest entries (0 if no row has two). On tie-heavy costs (integers 1-9)
 * most of the work is finding augmenting paths among entries at the row minima, which lsap_sp_tight does without
 * touching v, and an auction's prices, no longer on the integers' plateaus, make it slower (n = 2e4: 69 -> 125 ms).
 */
static int SFN(lsap_sp_sample)(const LSAP_SPT *p, double *spread, double *gap) {
    const int64_t m = (int64_t)p->m, samples = m < 1024 ? m : 1024;
    int64_t ties = 0, pairs = 0;
    double gsum = 0, ssum = 0;
    for (int64_t k = 0; k < samples; k++) {
        const int64_t i = (int64_t)(((uint64_t)k * (uint64_t)m) / (uint64_t)samples);
        LSAP_T c1 = LSAP_INF, c2 = LSAP_INF;
        double rsum = 0;
        int64_t cnt = 0;
        for (int64_t e = p->rs[i]; e < p->rs[i + 1]; e++) {
            const LSAP_T c = SFN(lsap_sp_load)(p, e);
            if (LSAP_OFF(c)) continue;
            rsum += (double)c;
            cnt++;
            if (c < c1) { c2 = c1; c1 = c; }
            else if (c < c2) c2 = c;
        }
        if (c2 < LSAP_INF) { gsum += (double)(c2 - c1); ssum += rsum / (double)cnt - (double)c1; pairs++; }
        ties += c1 < LSAP_INF && c1 == c2;
    }
    *gap = pairs > 0 ? gsum / (double)pairs : 0;
    *spread = pairs > 0 ? ssum / (double)pairs : 0;
    return ties * 8 > samples;
}

/*
 * Square problems: forward auction with eps-scaling from the column reduction's state, then lsap_sp_exactify.
 * eps starts at LSAP_SP_AUCTION_EPS0 times the mean gap between a row's two cheapest entries (a scale that
 * ignores a shift of a row's costs and outliers) and shrinks 4-fold per phase (LSAP_SP_AUCTION_PHASES phases; on
 * integers eps is a whole number and the phases end after one at 1); a phase frees the rows more than its eps
 * above their minimum and auctions them with a budget of LSAP_SP_AUCTION_BUDGET bids per row. The prices it
 * leaves are close to optimal duals, so the searches that follow are short; nothing here decides the answer
 * (docs/lsap.md). Returns the free count, or -1 if a row has no allowed column.
 */
#ifndef LSAP_SP_AUCTION_PHASES
#define LSAP_SP_AUCTION_PHASES 12
#endif
#ifndef LSAP_SP_AUCTION_BUDGET
#define LSAP_SP_AUCTION_BUDGET 20
#endif
#ifndef LSAP_SP_AUCTION_THETA
#define LSAP_SP_AUCTION_THETA 4.0
#endif
#ifndef LSAP_SP_AUCTION_EPS0
#define LSAP_SP_AUCTION_EPS0 0.5
#endif
#ifndef LSAP_SP_AUCTION_LAST
#define LSAP_SP_AUCTION_LAST 128.0
#endif
static int64_t SFN(lsap_sp_scaled_auction)(LSAP_SPT *p, int64_t n_free, double spread, double gap) {
    const int64_t m = (int64_t)p->m;
    double eps = LSAP_SP_AUCTION_EPS0 * spread;
    const double last = gap / LSAP_SP_AUCTION_LAST;
    if (!(eps > 0)) return n_free;
    if (!LSAP_INTEGRAL) {   /* a power of two: on integer-valued doubles every price stays a short dyadic, exact */
        int ex;
        (void)frexp(eps, &ex);
        eps = ldexp(1.0, ex - 1);
    }
    for (int ph = 0; ph < LSAP_SP_AUCTION_PHASES; ph++) {
        LSAP_T e = (LSAP_T)eps;
        if (LSAP_INTEGRAL && e < 1) e = 1;
        if (ph > 0) n_free = SFN(lsap_sp_loosen)(p, e);
        n_free = SFN(lsap_sp_auction)(p, n_free, e, LSAP_SP_AUCTION_BUDGET * m);
        if (n_free < 0) return -1;
        if ((LSAP_INTEGRAL && e == 1) || !(eps > last)) break;
        eps /= LSAP_SP_AUCTION_THETA;
    }
    return SFN(lsap_sp_exactify)(p);
}

/* rows < cols: v stays 0 (the rectangular certificate wants v = 0 on unassigned columns); each row takes its
   cheapest column if still free. Returns the free count, or -1 if a row has no allowed column. */
static int64_t SFN(lsap_sp_row_start)(LSAP_SPT *p) {
    int64_t n_free = 0;
    for (size_t i = 0; i < p->m; i++) {
        LSAP_T best = LSAP_INF;
        int64_t bj = -1;
        for (int64_t e = p->rs[i]; e < p->rs[i + 1]; e++) {
            const LSAP_T c = SFN(lsap_sp_load)(p, e);
            if (c < best || (c == best && SFN(lsap_sp_prefer)(p, p->ci[e], bj))) { best = c; bj = p->ci[e]; }
        }
        if (bj < 0 || best >= LSAP_UNREACH) return -1;
        if (p->y[bj] < 0) { p->x[i] = bj; p->y[bj] = (int64_t)i; p->xc[i] = best; }
        else { p->x[i] = -1; p->free_rows[n_free++] = (int64_t)i; }
    }
    return n_free;
}

/*
 * Square: LAPJV's column reduction and reduction transfer on CSR, in O(nnz). Each column's price is its
 * cheapest entry and it goes to that row if the row has no column yet; a row that got exactly one column
 * then lowers that column's price by its second-best reduced cost (never below floor_v), so that it stays at
 * a row minimum with room to spare. Rows with no column are free. Returns the free count, or -1 if a row has
 * no allowed column.
 */
static int64_t SFN(lsap_sp_column_reduction)(LSAP_SPT *p) {
    const size_t m = p->m, n = p->n;
    int64_t *argmin = p->pred, *count = p->touched;   /* borrowed: both are per-search scratch */
    for (size_t j = 0; j < n; j++) { p->v[j] = LSAP_INF; argmin[j] = -1; }
    for (size_t i = 0; i < m; i++) {
        p->x[i] = -1;
        count[i] = 0;
        for (int64_t e = p->rs[i]; e < p->rs[i + 1]; e++) {
            const LSAP_T c = SFN(lsap_sp_load)(p, e);
            const int64_t j = p->ci[e];
            if (!LSAP_OFF(c) && c < p->v[j]) { p->v[j] = c; argmin[j] = (int64_t)i; p->pc[j] = c; }
        }
    }
    for (size_t jj = n; jj-- > 0;) {   /* LAPJV's order: the last column first */
        const int64_t i = argmin[jj];
        if (i < 0) { p->v[jj] = 0; continue; }   /* no allowed entry: no row needs it */
        count[i]++;
        if (p->x[i] < 0) { p->x[i] = (int64_t)jj; p->y[jj] = i; p->xc[i] = p->pc[jj]; }
    }
    int64_t n_free = 0;
    for (size_t i = 0; i < m; i++) {
        if (p->x[i] < 0) { p->free_rows[n_free++] = (int64_t)i; continue; }
        if (count[i] != 1) continue;
        const int64_t j1 = p->x[i];
        LSAP_T mu = LSAP_INF;
        int any = 0;
        for (int64_t e = p->rs[i]; e < p->rs[i + 1]; e++) {
            const int64_t j = p->ci[e];
            if (j == j1) continue;
            const LSAP_T c = SFN(lsap_sp_load)(p, e);
            if (LSAP_OFF(c)) continue;
            const LSAP_T h = c - p->v[j];
            if (h < mu) mu = h;
            any = 1;
        }
        LSAP_T nv = any ? p->v[j1] - mu : p->floor_v;
        if (nv < p->floor_v) nv = p->floor_v;
        if (nv < p->v[j1]) p->v[j1] = nv;
    }
    /* A row with no allowed column at all is infeasible; one whose columns all went elsewhere is just free. */
    for (int64_t f = 0; f < n_free; f++) {
        const int64_t i = p->free_rows[f];
        int any = 0;
        for (int64_t e = p->rs[i]; e < p->rs[i + 1] && !any; e++) any = SFN(lsap_sp_load)(p, e) < LSAP_UNREACH;
        if (!any) return -1;
    }
    return n_free;
}

/*
 * One shortest augmenting path from free row s (Dijkstra on reduced costs), then the price update and the
 * augmentation. Columns are settled a level at a time, as in LAPJV: every column at the current minimum
 * distance goes on the level queue at once, and a scanned row's column that lands exactly on the level joins
 * it without passing through the heap. The queue is first in, first out, so across a plateau of equal
 * distances the search runs breadth first in the order columns were reached: on tie-heavy integer costs the
 * plateau spans most of the matrix, and the order decides how much of it a search settles before a free column
 * turns up (integers 1-9, n = 2e4, settled columns: heap order by column index 7.3 M, last in first out 0.9 M
 * with long augmenting paths, first in first out fewer still; 3.2 s, 0.41 s, 0.18 s). A free column on the
 * level ends the search.
 */
static v2g_status SFN(lsap_sp_search)(LSAP_SPT *p, int64_t s) {
    int64_t size = 0, nt = 0, head = 0, top = 0, final_j = -1;   /* level queue: level[head, top) */
    LSAP_T mind = 0;
    for (int64_t e = p->rs[s]; e < p->rs[s + 1]; e++) {
        const LSAP_T c = SFN(lsap_sp_load)(p, e);
        if (LSAP_OFF(c)) continue;
        SFN(lsap_relax)(p, &size, &nt, s, p->ci[e], c - p->v[p->ci[e]], c);
    }
    while (final_j < 0) {
        if (head == top) {
            head = top = 0;
            if (size == 0) break;
            mind = p->hk[0];
            while (size > 0 && p->hk[0] == mind) {
                const int64_t j = SFN(lsap_heap_take)(p, 0, &size);
                p->pos[j] = -2;
                if (p->y[j] < 0 && (final_j < 0 || j < final_j)) final_j = j;
                p->level[top++] = j;
            }
            if (final_j >= 0) break;
        }
        const int64_t j = p->level[head++];
        const int64_t i = p->y[j];
        const LSAP_T shift = (p->xc[i] - p->v[j]) - mind; /* u_i - d_j */
        for (int64_t e = p->rs[i]; e < p->rs[i + 1]; e++) {
            const int64_t jj = p->ci[e];
            const int64_t pj = p->pos[jj];
            if (pj == -2) continue;
            const LSAP_T c = SFN(lsap_sp_load)(p, e);
            if (LSAP_OFF(c)) continue;
            const LSAP_T cand = c - p->v[jj] - shift;
            if (cand > mind) {
                SFN(lsap_relax)(p, &size, &nt, i, jj, cand, c);
                continue;
            }
            /* On the level (no reduced cost is negative, so nothing lies below it; a double may round under). */
            if (pj == -1) p->touched[nt++] = jj;
            else SFN(lsap_heap_take)(p, pj, &size);
            p->d[jj] = cand; p->pred[jj] = i; p->pc[jj] = c; p->pos[jj] = -2;
            if (p->y[jj] < 0) { final_j = jj; break; }
            p->level[top++] = jj;
        }
    }
    if (final_j < 0) return V2G_E_INFEASIBLE;
    for (int64_t t = 0; t < nt; t++) {
        const int64_t j = p->touched[t];
        if (p->pos[j] == -2 && p->d[j] < mind) p->v[j] += p->d[j] - mind;
        p->pos[j] = -1;
    }
    int64_t j = final_j;
    for (;;) {
        const int64_t i = p->pred[j];
        p->y[j] = i;
        const int64_t prev = p->x[i];
        p->x[i] = j;
        p->xc[i] = p->pc[j];
        if (i == s) break;
        j = prev;
    }
    return V2G_OK;
}

static v2g_status SFN(lsap_sp_kernel)(LSAP_SPT *p) {
    const size_t m = p->m, n = p->n;
    for (size_t j = 0; j < n; j++) { p->v[j] = 0; p->y[j] = -1; p->pos[j] = -1; }
    int64_t n_free = m == n ? SFN(lsap_sp_column_reduction)(p) : SFN(lsap_sp_row_start)(p);
    if (n_free < 0) return V2G_E_INFEASIBLE;
    double spread = 0, gap = 0;
    if (m == n && n_free > 0 && !SFN(lsap_sp_sample)(p, &spread, &gap)) {
        n_free = SFN(lsap_sp_scaled_auction)(p, n_free, spread, gap);
        if (n_free < 0) return V2G_E_INFEASIBLE;
    }
    for (int pass = 0; pass < 2 && n_free > 0; pass++) {
        n_free = SFN(lsap_sp_arr)(p, n_free);
        if (n_free < 0) return V2G_E_INFEASIBLE;
    }
    if (n_free > 0) n_free = SFN(lsap_sp_tight)(p, n_free);
    for (int64_t f = 0; f < n_free; f++) {
        const v2g_status st = SFN(lsap_sp_search)(p, p->free_rows[f]);
        if (st != V2G_OK) return st;
    }
    return V2G_OK;
}

#ifdef LSAP_SP_DEFINE_STRUCT   /* the resume runs on the first variant of a type (not negated, forbidden possible) */
/*
 * Resumes from a state the caller holds: x (m; -1 for a free row) and v (n) with every assigned row at a minimum
 * of c - v over its entries (the state a solve ends in, after which entries were added to the rows now free).
 * Only the free rows search; no initialisation, no ARR. V2G_E_INVALID if a row's column is not among its entries.
 */
static v2g_status SFN(lsap_sp_resume)(LSAP_SPT *p) {
    const size_t m = p->m, n = p->n;
    for (size_t j = 0; j < n; j++) { p->y[j] = -1; p->pos[j] = -1; }
    int64_t n_free = 0;
    for (size_t i = 0; i < m; i++) {
        const int64_t j = p->x[i];
        if (j < 0) { p->free_rows[n_free++] = (int64_t)i; continue; }
        int64_t e = p->rs[i];
        while (e < p->rs[i + 1] && p->ci[e] != j) e++;
        if (e == p->rs[i + 1] || (uint64_t)j >= (uint64_t)n || p->y[j] >= 0) return V2G_E_INVALID;
        p->y[j] = (int64_t)i;
        p->xc[i] = SFN(lsap_sp_load)(p, e);
    }
    for (int64_t f = 0; f < n_free; f++) {
        const v2g_status st = SFN(lsap_sp_search)(p, p->free_rows[f]);
        if (st != V2G_OK) return st;
    }
    return V2G_OK;
}
#endif

#undef SFN
#undef LSAP_SPT
#undef LSAP_OFF
#undef LSAP_CAT
#undef LSAP_CAT2
