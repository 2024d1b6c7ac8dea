/*
 * ret_reference.h - a plain RET written straight from [T] Algorithm 1.
 *
 * Quadratic loops, insertion sorts, 128-bit products (ref_wide.h): deliberately nothing
 * shared with the fast implementation, so agreement on random inputs means
 * something. Used by test_ret.c and bench/ret_bench.c.
 */
#ifndef V2G_RET_REFERENCE_H
#define V2G_RET_REFERENCE_H

#include <stdlib.h>
#include <string.h>
#include "ref_wide.h"
#include "v2g/v2g_ret.h"

static inline int ref_id_cmp(v2g_id a, v2g_id b) {
    size_t n = a.length < b.length ? a.length : b.length;
    for (size_t i = 0; i < n; i++)
        if (a.bytes[i] != b.bytes[i]) return a.bytes[i] < b.bytes[i] ? -1 : 1;
    return a.length == b.length ? 0 : (a.length < b.length ? -1 : 1);
}

typedef struct ref_ret_state {
    const v2g_ret_request *req;
    int64_t *demand;
} ref_ret_state;

/* Does kept request x come before y in the profit order (line 21 plus SPEC §3.3 ties)? */
static inline int ref_before(const ref_ret_state *s, size_t x, size_t y) {
    const ref_wide px = ref_wide_mul_u64((uint64_t)s->req[x].bid, (uint64_t)s->demand[x]);
    const ref_wide py = ref_wide_mul_u64((uint64_t)s->req[y].bid, (uint64_t)s->demand[y]);
    if (ref_wide_cmp(px, py) != 0) return ref_wide_cmp(px, py) > 0;
    if (s->req[x].submitted_at != s->req[y].submitted_at) return s->req[x].submitted_at < s->req[y].submitted_at;
    int c = ref_id_cmp(s->req[x].exchange, s->req[y].exchange);
    if (c != 0) return c < 0;
    return ref_id_cmp(s->req[x].consumer, s->req[y].consumer) < 0;
}

/*
 * Lines 11-20 and 22-27 of Algorithm 1: keeps the latest request of each consumer (ties: the later in
 * the list) in `list` (input order), scales demands by the consumer penalty into demand[p], and puts
 * each exchange's quota at quota[home[p]], home[p] being the first kept request of p's exchange.
 */
static inline size_t ref_robust(const v2g_ret_request *req, size_t r, const v2g_ret_exchange *ex, size_t e,
                         size_t *list, int64_t *demand, int64_t *quota, size_t *home) {
    size_t kept = 0;
    for (size_t p = 0; p < r; p++) {
        int keep = 1;
        for (size_t q = 0; q < r; q++) {
            if (q == p || ref_id_cmp(req[p].exchange, req[q].exchange) != 0 ||
                ref_id_cmp(req[p].consumer, req[q].consumer) != 0) continue;
            if (req[q].submitted_at > req[p].submitted_at ||
                (req[q].submitted_at == req[p].submitted_at && q > p)) keep = 0;
        }
        if (keep) list[kept++] = p;
    }
    for (size_t x = 0; x < kept; x++) {
        size_t p = list[x];
        demand[p] = (int64_t)ref_wide_div_u64(ref_wide_mul_u64((uint64_t)req[p].energy_wh, (uint64_t)req[p].penalty_ppm),
                                              1000000u);
        home[p] = p;
        for (size_t y = 0; y < x; y++)
            if (ref_id_cmp(req[list[y]].exchange, req[p].exchange) == 0) { home[p] = home[list[y]]; break; }
        if (home[p] == p) {
            int64_t n = 0;
            for (size_t y = 0; y < kept; y++) if (ref_id_cmp(req[list[y]].exchange, req[p].exchange) == 0) n++;
            int64_t f = 1000000;
            for (size_t z = 0; z < e; z++)
                if (ref_id_cmp(ex[z].exchange, req[p].exchange) == 0) f = ex[z].penalty_ppm;
            quota[p] = n * f / 1000000;
        }
    }
    return kept;
}

/* Returns V2G_OK, or V2G_E_DUPLICATE for repeated EV IDs; other validation is the fast path's job. */
static inline v2g_status ref_ret(const v2g_ret_request *req, size_t r, const v2g_ret_offer *off, size_t k,
                          const v2g_ret_exchange *ex, size_t e, int64_t w,
                          v2g_ret_allocation *alloc, size_t *n_alloc, v2g_ret_outcome *out, size_t *n_out) {
    for (size_t a = 0; a < k; a++)
        for (size_t b = a + 1; b < k; b++)
            if (ref_id_cmp(off[a].ev, off[b].ev) == 0) return V2G_E_DUPLICATE;
    for (size_t a = 0; a < e; a++)
        for (size_t b = a + 1; b < e; b++)
            if (ref_id_cmp(ex[a].exchange, ex[b].exchange) == 0) return V2G_E_DUPLICATE;

    size_t *list = calloc(r + 1, sizeof(size_t));
    int64_t *demand = calloc(r + 1, sizeof(int64_t));
    int64_t *quota = calloc(r + 1, sizeof(int64_t));
    size_t *home = calloc(r + 1, sizeof(size_t));
    size_t *order = calloc(k + 1, sizeof(size_t));
    int64_t *o = calloc(k + 1, sizeof(int64_t));
    int *used = calloc(k + 1, sizeof(int));

    size_t kept = ref_robust(req, r, ex, e, list, demand, quota, home);
    /* Line 21: order by expected profit. */
    ref_ret_state st = {req, demand};
    for (size_t x = 1; x < kept; x++) {
        size_t v = list[x], y = x;
        while (y > 0 && ref_before(&st, v, list[y - 1])) { list[y] = list[y - 1]; y--; }
        list[y] = v;
    }
    /* Lines 28-30: cap offers at W and order them by energy, descending (ties: EV ID). */
    for (size_t j = 0; j < k; j++) { o[j] = off[j].energy_wh < w ? off[j].energy_wh : w; order[j] = j; }
    for (size_t x = 1; x < k; x++) {
        size_t v = order[x], y = x;
        while (y > 0 && (o[v] > o[order[y - 1]] ||
                         (o[v] == o[order[y - 1]] && ref_id_cmp(off[v].ev, off[order[y - 1]].ev) < 0))) {
            order[y] = order[y - 1]; y--;
        }
        order[y] = v;
    }
    /* Lines 31-59: serve requests in order. */
    size_t na = 0, no = 0;
    int exhausted = 0;
    for (size_t x = 0; x < kept; x++) {
        size_t p = list[x];
        v2g_ret_outcome *res = &out[no++];
        memset(res, 0, sizeof *res);
        res->request = (int64_t)p;
        res->demand_wh = demand[p];
        if (exhausted || quota[home[p]] <= 0 || demand[p] == 0) continue;
        int64_t rem = demand[p];
        for (;;) {
            size_t best = k, largest = k;
            for (size_t y = 0; y < k; y++) {
                size_t j = order[y];
                if (used[j] || o[j] == 0) continue;
                if (largest == k) largest = j;
                if (o[j] >= rem && (best == k || o[j] < o[best])) best = j;
            }
            if (largest == k) { exhausted = 1; break; }
            size_t j = best != k ? best : largest;
            int64_t give = best != k ? rem : o[j];
            used[j] = 1;
            alloc[na].request = (int64_t)p;
            alloc[na].offer = (int64_t)j;
            alloc[na].energy_wh = give;
            na++;
            res->allocated_wh += give;
            rem -= give;
            if (rem == 0) { res->fulfilled = 1; quota[home[p]]--; break; }
        }
    }
    *n_alloc = na;
    *n_out = no;
    free(list); free(demand); free(quota); free(order); free(o); free(used); free(home);
    return V2G_OK;
}

#endif /* V2G_RET_REFERENCE_H */
