/* ret.c - RET allocation (SPEC §3.3) in O((R + K) log(R + K)). */
#include "v2g/v2g_ret.h"

#include "id.h"
#include "int128.h"
#include "mergesort.h"
#include "radix.h"
#include "workspace.h"

#define RET_MAX_COUNT ((size_t)UINT32_MAX - 2)

/* ---------------------------------------------------------------- records */

typedef struct dedup_rec {
    uint64_t exchange_key;
    uint64_t consumer_key;
    int64_t submitted_at;
    uint32_t exchange_len;  /* lengths, capped: they settle ties of the prefix keys without reading IDs */
    uint32_t consumer_len;
    uint32_t pos;
} dedup_rec;

typedef struct id_rec {
    uint64_t key;
    uint32_t len;
    uint32_t pos;
} id_rec;

typedef struct offer_rec {
    int64_t energy_wh;  /* capped at W */
    uint32_t pos;
    uint32_t reserved;
} offer_rec;

/* ---------------------------------------------------------------- orderings */

/* Only "8 or fewer, and which" and "more than 8" matter to v2g_id_cmp_keyed. */
static inline uint32_t cap_len(size_t length) { return length > 9 ? 9 : (uint32_t)length; }

static inline int same_exchange(const v2g_ret_request *req, const dedup_rec *a, const dedup_rec *b) {
    return v2g_id_cmp_keyed(a->exchange_key, a->exchange_len, &req[a->pos].exchange,
                            b->exchange_key, b->exchange_len, &req[b->pos].exchange) == 0;
}

static inline int dedup_less(const v2g_ret_request *req, const dedup_rec *a, const dedup_rec *b) {
    int c = v2g_id_cmp_keyed(a->exchange_key, a->exchange_len, &req[a->pos].exchange,
                             b->exchange_key, b->exchange_len, &req[b->pos].exchange);
    if (c != 0) return c < 0;
    c = v2g_id_cmp_keyed(a->consumer_key, a->consumer_len, &req[a->pos].consumer,
                         b->consumer_key, b->consumer_len, &req[b->pos].consumer);
    if (c != 0) return c < 0;
    if (a->submitted_at != b->submitted_at) return a->submitted_at < b->submitted_at;
    return a->pos < b->pos;
}

static inline int offer_id_less(const v2g_ret_offer *off, const id_rec *a, const id_rec *b) {
    int c = v2g_id_cmp_keyed(a->key, a->len, &off[a->pos].ev, b->key, b->len, &off[b->pos].ev);
    return c != 0 ? c < 0 : a->pos < b->pos;
}

static inline int exchange_id_less(const v2g_ret_exchange *ex, const id_rec *a, const id_rec *b) {
    int c = v2g_id_cmp_keyed(a->key, a->len, &ex[a->pos].exchange, b->key, b->len, &ex[b->pos].exchange);
    return c != 0 ? c < 0 : a->pos < b->pos;
}


V2G_DEFINE_MERGESORT(sort_dedup, dedup_rec, v2g_ret_request, dedup_less)
V2G_DEFINE_MERGESORT(sort_offer_ids, id_rec, v2g_ret_offer, offer_id_less)
V2G_DEFINE_MERGESORT(sort_exchange_ids, id_rec, v2g_ret_exchange, exchange_id_less)

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
    dedup_rec *dedup, *dedup_tmp;
    v2g_radix_rec *order, *order_tmp;
    uint32_t *kept_pos, *kept_group;
    int64_t *kept_demand, *group_quota;
    id_rec *ids, *ids_tmp;
    id_rec *ex_ids, *ex_ids_tmp;
    offer_rec *offers;
    uint32_t *next, *prev;
} ret_arrays;

/* Reserves (ws == NULL) or takes (ws != NULL) every array, in one order for both. */
static int ret_layout(size_t r, size_t k, size_t e, size_t *total, v2g_ws *ws, ret_arrays *out) {
#define RET_BLOCK(field, count, type)                                          \
    do {                                                                       \
        if (ws) { if (!(out->field = v2g_ws_take(ws, (count), sizeof(type)))) return 0; } \
        else if (!v2g_ws_reserve(total, (count), sizeof(type))) return 0;      \
    } while (0)
    RET_BLOCK(dedup, r, dedup_rec);
    RET_BLOCK(dedup_tmp, r, dedup_rec);
    RET_BLOCK(order, r > k ? r : k, v2g_radix_rec);
    RET_BLOCK(order_tmp, r > k ? r : k, v2g_radix_rec);
    RET_BLOCK(kept_pos, r, uint32_t);
    RET_BLOCK(kept_group, r, uint32_t);
    RET_BLOCK(kept_demand, r, int64_t);
    RET_BLOCK(group_quota, r, int64_t);
    RET_BLOCK(ids, k, id_rec);
    RET_BLOCK(ids_tmp, k, id_rec);
    RET_BLOCK(ex_ids, e, id_rec);
    RET_BLOCK(ex_ids_tmp, e, id_rec);
    RET_BLOCK(offers, k, offer_rec);
    RET_BLOCK(next, k + 2, uint32_t);
    RET_BLOCK(prev, k + 2, uint32_t);
#undef RET_BLOCK
    return 1;
}

size_t v2g_ret_workspace_size(size_t request_count, size_t offer_count, size_t exchange_count) {
    if (request_count > RET_MAX_COUNT || offer_count > RET_MAX_COUNT || exchange_count > RET_MAX_COUNT) return 0;
    size_t total = 0;
    if (!ret_layout(request_count, offer_count, exchange_count, &total, NULL, NULL)) return 0;
    return v2g_ws_finish(total);
}

/* ---------------------------------------------------------------- validation */

static v2g_status validate(const v2g_ret_request *requests, size_t r,
                           const v2g_ret_offer *offers, size_t k,
                           const v2g_ret_exchange *exchanges, size_t e, int64_t w) {
    if ((r && !requests) || (k && !offers) || (e && !exchanges)) return V2G_E_NULL;
    if (r > RET_MAX_COUNT || k > RET_MAX_COUNT || e > RET_MAX_COUNT) return V2G_E_OVERFLOW;
    if (w < 0) return V2G_E_NEGATIVE;
    for (size_t i = 0; i < r; i++) {
        const v2g_ret_request *q = &requests[i];
        if (!v2g_id_valid(q->exchange) || !v2g_id_valid(q->consumer)) return V2G_E_NULL;
        if (q->energy_wh < 0 || q->bid < 0) return V2G_E_NEGATIVE;
        if (q->penalty_ppm < 0 || q->penalty_ppm > V2G_PPM_ONE) return V2G_E_RANGE;
        if (q->reserved != 0) return V2G_E_INVALID;
    }
    for (size_t j = 0; j < k; j++) {
        if (!v2g_id_valid(offers[j].ev)) return V2G_E_NULL;
        if (offers[j].energy_wh < 0) return V2G_E_NEGATIVE;
    }
    for (size_t x = 0; x < e; x++) {
        if (!v2g_id_valid(exchanges[x].exchange)) return V2G_E_NULL;
        if (exchanges[x].penalty_ppm < 0 || exchanges[x].penalty_ppm > V2G_PPM_ONE) return V2G_E_RANGE;
        if (exchanges[x].reserved != 0) return V2G_E_INVALID;
    }
    return V2G_OK;
}

/* ---------------------------------------------------------------- steps */

/* Steps 1-2: keep the latest request per (exchange, consumer); scale its demand. Returns the kept count. */
static size_t deduplicate(const v2g_ret_request *requests, size_t r, ret_arrays *a) {
    for (size_t i = 0; i < r; i++) {
        a->dedup[i].exchange_key = v2g_id_prefix(requests[i].exchange);
        a->dedup[i].consumer_key = v2g_id_prefix(requests[i].consumer);
        a->dedup[i].submitted_at = requests[i].submitted_at;
        a->dedup[i].exchange_len = cap_len(requests[i].exchange.length);
        a->dedup[i].consumer_len = cap_len(requests[i].consumer.length);
        a->dedup[i].pos = (uint32_t)i;
    }
    sort_dedup(a->dedup, a->dedup_tmp, r, requests);

    size_t kept = 0, groups = 0;
    const dedup_rec *last_kept = NULL;
    for (size_t i = 0; i < r; i++) {
        const dedup_rec *cur = &a->dedup[i];
        const v2g_ret_request *q = &requests[cur->pos];
        if (i + 1 < r) {
            const dedup_rec *nxt = &a->dedup[i + 1];
            if (same_exchange(requests, cur, nxt) &&
                v2g_id_cmp_keyed(cur->consumer_key, cur->consumer_len, &q->consumer,
                                 nxt->consumer_key, nxt->consumer_len, &requests[nxt->pos].consumer) == 0)
                continue; /* a later request of the same consumer supersedes this one */
        }
        if (!last_kept || !same_exchange(requests, last_kept, cur)) a->group_quota[groups++] = 0;
        last_kept = cur;
        a->kept_pos[kept] = cur->pos;
        a->kept_group[kept] = (uint32_t)(groups - 1);
        a->group_quota[groups - 1]++;
        int64_t demand = 0;
        (void)v2g_scale_floor(q->energy_wh, (uint64_t)q->penalty_ppm, V2G_PPM_ONE, &demand);
        a->kept_demand[kept] = demand;
        kept++;
    }
    return kept;
}

/* Step 4: quota per exchange group, from n(R_i) and the exchange table. Groups are in exchange-ID order. */
static v2g_status apply_exchange_quotas(const v2g_ret_request *requests, const v2g_ret_exchange *exchanges,
                                        size_t e, ret_arrays *a, size_t kept) {
    for (size_t x = 0; x < e; x++) {
        a->ex_ids[x].key = v2g_id_prefix(exchanges[x].exchange);
        a->ex_ids[x].len = cap_len(exchanges[x].exchange.length);
        a->ex_ids[x].pos = (uint32_t)x;
    }
    sort_exchange_ids(a->ex_ids, a->ex_ids_tmp, e, exchanges);
    for (size_t x = 1; x < e; x++) {
        if (v2g_id_cmp_full(exchanges[a->ex_ids[x - 1].pos].exchange, exchanges[a->ex_ids[x].pos].exchange) == 0)
            return V2G_E_DUPLICATE;
    }
    /* Merge-walk the groups (each starts at its first kept request) against the sorted table. */
    size_t x = 0;
    for (size_t i = 0; i < kept; i++) {
        if (i > 0 && a->kept_group[i] == a->kept_group[i - 1]) continue;
        v2g_id id = requests[a->kept_pos[i]].exchange;
        int c = 1;
        while (x < e && (c = v2g_id_cmp_full(exchanges[a->ex_ids[x].pos].exchange, id)) < 0) x++;
        if (x < e && c == 0) {
            uint32_t g = a->kept_group[i];
            int64_t n = a->group_quota[g];
            (void)v2g_scale_floor(n, (uint64_t)exchanges[a->ex_ids[x].pos].penalty_ppm, V2G_PPM_ONE,
                                  &a->group_quota[g]);
        }
    }
    return V2G_OK;
}

/* Step 5: cap offers at W, check EV IDs are unique, order by energy descending then EV ID. */
static v2g_status order_offers(const v2g_ret_offer *offers, size_t k, int64_t w, ret_arrays *a, size_t *positive) {
    for (size_t j = 0; j < k; j++) {
        a->ids[j].key = v2g_id_prefix(offers[j].ev);
        a->ids[j].len = cap_len(offers[j].ev.length);
        a->ids[j].pos = (uint32_t)j;
    }
    sort_offer_ids(a->ids, a->ids_tmp, k, offers);
    for (size_t j = 0; j < k; j++) {
        if (j > 0 && v2g_id_cmp_keyed(a->ids[j - 1].key, a->ids[j - 1].len, &offers[a->ids[j - 1].pos].ev,
                                      a->ids[j].key, a->ids[j].len, &offers[a->ids[j].pos].ev) == 0)
            return V2G_E_DUPLICATE;
        uint32_t pos = a->ids[j].pos;
        int64_t o = offers[pos].energy_wh < w ? offers[pos].energy_wh : w;
        /* Complemented energy sorts descending; records start in ID order, and the sort is stable. */
        a->order[j].key[0] = ~(uint64_t)o;
        a->order[j].item = pos;
    }
    v2g_radix_rec *sorted = v2g_radix_sort(a->order, a->order_tmp, k, 1);
    for (size_t j = 0; j < k; j++) {
        uint32_t pos = sorted[j].item;
        a->offers[j].energy_wh = (int64_t)~sorted[j].key[0];
        a->offers[j].pos = pos;
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
    v2g_status st = validate(requests, request_count, offers, offer_count, exchanges, exchange_count,
                             charger_capacity_wh);
    if (st != V2G_OK) return st;
    size_t need = v2g_ret_workspace_size(request_count, offer_count, exchange_count);
    if (need == 0) return V2G_E_OVERFLOW;
    if (!workspace || workspace_size < need) return V2G_E_WORKSPACE;
    v2g_ws ws = v2g_ws_open(workspace, workspace_size);
    ret_arrays a;
    if (!ret_layout(request_count, offer_count, exchange_count, NULL, &ws, &a)) return V2G_E_WORKSPACE;

    size_t kept = deduplicate(requests, request_count, &a);
    st = apply_exchange_quotas(requests, exchanges, exchange_count, &a, kept);
    if (st != V2G_OK) return st;
    size_t k = 0;
    st = order_offers(offers, offer_count, charger_capacity_wh, &a, &k);
    if (st != V2G_OK) return st;

    /* Step 3: expected profit descending, then submission time; records start in (exchange, consumer) order,
     * which the stable sort keeps as the last tie-break. */
    for (size_t i = 0; i < kept; i++) {
        const v2g_ret_request *q = &requests[a.kept_pos[i]];
        v2g_u128 profit = v2g_mul_u64((uint64_t)q->bid, (uint64_t)a.kept_demand[i]);
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
        out->request = (int64_t)a.kept_pos[ki];
        out->demand_wh = a.kept_demand[ki];
        out->allocated_wh = 0;
        out->fulfilled = 0;
        out->reserved = 0;
        int64_t *quota = &a.group_quota[a.kept_group[ki]];
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
