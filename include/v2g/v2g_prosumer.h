/*
 * v2g_prosumer.h - the prosumer/EV market of [P] §IV.B (SPEC §3.1, §3.2).
 *
 * Each matching period a prosumer has either a surplus to store or a demand
 * to meet; each EV has energy available to give and free capacity to fill,
 * bounded by the operable battery window of [P] eq. (1). One matching per
 * agent per period: a surplus fills an EV's free capacity, a demand draws
 * an EV's available energy, and the pair exchanges the smaller of the two.
 */
#ifndef V2G_PROSUMER_H
#define V2G_PROSUMER_H

#include "v2g_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Whether a prosumer request buys (demand) or sells (surplus) energy. */
typedef enum v2g_request_kind {
    V2G_DEMAND = 0,
    V2G_SURPLUS = 1
} v2g_request_kind;

/** One prosumer's net position for a period. */
typedef struct v2g_prosumer_request {
    int64_t energy_wh;     /* surplus or demand, >= 0 */
    int64_t submitted_at;  /* seconds; the greedy matcher serves earlier first */
    int32_t kind;          /* v2g_request_kind */
    int32_t reserved;      /* must be 0 */
} v2g_prosumer_request;

/** What an EV can give and take this period. */
typedef struct v2g_ev_state {
    int64_t available_wh;      /* energy it can discharge, >= 0 */
    int64_t free_capacity_wh;  /* energy it can store, >= 0 */
} v2g_ev_state;

/** A battery as [P] eq. (1) sees it. */
typedef struct v2g_battery {
    int64_t capacity_wh;      /* C_T */
    int64_t soc_wh;           /* state of charge now */
    int64_t reserve_wh;       /* E_r: kept above the 20 % floor for the owner's next trip */
    int64_t charger_power_w;  /* V2G_UNLIMITED for no power limit */
} v2g_battery;

/**
 * The EV's limits for one period: the state of charge stays within
 * [floor(0.2 C_T) + E_r, floor(0.8 C_T)], so available = max(0, SoC - lower)
 * and free capacity = max(0, upper - SoC), each at most
 * floor(charger power x period / 3600) Wh.
 */
V2G_API V2G_NODISCARD v2g_status v2g_ev_limits(const v2g_battery *battery, int64_t period_s,
                                               v2g_ev_state *state /* OUT */);

/** The Wh a request and an EV would exchange: min(surplus, free capacity) or min(demand, available). */
V2G_API V2G_NODISCARD v2g_status v2g_prosumer_exchange(const v2g_prosumer_request *request,
                                                       const v2g_ev_state *ev, int64_t *energy_wh /* OUT */);

/**
 * The [P] cost matrix, row-major requests x EVs: max(0, s - c) for a
 * surplus s and free capacity c, max(0, d - e) for a demand d and
 * available energy e (energy that cannot be stored or met).
 */
V2G_API V2G_NODISCARD v2g_status v2g_prosumer_cost_matrix(const v2g_prosumer_request *requests, size_t request_count,
                                                          const v2g_ev_state *evs, size_t ev_count,
                                                          int64_t *cost /* OUT: request_count * ev_count */);

/** Bytes of workspace v2g_greedy_match needs; 0 if the size would overflow. */
V2G_API size_t v2g_greedy_workspace_size(size_t request_count, size_t ev_count);

/**
 * Greedy FIFO matching in O(n + m): requests by submission time (ties by
 * input position) each take the first EV, in input order, that is still
 * unmatched and can take part. A request of 0 Wh takes no EV.
 */
V2G_API V2G_NODISCARD v2g_status v2g_greedy_match(const v2g_prosumer_request *requests, size_t request_count,
                                                  const v2g_ev_state *evs, size_t ev_count,
                                                  int64_t *request_to_ev, /* OUT: request_count; -1 = none */
                                                  int64_t *energy_wh,     /* OUT: request_count */
                                                  void *workspace, size_t workspace_size);

/** Bytes of workspace v2g_hungarian_match needs; 0 if the size would overflow. */
V2G_API size_t v2g_hungarian_workspace_size(size_t request_count, size_t ev_count);

/**
 * Optimal matching with the [P] cost model: minimises the energy that
 * cannot be stored or met, which equals maximising the energy exchanged.
 * It solves the LSAP that maximises b_ij = min(s_i, c_j) or min(d_i, e_j);
 * `u`, `v` (may be NULL) are that problem's duals, checkable with
 * v2g_lsap_check_i64(..., maximize = 1, ...) on the same b with request_to_ev
 * as the assignment. A pair the solver assigned that exchanges nothing keeps
 * its EV in request_to_ev (so the certificate checks) with energy_wh = 0:
 * it is no allocation. V2G_E_OVERFLOW if a benefit exceeds
 * v2g_lsap_i64_cost_bound(request_count, ev_count).
 */
V2G_API V2G_NODISCARD v2g_status v2g_hungarian_match(const v2g_prosumer_request *requests, size_t request_count,
                                                     const v2g_ev_state *evs, size_t ev_count,
                                                     int64_t *request_to_ev, /* OUT: request_count; -1 = unassigned */
                                                     int64_t *energy_wh,     /* OUT: request_count; 0 = no allocation */
                                                     int64_t *traded_wh,     /* OUT: total exchanged */
                                                     int64_t *u,             /* OUT: request_count duals, may be NULL */
                                                     int64_t *v,             /* OUT: ev_count duals, may be NULL */
                                                     void *workspace, size_t workspace_size);

/** Fills the benefit matrix b_ij the Hungarian matcher maximises (row-major, requests x EVs). */
V2G_API V2G_NODISCARD v2g_status v2g_prosumer_benefit_matrix(const v2g_prosumer_request *requests, size_t request_count,
                                                             const v2g_ev_state *evs, size_t ev_count,
                                                             int64_t *benefit /* OUT: request_count * ev_count */);

#ifdef __cplusplus
}
#endif

#endif /* V2G_PROSUMER_H */
