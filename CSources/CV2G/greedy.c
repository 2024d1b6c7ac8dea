/* greedy.c - greedy FIFO matching of [P] §IV.B in O(n + m) (SPEC §3.1). */
#include "v2g/v2g_prosumer.h"

#include "prosumer_validate.h"
#include "radix.h"
#include "workspace.h"

typedef v2g_radix_rec arrival; /* key[0]: submission time; item: request index */

static int greedy_layout(size_t n, size_t m, size_t *total, v2g_ws *ws, arrival **order, arrival **tmp,
                         unsigned char **matched) {
    if (ws) {
        *order = v2g_ws_take(ws, n, sizeof(arrival));
        *tmp = v2g_ws_take(ws, n, sizeof(arrival));
        *matched = v2g_ws_take(ws, m, 1);
        return *order && *tmp && *matched;
    }
    return v2g_ws_reserve(total, n, sizeof(arrival)) && v2g_ws_reserve(total, n, sizeof(arrival)) &&
           v2g_ws_reserve(total, m, 1);
}

size_t v2g_greedy_workspace_size(size_t request_count, size_t ev_count) {
    size_t total = 0;
    if (!greedy_layout(request_count, ev_count, &total, NULL, NULL, NULL, NULL)) return 0;
    return v2g_ws_finish(total);
}

v2g_status v2g_greedy_match(const v2g_prosumer_request *requests, size_t request_count,
                            const v2g_ev_state *evs, size_t ev_count,
                            int64_t *request_to_ev, int64_t *energy_wh,
                            void *workspace, size_t workspace_size) {
    size_t n = request_count, m = ev_count;
    if (n && (!request_to_ev || !energy_wh)) return V2G_E_NULL;
    v2g_status st = v2g_prosumer_validate(requests, n, evs, m);
    if (st != V2G_OK) return st;
    if (n > UINT32_MAX) return V2G_E_OVERFLOW;
    size_t need = v2g_greedy_workspace_size(n, m);
    if (need == 0) return V2G_E_OVERFLOW;
    if (!workspace || workspace_size < need) return V2G_E_WORKSPACE;
    v2g_ws ws = v2g_ws_open(workspace, workspace_size);
    arrival *order = NULL, *tmp = NULL;
    unsigned char *matched = NULL;
    if (!greedy_layout(n, m, NULL, &ws, &order, &tmp, &matched)) return V2G_E_WORKSPACE;

    int sorted = 1;
    for (size_t i = 0; i < n; i++) {
        order[i].key[0] = v2g_radix_signed(requests[i].submitted_at);
        order[i].item = (uint32_t)i;
        if (i && order[i].key[0] < order[i - 1].key[0]) sorted = 0;
        request_to_ev[i] = -1;
        energy_wh[i] = 0;
    }
    if (!sorted) order = v2g_radix_sort(order, tmp, n, 1);
    for (size_t j = 0; j < m; j++) matched[j] = 0;

    /* One cursor per kind: EVs behind a cursor are matched or cannot take part, and stay so. */
    size_t cursor[2] = {0, 0};
    for (size_t r = 0; r < n; r++) {
        size_t i = order[r].item;
        const v2g_prosumer_request *q = &requests[i];
        if (q->energy_wh == 0) continue;
        int surplus = q->kind == V2G_SURPLUS;
        size_t *c = &cursor[surplus];
        while (*c < m && (matched[*c] || (surplus ? evs[*c].free_capacity_wh : evs[*c].available_wh) == 0)) (*c)++;
        if (*c == m) continue;
        int64_t room = surplus ? evs[*c].free_capacity_wh : evs[*c].available_wh;
        matched[*c] = 1;
        request_to_ev[i] = (int64_t)*c;
        energy_wh[i] = q->energy_wh < room ? q->energy_wh : room;
    }
    return V2G_OK;
}
