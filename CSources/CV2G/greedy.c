/* greedy.c - greedy FIFO matching of [P] §IV.B in O(n + m) (SPEC §3.1). */
#include "v2g/v2g_prosumer.h"

#include "prosumer_validate.h"
#include "workspace.h"

typedef struct arrival {
    uint64_t key;  /* submission time with the sign bit flipped: unsigned order = signed order */
    uint64_t pos;
} arrival;

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

/* Stable LSD radix sort on the 64-bit key, skipping bytes that are equal everywhere: O(n). */
static arrival *radix_sort(arrival *a, arrival *tmp, size_t n) {
    size_t counts[256];
    for (int shift = 0; shift < 64; shift += 8) {
        for (int b = 0; b < 256; b++) counts[b] = 0;
        for (size_t i = 0; i < n; i++) counts[(a[i].key >> shift) & 0xFF]++;
        if (counts[(a[0].key >> shift) & 0xFF] == n) continue;
        size_t sum = 0;
        for (int b = 0; b < 256; b++) { size_t c = counts[b]; counts[b] = sum; sum += c; }
        for (size_t i = 0; i < n; i++) tmp[counts[(a[i].key >> shift) & 0xFF]++] = a[i];
        arrival *swap = a; a = tmp; tmp = swap;
    }
    return a;
}

v2g_status v2g_greedy_match(const v2g_prosumer_request *requests, size_t request_count,
                            const v2g_ev_state *evs, size_t ev_count,
                            int64_t *request_to_ev, int64_t *energy_wh,
                            void *workspace, size_t workspace_size) {
    size_t n = request_count, m = ev_count;
    if (n && (!request_to_ev || !energy_wh)) return V2G_E_NULL;
    v2g_status st = v2g_prosumer_validate(requests, n, evs, m);
    if (st != V2G_OK) return st;
    size_t need = v2g_greedy_workspace_size(n, m);
    if (need == 0) return V2G_E_OVERFLOW;
    if (!workspace || workspace_size < need) return V2G_E_WORKSPACE;
    v2g_ws ws = v2g_ws_open(workspace, workspace_size);
    arrival *order = NULL, *tmp = NULL;
    unsigned char *matched = NULL;
    if (!greedy_layout(n, m, NULL, &ws, &order, &tmp, &matched)) return V2G_E_WORKSPACE;

    int sorted = 1;
    for (size_t i = 0; i < n; i++) {
        order[i].key = (uint64_t)requests[i].submitted_at ^ ((uint64_t)1 << 63);
        order[i].pos = i;
        if (i && order[i].key < order[i - 1].key) sorted = 0;
        request_to_ev[i] = -1;
        energy_wh[i] = 0;
    }
    if (!sorted) order = radix_sort(order, tmp, n);
    for (size_t j = 0; j < m; j++) matched[j] = 0;

    /* One cursor per kind: EVs behind a cursor are matched or cannot take part, and stay so. */
    size_t cursor[2] = {0, 0};
    for (size_t r = 0; r < n; r++) {
        size_t i = (size_t)order[r].pos;
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
