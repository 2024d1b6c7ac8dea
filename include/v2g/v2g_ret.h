/*
 * v2g_ret.h - RET, Robust Energy Trading ([T] §4.2-4.3, Algorithm 1; SPEC §3.3).
 *
 * A control system collects request lists from exchanges and energy offers
 * from EVs and allocates offers to requests:
 *   1. per (exchange, consumer) only the latest request counts (tie: later in the input);
 *   2. its demand is scaled by the consumer's penalty factor (eq. 4.2);
 *   3. requests are served by expected profit bid x demand, descending
 *      (ties: earlier submission, then exchange ID, then consumer ID);
 *   4. an exchange may have at most floor(n x factor / 10^6) requests fulfilled (eq. 4.4);
 *   5. offers are capped at the charging-pile capacity W (eq. 4.6);
 *   6. each request takes the smallest unused offer that covers what it still
 *      needs (best fit), else the largest unused offer whole, and repeats.
 * Ties between equal offers go to the smaller EV ID. Runs in
 * O((R + K) log(R + K)) for R requests and K offers.
 */
#ifndef V2G_RET_H
#define V2G_RET_H

#include "v2g_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/** One consumer's energy request as uploaded by its exchange. */
typedef struct v2g_ret_request {
    v2g_id exchange;
    v2g_id consumer;
    int64_t bid;           /* B: micro-units of currency per kWh, >= 0 */
    int64_t submitted_at;  /* t: seconds */
    int64_t energy_wh;     /* d: demand before penalty, >= 0 */
    int32_t penalty_ppm;   /* the consumer's penalty factor (v2g_penalty_factor); V2G_PPM_ONE if none */
    int32_t reserved;      /* must be 0 */
} v2g_ret_request;

/** One EV's energy offer. EV IDs must be unique. */
typedef struct v2g_ret_offer {
    v2g_id ev;
    int64_t energy_wh;     /* o: offered energy, >= 0 */
} v2g_ret_offer;

/** An exchange's penalty factor; exchanges not listed have factor V2G_PPM_ONE. IDs must be unique. */
typedef struct v2g_ret_exchange {
    v2g_id exchange;
    int32_t penalty_ppm;   /* the exchange's penalty factor (v2g_penalty_factor) */
    int32_t reserved;      /* must be 0 */
} v2g_ret_exchange;

/** One allocation, in the order RET made it: offer `offer` gives `energy_wh` to request `request`. */
typedef struct v2g_ret_allocation {
    int64_t request;       /* index into the requests array */
    int64_t offer;         /* index into the offers array */
    int64_t energy_wh;
} v2g_ret_allocation;

/** What one request (kept after deduplication) received, in processing order. */
typedef struct v2g_ret_outcome {
    int64_t request;       /* index into the requests array */
    int64_t demand_wh;     /* demand after the consumer penalty */
    int64_t allocated_wh;  /* energy allocated to it */
    int32_t fulfilled;     /* 1 if allocated_wh == demand_wh > 0, else 0 */
    int32_t reserved;
} v2g_ret_outcome;

/** Bytes of workspace v2g_ret_allocate needs; 0 if the size would overflow. */
V2G_API size_t v2g_ret_workspace_size(size_t request_count, size_t offer_count, size_t exchange_count);

/**
 * Runs RET. `allocations` must hold offer_count entries and `outcomes`
 * request_count entries (each offer is used at most once, each request has
 * at most one outcome). `charger_capacity_wh` is W; V2G_UNLIMITED for none.
 * Errors: V2G_E_NULL, V2G_E_NEGATIVE (energy, bid or W), V2G_E_RANGE
 * (penalty factor), V2G_E_DUPLICATE (EV or exchange-table ID),
 * V2G_E_INVALID (reserved field not 0), V2G_E_OVERFLOW (more than
 * 2^32 - 2 requests or offers), V2G_E_WORKSPACE.
 */
V2G_API V2G_NODISCARD v2g_status v2g_ret_allocate(
    const v2g_ret_request *requests, size_t request_count,
    const v2g_ret_offer *offers, size_t offer_count,
    const v2g_ret_exchange *exchanges, size_t exchange_count,
    int64_t charger_capacity_wh,
    v2g_ret_allocation *allocations,   /* OUT: up to offer_count entries */
    size_t *allocation_count,          /* OUT */
    v2g_ret_outcome *outcomes,         /* OUT: up to request_count entries */
    size_t *outcome_count,             /* OUT */
    void *workspace, size_t workspace_size);

#ifdef __cplusplus
}
#endif

#endif /* V2G_RET_H */
