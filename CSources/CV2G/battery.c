/* battery.c - the operable battery window of [P] eq. (1) (SPEC §3.2). */
#include "v2g/v2g_prosumer.h"

#include "int128.h"

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
