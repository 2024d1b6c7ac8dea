/* ret.c - RET allocation (SPEC §3.3) in O((R + K) log(R + K)). */
#include "v2g/v2g_ret.h"

#include "id.h"
#include "int128.h"
#include "radix.h"
#include "robust.h"
#include "workspace.h"

typedef struct offer_rec {
    int64_t energy_wh;  /* capped at W */
    uint32_t pos;
    uint32_t reserved;
} offer_rec;

/* ---------------------------------------------------------------- unused-offer sets */

/*
 * Two path-halving union-find arrays over the offers sorted by energy
 * descending: next[i] leads to the first unused index >= i (sentinel n),
 * prev[i + 1] to the last unused index <= i (sentinel 0 meaning none).
 */
static inline uint32_t find_root(uint32_t *parent, uint32_t i) {
    while (parent[i] != i) {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    return i;
}

static inline void mark_used(uint32_t *next, uint32_t *prev, uint32_t i) {
    next[i] = i + 1;
    prev[i + 1] = i;
}

/* How many offers (sorted by energy descending) have energy >= bound, or > bound if strict. */
static size_t count_leading(const offer_rec *o, size_t n, int64_t bound, int strict) {
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int ahead = strict ? o[mid].energy_wh > bound : o[mid].energy_wh >= bound;
        if (ahead) lo = mid + 1; else hi = mid;
    }
    return lo;
}

/* ---------------------------------------------------------------- workspace */

typedef struct ret_arrays {
    v2g_robust robust;
    v2g_radix_rec *order, *order_tmp;
    v2g_id_rec *ids, *ids_tmp;
    uint32_t *by_id;
    offer_rec *offers;
    uint32_t *next, *prev;
} ret_arrays;

/* Reserves (ws == NULL) or takes (ws != NULL) every array, in one order for both. */
static int ret_layout(size_t r, size_t k, size_t e, size_t *total, v2g_ws *ws, ret_arrays *out) {
    if (!v2g_robust_layout(r, e, total, ws, out ? &out->robust : NULL)) return 0;
    V2G_WS_ARRAY(ws, total, out, order, r > k ? r : k, v2g_radix_rec);
    V2G_WS_ARRAY(ws, total, out, order_tmp, r > k ? r : k, v2g_radix_rec);
    V2G_WS_ARRAY(ws, total, out, ids, k, v2g_id_rec);
    V2G_WS_ARRAY(ws, total, out, ids_tmp, k, v2g_id_rec);
    V2G_WS_ARRAY(ws, total, out, by_id, k, uint32_t);
    V2G_WS_ARRAY(ws, total, out, offers, k, offer_rec);
    V2G_WS_ARRAY(ws, total, out, next, k + 2, uint32_t);
    V2G_WS_ARRAY(ws, total, out, prev, k + 2, uint32_t);
    return 1;
}

size_t v2g_ret_workspace_size(size_t request_count, size_t offer_count, size_t exchange_count) {
    if (request_count > V2G_MAX_ITEMS || offer_count > V2G_MAX_ITEMS || exchange_count > V2G_MAX_ITEMS) return 0;
    size_t total = 0;
    if (!ret_layout(request_count, offer_count, exchange_count, &total, NULL, NULL)) return 0;
    return v2g_ws_finish(total);
}

/* ---------------------------------------------------------------- steps */

static v2g_status validate_offers(const v2g_ret_offer *offers, size_t k, int64_t w) {
    if (k && !offers) return V2G_E_NULL;
    if (k > V2G_MAX_ITEMS) return V2G_E_OVERFLOW;
    if (w < 0) return V2G_E_NEGATIVE;
    for (size_t j = 0; j < k; j++) {
        if (!v2g_id_valid(offers[j].ev)) return V2G_E_NULL;
        if (offers[j].energy_wh < 0) return V2G_E_NEGATIVE;
    }
    return V2G_OK;
}

/* Step 5: cap offers at W, check EV IDs are unique, order by energy descending then EV ID. */
static v2g_status order_offers(const v2g_ret_offer *offers, size_t k, int64_t w, ret_arrays *a, size_t *positive) {
    v2g_status st = v2g_order_ids(offers, sizeof *offers, k, a->ids, a->ids_tmp, a->by_id);
    if (st != V2G_OK) return st;
    for (size_t j = 0; j < k; j++) {
        uint32_t pos = a->by_id[j];
        int64_t o = offers[pos].energy_wh < w ? offers[pos].energy_wh : w;
        /* Complemented energy sorts descending; records start in ID order, and the sort is stable. */
        a->order[j].key[0] = ~(uint64_t)o;
        a->order[j].item = pos;
    }
    v2g_radix_rec *sorted = v2g_radix_sort(a->order, a->order_tmp, k, 1);
    for (size_t j = 0; j < k; j++) {
        a->offers[j].energy_wh = (int64_t)~sorted[j].key[0];
        a->offers[j].pos = sorted[j].item;
        a->offers[j].reserved = 0;
    }
    *positive = count_leading(a->offers, k, 0, 1); /* offers of 0 are never used */
    return V2G_OK;
}

v2g_status v2g_ret_allocate(const v2g_ret_request *requests, size_t request_count,
                            const v2g_ret_offer *offers, size_t offer_count,
                            const v2g_ret_exchange *exchanges, size_t exchange_count,
                            int64_t charger_capacity_wh,
                            v2g_ret_allocation *allocations, size_t *allocation_count,
                            v2g_ret_outcome *outcomes, size_t *outcome_count,
                            void *workspace, size_t workspace_size) {
    if (!allocation_count || !outcome_count) return V2G_E_NULL;
    if ((offer_count && !allocations) || (request_count && !outcomes)) return V2G_E_NULL;
    v2g_status st = v2g_robust_validate(requests, sizeof *requests, request_count, exchanges, exchange_count);
    if (st == V2G_OK) st = validate_offers(offers, offer_count, charger_capacity_wh);
    if (st != V2G_OK) return st;
    size_t need = v2g_ret_workspace_size(request_count, offer_count, exchange_count);
    if (need == 0) return V2G_E_OVERFLOW;
    if (!workspace || workspace_size < need) return V2G_E_WORKSPACE;
    v2g_ws ws = v2g_ws_open(workspace, workspace_size);
    ret_arrays a;
    if (!ret_layout(request_count, offer_count, exchange_count, NULL, &ws, &a)) return V2G_E_WORKSPACE;

    st = v2g_robust_run(requests, sizeof *requests, request_count, exchanges, exchange_count, &a.robust);
    if (st != V2G_OK) return st;
    v2g_robust *rb = &a.robust;
    size_t kept = rb->kept;
    size_t k = 0;
    st = order_offers(offers, offer_count, charger_capacity_wh, &a, &k);
    if (st != V2G_OK) return st;

    /* Step 3: expected profit descending, then submission time; records start in (exchange, consumer) order,
     * which the stable sort keeps as the last tie-break. */
    for (size_t i = 0; i < kept; i++) {
        const v2g_ret_request *q = &requests[rb->kept_pos[i]];
        v2g_u128 profit = v2g_mul_u64((uint64_t)q->bid, (uint64_t)rb->kept_demand[i]);
        a.order[i].key[0] = v2g_radix_signed(q->submitted_at);
        a.order[i].key[1] = ~profit.lo;
        a.order[i].key[2] = ~profit.hi;
        a.order[i].item = (uint32_t)i;
    }
    const v2g_radix_rec *by_profit = v2g_radix_sort(a.order, a.order_tmp, kept, 3);

    for (uint32_t i = 0; i <= (uint32_t)k; i++) a.next[i] = i;      /* k = "none left" */
    for (uint32_t i = 0; i <= (uint32_t)k; i++) a.prev[i] = i;      /* prev[i + 1] for index i; 0 = none */

    /* Step 6. */
    size_t n_alloc = 0;
    int exhausted = (k == 0);
    for (size_t r = 0; r < kept; r++) {
        uint32_t ki = by_profit[r].item;
        v2g_ret_outcome *out = &outcomes[r];
        out->request = (int64_t)rb->kept_pos[ki];
        out->demand_wh = rb->kept_demand[ki];
        out->allocated_wh = 0;
        out->fulfilled = 0;
        out->reserved = 0;
        int64_t *quota = &rb->group_quota[rb->kept_group[ki]];
        if (exhausted || *quota <= 0 || out->demand_wh == 0) continue;

        int64_t remaining = out->demand_wh;
        while (remaining > 0) {
            uint32_t first = find_root(a.next, 0);
            if (first >= k) { exhausted = 1; break; }
            size_t covering = count_leading(a.offers, k, remaining, 0);
            uint32_t pick;
            int64_t energy;
            uint32_t fit = covering ? find_root(a.prev, (uint32_t)covering) : 0;
            if (fit > 0) {
                /* Best fit: the smallest unused covering energy, and among equals the smallest EV ID. */
                int64_t value = a.offers[fit - 1].energy_wh;
                size_t group_start = count_leading(a.offers, k, value, 1);
                pick = find_root(a.next, (uint32_t)group_start);
                energy = remaining;
            } else {
                pick = first;
                energy = a.offers[pick].energy_wh;
            }
            mark_used(a.next, a.prev, pick);
            allocations[n_alloc].request = out->request;
            allocations[n_alloc].offer = (int64_t)a.offers[pick].pos;
            allocations[n_alloc].energy_wh = energy;
            n_alloc++;
            remaining -= energy;
            out->allocated_wh += energy;
        }
        if (remaining == 0) {
            out->fulfilled = 1;
            (*quota)--;
        }
    }
    *allocation_count = n_alloc;
    *outcome_count = kept;
    return V2G_OK;
}
