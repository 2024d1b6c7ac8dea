/* robust.c - deduplication, consumer penalties and exchange quotas shared by RET and SRET. */
#include "robust.h"

#include "id.h"
#include "int128.h"
#include "mergesort.h"

struct v2g_dedup_rec {
    uint64_t exchange_key;
    uint64_t consumer_key;
    int64_t submitted_at;
    uint32_t exchange_len;  /* capped lengths settle ties of the prefix keys without reading IDs */
    uint32_t consumer_len;
    uint32_t pos;
};

typedef struct strided {
    const unsigned char *base;
    size_t stride;
} strided;

static inline const v2g_id *id_at(const strided *s, uint32_t pos, size_t offset) {
    return (const v2g_id *)(s->base + s->stride * pos + offset);
}

/* Only "8 or fewer, and which" and "more than 8" matter to v2g_id_cmp_keyed. */
static inline uint32_t cap_len(size_t length) { return length > 9 ? 9 : (uint32_t)length; }

#define EXCHANGE_AT offsetof(v2g_ret_request, exchange)
#define CONSUMER_AT offsetof(v2g_ret_request, consumer)

static inline int same_exchange(const strided *s, const v2g_dedup_rec *a, const v2g_dedup_rec *b) {
    return v2g_id_cmp_keyed(a->exchange_key, a->exchange_len, id_at(s, a->pos, EXCHANGE_AT),
                            b->exchange_key, b->exchange_len, id_at(s, b->pos, EXCHANGE_AT)) == 0;
}

static inline int same_consumer(const strided *s, const v2g_dedup_rec *a, const v2g_dedup_rec *b) {
    return v2g_id_cmp_keyed(a->consumer_key, a->consumer_len, id_at(s, a->pos, CONSUMER_AT),
                            b->consumer_key, b->consumer_len, id_at(s, b->pos, CONSUMER_AT)) == 0;
}

static inline int dedup_less(const strided *s, const v2g_dedup_rec *a, const v2g_dedup_rec *b) {
    int c = v2g_id_cmp_keyed(a->exchange_key, a->exchange_len, id_at(s, a->pos, EXCHANGE_AT),
                             b->exchange_key, b->exchange_len, id_at(s, b->pos, EXCHANGE_AT));
    if (c != 0) return c < 0;
    c = v2g_id_cmp_keyed(a->consumer_key, a->consumer_len, id_at(s, a->pos, CONSUMER_AT),
                         b->consumer_key, b->consumer_len, id_at(s, b->pos, CONSUMER_AT));
    if (c != 0) return c < 0;
    if (a->submitted_at != b->submitted_at) return a->submitted_at < b->submitted_at;
    return a->pos < b->pos;
}

static inline int id_less(const strided *s, const v2g_id_rec *a, const v2g_id_rec *b) {
    int c = v2g_id_cmp_keyed(a->key, a->len, id_at(s, a->pos, 0), b->key, b->len, id_at(s, b->pos, 0));
    return c != 0 ? c < 0 : a->pos < b->pos;
}

V2G_DEFINE_MERGESORT(sort_dedup, v2g_dedup_rec, strided, dedup_less)
V2G_DEFINE_MERGESORT(sort_ids, v2g_id_rec, strided, id_less)

int v2g_robust_layout(size_t r, size_t e, size_t *total, v2g_ws *ws, v2g_robust *out) {
    V2G_WS_ARRAY(ws, total, out, dedup, r, v2g_dedup_rec);
    V2G_WS_ARRAY(ws, total, out, dedup_tmp, r, v2g_dedup_rec);
    V2G_WS_ARRAY(ws, total, out, kept_pos, r, uint32_t);
    V2G_WS_ARRAY(ws, total, out, kept_group, r, uint32_t);
    V2G_WS_ARRAY(ws, total, out, kept_demand, r, int64_t);
    V2G_WS_ARRAY(ws, total, out, group_quota, r, int64_t);
    V2G_WS_ARRAY(ws, total, out, ex_ids, e, v2g_id_rec);
    V2G_WS_ARRAY(ws, total, out, ex_ids_tmp, e, v2g_id_rec);
    return 1;
}

v2g_status v2g_robust_validate(const void *requests, size_t stride, size_t r,
                               const v2g_ret_exchange *exchanges, size_t e) {
    if ((r && !requests) || (e && !exchanges)) return V2G_E_NULL;
    if (r > V2G_MAX_ITEMS || e > V2G_MAX_ITEMS) return V2G_E_OVERFLOW;
    for (size_t i = 0; i < r; i++) {
        const v2g_ret_request *q = v2g_request_at(requests, stride, i);
        if (!v2g_id_valid(q->exchange) || !v2g_id_valid(q->consumer)) return V2G_E_NULL;
        if (q->energy_wh < 0 || q->bid < 0) return V2G_E_NEGATIVE;
        if (q->penalty_ppm < 0 || q->penalty_ppm > V2G_PPM_ONE) return V2G_E_RANGE;
        if (q->reserved != 0) return V2G_E_INVALID;
    }
    for (size_t x = 0; x < e; x++) {
        if (!v2g_id_valid(exchanges[x].exchange)) return V2G_E_NULL;
        if (exchanges[x].penalty_ppm < 0 || exchanges[x].penalty_ppm > V2G_PPM_ONE) return V2G_E_RANGE;
        if (exchanges[x].reserved != 0) return V2G_E_INVALID;
    }
    return V2G_OK;
}

/* Steps 1-2: keep the latest request per (exchange, consumer); scale its demand. */
static void deduplicate(const strided *s, size_t r, v2g_robust *a) {
    for (size_t i = 0; i < r; i++) {
        const v2g_ret_request *q = (const v2g_ret_request *)(s->base + s->stride * i);
        a->dedup[i].exchange_key = v2g_id_prefix(q->exchange);
        a->dedup[i].consumer_key = v2g_id_prefix(q->consumer);
        a->dedup[i].submitted_at = q->submitted_at;
        a->dedup[i].exchange_len = cap_len(q->exchange.length);
        a->dedup[i].consumer_len = cap_len(q->consumer.length);
        a->dedup[i].pos = (uint32_t)i;
    }
    sort_dedup(a->dedup, a->dedup_tmp, r, s);

    size_t kept = 0, groups = 0;
    const v2g_dedup_rec *last_kept = NULL;
    for (size_t i = 0; i < r; i++) {
        const v2g_dedup_rec *cur = &a->dedup[i];
        /* A later request of the same consumer (sorted right after) supersedes this one. */
        if (i + 1 < r && same_exchange(s, cur, &a->dedup[i + 1]) && same_consumer(s, cur, &a->dedup[i + 1]))
            continue;
        if (!last_kept || !same_exchange(s, last_kept, cur)) a->group_quota[groups++] = 0;
        last_kept = cur;
        const v2g_ret_request *q = (const v2g_ret_request *)(s->base + s->stride * cur->pos);
        a->kept_pos[kept] = cur->pos;
        a->kept_group[kept] = (uint32_t)(groups - 1);
        a->group_quota[groups - 1]++;
        int64_t demand = 0;
        (void)v2g_scale_floor(q->energy_wh, (uint64_t)q->penalty_ppm, V2G_PPM_ONE, &demand);
        a->kept_demand[kept] = demand;
        kept++;
    }
    a->kept = kept;
}

/* Step 4: quota per exchange group, from n(R_i) and the exchange table. Groups run in exchange-ID order. */
static v2g_status apply_exchange_quotas(const strided *s, const v2g_ret_exchange *exchanges, size_t e,
                                        v2g_robust *a) {
    strided table = {(const unsigned char *)exchanges, sizeof *exchanges};
    for (size_t x = 0; x < e; x++) {
        a->ex_ids[x].key = v2g_id_prefix(exchanges[x].exchange);
        a->ex_ids[x].len = cap_len(exchanges[x].exchange.length);
        a->ex_ids[x].pos = (uint32_t)x;
    }
    sort_ids(a->ex_ids, a->ex_ids_tmp, e, &table);
    for (size_t x = 1; x < e; x++) {
        if (v2g_id_cmp_full(exchanges[a->ex_ids[x - 1].pos].exchange, exchanges[a->ex_ids[x].pos].exchange) == 0)
            return V2G_E_DUPLICATE;
    }
    /* Merge-walk the groups (each starts at its first kept request) against the sorted table. */
    size_t x = 0;
    for (size_t i = 0; i < a->kept; i++) {
        if (i > 0 && a->kept_group[i] == a->kept_group[i - 1]) continue;
        v2g_id id = *id_at(s, a->kept_pos[i], EXCHANGE_AT);
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

v2g_status v2g_robust_run(const void *requests, size_t stride, size_t r,
                          const v2g_ret_exchange *exchanges, size_t e, v2g_robust *out) {
    strided s = {(const unsigned char *)requests, stride};
    deduplicate(&s, r, out);
    return apply_exchange_quotas(&s, exchanges, e, out);
}

v2g_status v2g_order_ids(const void *items, size_t stride, size_t n, v2g_id_rec *ids, v2g_id_rec *tmp,
                         uint32_t *order) {
    strided s = {(const unsigned char *)items, stride};
    for (size_t j = 0; j < n; j++) {
        const v2g_id *id = id_at(&s, (uint32_t)j, 0);
        ids[j].key = v2g_id_prefix(*id);
        ids[j].len = cap_len(id->length);
        ids[j].pos = (uint32_t)j;
    }
    sort_ids(ids, tmp, n, &s);
    for (size_t j = 0; j < n; j++) {
        if (j > 0 && v2g_id_cmp_keyed(ids[j - 1].key, ids[j - 1].len, id_at(&s, ids[j - 1].pos, 0),
                                      ids[j].key, ids[j].len, id_at(&s, ids[j].pos, 0)) == 0)
            return V2G_E_DUPLICATE;
        order[j] = ids[j].pos;
    }
    return V2G_OK;
}
