/* prosumer.c - the [P] cost model and Hungarian matcher (SPEC §3.2). */
#include "v2g/v2g_prosumer.h"
#include "v2g/v2g_lsap.h"

#include "prosumer_validate.h"
#include "workspace.h"

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
    /* Checked here, not left to the solver: to it a benefit of INT64_MAX means a forbidden pair, and the
     * [P] model forbids none. */
    int64_t bound = v2g_lsap_i64_cost_bound(n, m);
    for (size_t k = 0; k < n * m; k++)
        if (benefit[k] > bound) return V2G_E_OVERFLOW;

    int64_t total = 0;
    st = v2g_lsap_solve_i64(n, m, benefit, 1, request_to_ev, &total, u, v, lsap_ws, lsap_bytes);
    if (st != V2G_OK) return st;
    for (size_t i = 0; i < n; i++) {
        int64_t j = request_to_ev[i];
        if (j >= 0) energy_wh[i] = benefit[i * m + (size_t)j];
    }
    *traded_wh = total;
    return V2G_OK;
}
