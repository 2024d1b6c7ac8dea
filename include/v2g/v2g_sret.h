/*
 * v2g_sret.h - SRET, Smart and Robust Energy Trading ([T] §6.1-6.2; SPEC §3.5).
 *
 * Requests carry a demand window [start, end) and EVs an availability
 * window. SRET first runs RET's robustness stage (latest request per
 * consumer, consumer penalty, exchange quotas), then serves requests by bid
 * descending (ties: larger demand after penalty, earlier submission,
 * exchange ID, consumer ID). Requests are all-or-nothing: one that cannot be
 * met in full is rolled back and skipped. EVs are ordered by energy (RP)
 * descending, ties by EV ID.
 *
 * Double time boundaries: an unused EV whose window contains the request's
 * window can give its potential g = min(RP, P_c x (end - start) / 3600,
 * floored). If no candidate covers what is left, the largest g is taken
 * whole (ties: larger RP, then EV ID) and the rest repeats. If some cover it,
 * V2G_SRET_DOUBLE takes the smallest such g, ties in EV order (so the larger
 * RP); V2G_SRET_DOUBLE_BEST_FIT takes the smallest g, then the smallest RP,
 * then the EV ID: a used EV is used for the round, so the smaller battery
 * should go. A used EV is used for the round.
 *
 * Single time boundary: a request is a constant draw over its window. Second
 * t of [start, end) is worth F(t+1) - F(t) Wh with F(t) = floor(D (t - start)
 * / (end - start)), so any set of intervals is worth an exact integer and the
 * whole window exactly D. Candidates are EVs whose free time overlaps the
 * request's uncovered time with a positive worth. Repeatedly the best
 * candidate (largest E = (H_k - H_k^i) / H_k for least energy cost, largest
 * F = (H_k - H_k^i) / H_i for least EVs; ties by EV ID, compared exactly)
 * covers the overlap in time order, piece by piece, as far as its RP allows
 * (a piece worth 0 is left alone; a partly covered piece is the longest
 * prefix whose worth fits), then leaves the candidates. H uses joules so it
 * is an integer: H_k = min(3600 RP_k, P_c T_k) T_k, H_k^i = max(0, min(3600
 * (RP_k - W_k^i), P_c (T_k - T_k^i))) (T_k - T_k^i), H_i = 3600 D T_i, with
 * W_k^i the worth of the overlap (P_i T_k^i of [T] eq. 6.2, exactly) and T in
 * seconds. An EV keeps its leftover RP and free time for later requests.
 *
 * Limits that keep every product inside 128 bits: energies up to
 * V2G_SRET_MAX_ENERGY_WH, windows up to V2G_SRET_MAX_SPAN_S long, charger
 * power up to V2G_SRET_MAX_POWER_W.
 */
#ifndef V2G_SRET_H
#define V2G_SRET_H

#include "v2g_ret.h"

#ifdef __cplusplus
extern "C" {
#endif

#define V2G_SRET_MAX_ENERGY_WH ((int64_t)1 << 24)  /* 16.7 GWh */
#define V2G_SRET_MAX_SPAN_S    ((int64_t)1 << 26)  /* about 2.1 years */
#define V2G_SRET_MAX_POWER_W   ((int64_t)1 << 31)  /* 2.1 GW */

/** Which EV selection strategy SRET uses. */
typedef enum v2g_sret_strategy {
    V2G_SRET_DOUBLE = 0,         /* double time boundaries (§6.2.2) */
    V2G_SRET_SINGLE_ENERGY = 1,  /* single time boundary, least energy cost: largest E (eq. 6.3) */
    V2G_SRET_SINGLE_COUNT = 2,   /* single time boundary, least EVs: largest F (eq. 6.4) */
    V2G_SRET_DOUBLE_BEST_FIT = 3 /* double time boundaries, covering EV by least g, then least RP (docs/sret.md) */
} v2g_sret_strategy;

/** A request with a demand window; `base` is the RET request (demand, bid, IDs, penalty). */
typedef struct v2g_sret_request {
    v2g_ret_request base;
    int64_t start;   /* a: seconds */
    int64_t end;     /* b: seconds, > start */
} v2g_sret_request;

/** An EV's offer: remaining energy RP over an availability window. EV IDs must be unique. */
typedef struct v2g_sret_ev {
    v2g_id ev;
    int64_t energy_wh;  /* RP, >= 0 */
    int64_t start;      /* s: seconds */
    int64_t end;        /* e: seconds, > start */
} v2g_sret_ev;

/** SRET's parameters. */
typedef struct v2g_sret_params {
    int32_t strategy;            /* v2g_sret_strategy */
    int32_t reserved;            /* must be 0 */
    int64_t charger_power_w;     /* P_c; every request must have D x 3600 <= P_c x (end - start) */
    uint64_t interval_capacity;  /* free-time intervals the workspace holds; V2G_SRET_INTERVALS(n, m) suits most rounds */
} v2g_sret_params;

/** A generous interval capacity for n requests and m EVs. */
#define V2G_SRET_INTERVALS(n, m) (8 * ((uint64_t)(n) + (uint64_t)(m)) + 64)

/** One allocation: EV `ev` gives `energy_wh` to request `request` over [start, end). */
typedef struct v2g_sret_allocation {
    int64_t request;    /* index into the requests array */
    int64_t ev;         /* index into the EVs array */
    int64_t energy_wh;
    int64_t start;
    int64_t end;
} v2g_sret_allocation;

/** Where an input error was found. */
typedef enum v2g_where_list {
    V2G_WHERE_NONE = 0,         /* a parameter, or nowhere */
    V2G_WHERE_REQUESTS = 1,
    V2G_WHERE_EVS = 2,
    V2G_WHERE_EXCHANGES = 3,
    V2G_WHERE_INTERVALS = 4,    /* interval_capacity was too small: retry with more */
    V2G_WHERE_ALLOCATIONS = 5   /* allocation_capacity was too small: retry with more */
} v2g_where_list;

/** The location of an error: which list and which item. */
typedef struct v2g_where {
    int32_t list;    /* v2g_where_list */
    int32_t reserved;
    int64_t index;   /* item index in that list, or -1 */
} v2g_where;

/** Bytes of workspace v2g_sret_allocate needs; 0 if the size would overflow. */
V2G_API size_t v2g_sret_workspace_size(size_t request_count, size_t ev_count, size_t exchange_count,
                                       uint64_t interval_capacity);

/**
 * Runs SRET. `outcomes` must hold request_count entries; allocations are
 * written up to `allocation_capacity` (the double strategy makes at most
 * ev_count; the single strategies one per covered interval piece).
 * Errors: V2G_E_NULL, V2G_E_NEGATIVE, V2G_E_RANGE (a limit above, or a
 * penalty factor), V2G_E_WINDOW (end <= start), V2G_E_INVALID (a request
 * drawing more than P_c, an unknown strategy, a reserved field not 0),
 * V2G_E_DUPLICATE (EV or exchange-table ID), V2G_E_WORKSPACE (the workspace,
 * the interval capacity or the allocation capacity is too small; `where`
 * says which). `where` (may be NULL) names the offending item.
 */
V2G_API V2G_NODISCARD v2g_status v2g_sret_allocate(
    const v2g_sret_params *params,
    const v2g_sret_request *requests, size_t request_count,
    const v2g_sret_ev *evs, size_t ev_count,
    const v2g_ret_exchange *exchanges, size_t exchange_count,
    v2g_sret_allocation *allocations,  /* OUT */
    size_t allocation_capacity,
    size_t *allocation_count,          /* OUT */
    v2g_ret_outcome *outcomes,         /* OUT: up to request_count entries, in processing order */
    size_t *outcome_count,             /* OUT */
    v2g_where *where,                  /* OUT on error, may be NULL */
    void *workspace, size_t workspace_size);

#ifdef __cplusplus
}
#endif

#endif /* V2G_SRET_H */
