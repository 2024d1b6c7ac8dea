/* prosumer.c - the [P] battery window, cost model and Hungarian matcher (SPEC §3.2). */
#include "v2g/v2g_prosumer.h"
#include "v2g/v2g_lsap.h"

#include "int128.h"
#include "prosumer_validate.h"
#include "workspace.h"

v2g_status v2g_ev_limits(const v2g_battery *battery, int64_t period_s, v2g_ev_state *state) {
    if (!battery || !state) return V2G_E_NULL;
    if (battery->capacity_wh < 0 || battery->soc_wh < 0 || battery->reserve_wh < 0 ||
        battery->charger_power_w < 0 || period_s < 0)
        return V2G_E_NEGATIVE;
    int64_t floor20 = 0, ceil80 = 0, power_limit = V2G_UNLIMITED;
    (void)v2g_scale_floor(battery->capacity_wh, 200000, V2G_PPM_ONE, &floor20);
    (void)v2g_scale_floor(battery->capacity_wh, 800000, V2G_PPM_ONE, &ceil80);
    if (battery->reserve_wh > INT64_MAX - floor20) return V2G_E_OVERFLOW;
    int64_t lower = floor20 + battery->reserve_wh;
    if (battery->charger_power_w != V2G_UNLIMITED &&
        !v2g_scale_floor(battery->charger_power_w, (uint64_t)period_s, 3600, &power_limit))
        power_limit = V2G_UNLIMITED; /* a limit beyond int64 limits nothing */
    int64_t available = battery->soc_wh > lower ? battery->soc_wh - lower : 0;
    int64_t room = ceil80 > battery->soc_wh ? ceil80 - battery->soc_wh : 0;
    state->available_wh = available < power_limit ? available : power_limit;
    state->free_capacity_wh = room < power_limit ? room : power_limit;
    return V2G_OK;
}

static inline int64_t pair_exchange(const v2g_prosumer_request *r, const v2g_ev_state *e) {
    int64_t room = r->kind == V2G_SURPLUS ? e->free_capacity_wh : e->available_wh;
    return r->energy_wh < room ? r->energy_wh : room;
}

v2g_status v2g_prosumer_exchange(const v2g_prosumer_request *request, const v2g_ev_state *ev, int64_t *energy_wh) {
    if (!request || !ev || !energy_wh) return V2G_E_NULL;
    v2g_status st = v2g_prosumer_validate(request, 1, ev, 1);
    if (st != V2G_OK) return st;
    *energy_wh = pair_exchange(request, ev);
    return V2G_OK;
}

static v2g_status fill_matrix(const v2g_prosumer_request *requests, size_t n, const v2g_ev_state *evs, size_t m,
                              int64_t *out, int benefit) {
    if (!out && n && m) return V2G_E_NULL;
    v2g_status st = v2g_prosumer_validate(requests, n, evs, m);
    if (st != V2G_OK) return st;
    if (m && n > SIZE_MAX / m) return V2G_E_OVERFLOW;
    for (size_t i = 0; i < n; i++) {
        int64_t *row = out + i * m;
        for (size_t j = 0; j < m; j++) {
            int64_t x = pair_exchange(&requests[i], &evs[j]);
            row[j] = benefit ? x : requests[i].energy_wh - x;
        }
    }
    return V2G_OK;
}

v2g_status v2g_prosumer_cost_matrix(const v2g_prosumer_request *requests, size_t request_count,
                                    const v2g_ev_state *evs, size_t ev_count, int64_t *cost) {
    return fill_matrix(requests, request_count, evs, ev_count, cost, 0);
}

v2g_status v2g_prosumer_benefit_matrix(const v2g_prosumer_request *requests, size_t request_count,
                                       const v2g_ev_state *evs, size_t ev_count, int64_t *benefit) {
    return fill_matrix(requests, request_count, evs, ev_count, benefit, 1);
}

/* The benefit matrix first, then the LSAP workspace: one order for the size query and the solve. */
static size_t hungarian_layout(size_t n, size_t m, size_t *lsap_bytes) {
    if (m && n > SIZE_MAX / m) return 0;
    size_t lsap = (n && m) ? v2g_lsap_workspace_size(n, m) : 0;
    if (n && m && lsap == 0) return 0;
    size_t total = 0;
    if (!v2g_ws_reserve(&total, n * m, sizeof(int64_t)) || !v2g_ws_reserve(&total, lsap, 1)) return 0;
    if (lsap_bytes) *lsap_bytes = lsap;
    return v2g_ws_finish(total);
}

size_t v2g_hungarian_workspace_size(size_t request_count, size_t ev_count) {
    return hungarian_layout(request_count, ev_count, NULL);
}

v2g_status v2g_hungarian_match(const v2g_prosumer_request *requests, size_t request_count,
                               const v2g_ev_state *evs, size_t ev_count,
                               int64_t *request_to_ev, int64_t *energy_wh, int64_t *traded_wh,
                               int64_t *u, int64_t *v, void *workspace, size_t workspace_size) {
    size_t n = request_count, m = ev_count;
    if (!traded_wh || (n && (!request_to_ev || !energy_wh))) return V2G_E_NULL;
    v2g_status st = v2g_prosumer_validate(requests, n, evs, m);
    if (st != V2G_OK) return st;
    size_t lsap_bytes = 0;
    size_t need = hungarian_layout(n, m, &lsap_bytes);
    if (need == 0) return V2G_E_OVERFLOW;
    if (!workspace || workspace_size < need) return V2G_E_WORKSPACE;

    for (size_t i = 0; i < n; i++) { request_to_ev[i] = -1; energy_wh[i] = 0; }
    if (u) for (size_t i = 0; i < n; i++) u[i] = 0;
    if (v) for (size_t j = 0; j < m; j++) v[j] = 0;
    *traded_wh = 0;
    if (n == 0 || m == 0) return V2G_OK;

    v2g_ws ws = v2g_ws_open(workspace, workspace_size);
    int64_t *benefit = v2g_ws_take(&ws, n * m, sizeof(int64_t));
    void *lsap_ws = v2g_ws_take(&ws, lsap_bytes, 1);
    if (!benefit || !lsap_ws) return V2G_E_WORKSPACE;
    st = fill_matrix(requests, n, evs, m, benefit, 1);
    if (st != V2G_OK) return st;

    int64_t total = 0;
    st = v2g_lsap_solve_i64(n, m, benefit, 1, request_to_ev, &total, u, v, lsap_ws, lsap_bytes);
    if (st != V2G_OK) return st;
    for (size_t i = 0; i < n; i++) {
        int64_t j = request_to_ev[i];
        if (j < 0) continue;
        int64_t x = benefit[i * m + (size_t)j];
        if (x == 0) { request_to_ev[i] = -1; continue; }
        energy_wh[i] = x;
    }
    *traded_wh = total;
    return V2G_OK;
}
