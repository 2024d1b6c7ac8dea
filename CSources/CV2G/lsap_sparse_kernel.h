/*
 * lsap_sparse_kernel.h - shortest augmenting paths on CSR costs, instantiated per cost type.
 *
 * Internal to CV2G; included by lsap_sparse.c with LSAP_T, LSAP_SUF, LSAP_INF,
 * LSAP_UNREACH and LSAP_FORBID (the stored forbidden value). Solves m x n with
 * m <= n, minimising sign * cost (sign = -1 maximises); same potentials and
 * invariants as the dense kernel (lsap_kernel.h): v starts at 0, each row
 * first takes its cheapest column if free, two passes of augmenting row
 * reduction (ARR, as the dense kernel's, never lowering v below floor_v)
 * leave few rows free, then Dijkstra with a binary heap over the columns a
 * search reaches, so one search costs O(nnz_reached log n).
 */

#define LSAP_CAT2(a, b) a##_##b
#define LSAP_CAT(a, b) LSAP_CAT2(a, b)
#define SFN(name) LSAP_CAT(name, LSAP_SUF)

typedef struct SFN(lsap_sp) {
    size_t m, n;
    const int64_t *rs, *ci;
    const LSAP_T *cv;
    int neg;
    int64_t *x, *y, *pred, *heap, *pos, *touched, *free_rows;
    LSAP_T *v, *d, *pc, *xc;
    LSAP_T floor_v;   /* -(4K + 1): no initial lowering goes below it (docs/lsap.md, bounds) */
} SFN(lsap_sp);

static inline LSAP_T SFN(lsap_sp_load)(const SFN(lsap_sp) *p, int64_t e) {
    const LSAP_T c = p->cv[e];
    if (c == LSAP_FORBID) return LSAP_INF;
    return p->neg ? -c : c;
}

static void SFN(lsap_heap_up)(SFN(lsap_sp) *p, int64_t k) {
    const int64_t j = p->heap[k];
    const LSAP_T dj = p->d[j];
    while (k > 0) {
        const int64_t parent = (k - 1) / 2, pj = p->heap[parent];
        if (!(dj < p->d[pj] || (dj == p->d[pj] && j < pj))) break;
        p->heap[k] = pj; p->pos[pj] = k; k = parent;
    }
    p->heap[k] = j; p->pos[j] = k;
}

static int64_t SFN(lsap_heap_pop)(SFN(lsap_sp) *p, int64_t *size) {
    const int64_t top = p->heap[0];
    const int64_t last = p->heap[--*size];
    int64_t k = 0;
    const LSAP_T dl = p->d[last];
    for (;;) {
        int64_t ch = 2 * k + 1;
        if (ch >= *size) break;
        if (ch + 1 < *size) {
            const int64_t a = p->heap[ch], b = p->heap[ch + 1];
            if (p->d[b] < p->d[a] || (p->d[b] == p->d[a] && b < a)) ch++;
        }
        const int64_t cj = p->heap[ch];
        if (!(p->d[cj] < dl || (p->d[cj] == dl && cj < last))) break;
        p->heap[k] = cj; p->pos[cj] = k; k = ch;
    }
    if (*size > 0) { p->heap[k] = last; p->pos[last] = k; }
    return top;
}

/* Relaxes column j reached from row i with distance cand over an edge of cost c. */
static inline void SFN(lsap_relax)(SFN(lsap_sp) *p, int64_t *size, int64_t *nt, int64_t i, int64_t j,
                                   LSAP_T cand, LSAP_T c) {
    const int64_t pj = p->pos[j];
    if (pj == -2) return;
    if (pj == -1) {
        p->touched[(*nt)++] = j;
        p->d[j] = cand; p->pred[j] = i; p->pc[j] = c;
        p->heap[*size] = j;
        SFN(lsap_heap_up)(p, (*size)++);
    } else if (cand < p->d[j]) {
        p->d[j] = cand; p->pred[j] = i; p->pc[j] = c;
        SFN(lsap_heap_up)(p, pj);
    }
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
static int64_t SFN(lsap_sp_arr)(SFN(lsap_sp) *p, int64_t n_free) {
    int64_t current = 0, new_free = 0, rr_cnt = 0;
    const int64_t limit_n = (int64_t)p->n;
    while (current < n_free) {
        if (rr_cnt >= LSAP_SP_ARR_BUDGET * n_free) {
            while (current < n_free) p->free_rows[new_free++] = p->free_rows[current++];
            break;
        }
        rr_cnt++;
        const int64_t i = p->free_rows[current++];
        LSAP_T v1 = LSAP_INF, v2 = LSAP_INF, c1 = 0, c2 = 0;
        int64_t j1 = -1, j2 = -1;
        for (int64_t e = p->rs[i]; e < p->rs[i + 1]; e++) {
            const LSAP_T c = SFN(lsap_sp_load)(p, e);
            if (c >= LSAP_UNREACH) continue;
            const int64_t j = p->ci[e];
            const LSAP_T h = c - p->v[j];
            /* Ties go to the lower column, as in the greedy start and the heap. */
            if (h < v1 || (h == v1 && j < j1)) { v2 = v1; j2 = j1; c2 = c1; v1 = h; j1 = j; c1 = c; }
            else if (h < v2 || (h == v2 && j < j2)) { v2 = h; j2 = j; c2 = c; }
        }
        if (j1 < 0) return -1;
        int64_t i0 = p->y[j1];
        const LSAP_T vj1 = p->v[j1];
        LSAP_T nv = j2 < 0 ? p->floor_v : vj1 - (v2 - v1);
        if (nv < p->floor_v) nv = p->floor_v;
        const int lowers = nv < vj1;
        LSAP_T cost = c1;
        if (rr_cnt < current * limit_n) {
            if (lowers) p->v[j1] = nv;
            else if (i0 >= 0 && j2 >= 0 && v2 == v1) { j1 = j2; i0 = p->y[j2]; cost = c2; }
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

static v2g_status SFN(lsap_sp_kernel)(SFN(lsap_sp) *p) {
    const size_t m = p->m, n = p->n;
    for (size_t j = 0; j < n; j++) { p->v[j] = 0; p->y[j] = -1; p->pos[j] = -1; }
    int64_t n_free = 0;
    for (size_t i = 0; i < m; i++) {
        LSAP_T best = LSAP_INF;
        int64_t bj = -1;
        for (int64_t e = p->rs[i]; e < p->rs[i + 1]; e++) {
            const LSAP_T c = SFN(lsap_sp_load)(p, e);
            if (c < best || (c == best && bj >= 0 && p->ci[e] < bj)) { best = c; bj = p->ci[e]; }
        }
        if (bj < 0 || best >= LSAP_UNREACH) return V2G_E_INFEASIBLE;
        if (p->y[bj] < 0) { p->x[i] = bj; p->y[bj] = (int64_t)i; p->xc[i] = best; }
        else { p->x[i] = -1; p->free_rows[n_free++] = (int64_t)i; }
    }
    for (int pass = 0; pass < 2 && n_free > 0; pass++) {
        n_free = SFN(lsap_sp_arr)(p, n_free);
        if (n_free < 0) return V2G_E_INFEASIBLE;
    }
    for (int64_t f = 0; f < n_free; f++) {
        const int64_t s = p->free_rows[f];
        int64_t size = 0, nt = 0, final_j = -1;
        LSAP_T mind = 0;
        for (int64_t e = p->rs[s]; e < p->rs[s + 1]; e++) {
            const LSAP_T c = SFN(lsap_sp_load)(p, e);
            if (c >= LSAP_UNREACH) continue;
            SFN(lsap_relax)(p, &size, &nt, s, p->ci[e], c - p->v[p->ci[e]], c);
        }
        while (size > 0) {
            const int64_t j = SFN(lsap_heap_pop)(p, &size);
            p->pos[j] = -2;
            mind = p->d[j];
            if (p->y[j] < 0) { final_j = j; break; }
            const int64_t i = p->y[j];
            const LSAP_T shift = (p->xc[i] - p->v[j]) - mind; /* u_i - d_j */
            for (int64_t e = p->rs[i]; e < p->rs[i + 1]; e++) {
                const int64_t jj = p->ci[e];
                if (p->pos[jj] == -2) continue;
                const LSAP_T c = SFN(lsap_sp_load)(p, e);
                if (c >= LSAP_UNREACH) continue;
                SFN(lsap_relax)(p, &size, &nt, i, jj, c - p->v[jj] - shift, c);
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
    }
    return V2G_OK;
}

#undef SFN
#undef LSAP_CAT
#undef LSAP_CAT2
