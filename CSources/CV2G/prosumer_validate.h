/* prosumer_validate.h - input checks shared by the greedy and Hungarian matchers. Internal to CV2G. */
#ifndef V2G_PROSUMER_VALIDATE_H
#define V2G_PROSUMER_VALIDATE_H

#include "v2g/v2g_prosumer.h"

static inline v2g_status v2g_prosumer_validate(const v2g_prosumer_request *requests, size_t n,
                                               const v2g_ev_state *evs, size_t m) {
    if ((n && !requests) || (m && !evs)) return V2G_E_NULL;
    for (size_t i = 0; i < n; i++) {
        if (requests[i].energy_wh < 0) return V2G_E_NEGATIVE;
        if ((requests[i].kind != V2G_DEMAND && requests[i].kind != V2G_SURPLUS) || requests[i].reserved != 0)
            return V2G_E_INVALID;
    }
    for (size_t j = 0; j < m; j++) {
        if (evs[j].available_wh < 0 || evs[j].free_capacity_wh < 0) return V2G_E_NEGATIVE;
    }
    return V2G_OK;
}

#endif /* V2G_PROSUMER_VALIDATE_H */
