/*
 * robust.h - the robustness stage that RET and SRET share ([T] §4.2; SPEC §3.3 steps 1, 2, 4),
 * and ID ordering for offers and EVs.
 *
 * Internal to CV2G. Requests arrive as strided arrays whose items begin with
 * a v2g_ret_request (SRET's request embeds one), so one implementation serves
 * both algorithms.
 */
#ifndef V2G_ROBUST_H
#define V2G_ROBUST_H

#include "v2g/v2g_ret.h"
#include "workspace.h"

#define V2G_MAX_ITEMS ((size_t)UINT32_MAX - 2)

/* An ID's sort key: 64-bit big-endian prefix, capped length, position. */
typedef struct v2g_id_rec {
    uint64_t key;
    uint32_t len;
    uint32_t pos;
} v2g_id_rec;

typedef struct v2g_dedup_rec v2g_dedup_rec;

/* The stage's results and scratch, carved from the caller's workspace. */
typedef struct v2g_robust {
    size_t kept;              /* requests left after deduplication */
    uint32_t *kept_pos;       /* their input positions, in (exchange ID, consumer ID) order */
    uint32_t *kept_group;     /* each one's exchange group; groups run in exchange-ID order */
    int64_t *kept_demand;     /* demand after the consumer penalty (eq. 4.2) */
    int64_t *group_quota;     /* requests each exchange may still have fulfilled (eq. 4.4) */
    v2g_dedup_rec *dedup, *dedup_tmp;
    v2g_id_rec *ex_ids, *ex_ids_tmp;
} v2g_robust;

/* Reserves (ws == NULL, adding to *total) or takes (ws != NULL) the stage's arrays; 0 on overflow or exhaustion. */
int v2g_robust_layout(size_t requests, size_t exchanges, size_t *total, v2g_ws *ws, v2g_robust *out);

/* Checks the v2g_ret_request heads of a strided request array and the exchange table. */
v2g_status v2g_robust_validate(const void *requests, size_t stride, size_t count,
                               const v2g_ret_exchange *exchanges, size_t exchange_count);

/* Deduplicates, applies consumer penalties and computes exchange quotas. Inputs must be validated. */
v2g_status v2g_robust_run(const void *requests, size_t stride, size_t count,
                          const v2g_ret_exchange *exchanges, size_t exchange_count, v2g_robust *out);

/* The request head of item i of a strided array. */
static inline const v2g_ret_request *v2g_request_at(const void *requests, size_t stride, size_t i) {
    return (const v2g_ret_request *)((const unsigned char *)requests + stride * i);
}

/*
 * Orders a strided array whose items begin with a v2g_id by that ID: `order` receives the
 * positions in ID order. V2G_E_DUPLICATE if two IDs are equal. `ids`, `tmp` hold `count` records.
 */
v2g_status v2g_order_ids(const void *items, size_t stride, size_t count, v2g_id_rec *ids, v2g_id_rec *tmp,
                         uint32_t *order);

#endif /* V2G_ROBUST_H */
