/*
 * lsap_sparse_kernel.h - shortest augmenting paths on CSR costs, instantiated per cost type.
 *
 * Internal to CV2G; included by lsap_sparse.c with LSAP_T, LSAP_SUF, LSAP_INF,
 * LSAP_UNREACH and LSAP_FORBID (the stored forbidden value). Solves m x n with
 * m <= n, minimising sign * cost (sign = -1 maximises); same potentials and
 * invariants as the dense kernel (lsap_kernel.h): v starts at 0, each row
 * first takes its cheapest column if free, then Dijkstra with a binary heap
 * over the columns a search reaches, so one search costs O(nnz_reached log n).
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
