/* penalty.c - penalty-list factors and updates (SPEC §3.4). */
#include "v2g/v2g_penalty.h"

#include "int128.h"

static int ppm_valid(int32_t v) { return v >= 0 && v <= V2G_PPM_ONE; }

v2g_status v2g_penalty_factor(const int32_t *values, size_t count, int32_t *factor) {
    if (!factor || (count && !values)) return V2G_E_NULL;
    int64_t f = V2G_PPM_ONE;
    for (size_t i = 0; i < count; i++) {
        if (!ppm_valid(values[i])) return V2G_E_RANGE;
        f = f * values[i] / V2G_PPM_ONE;
    }
    *factor = (int32_t)f;
    return V2G_OK;
}

v2g_status v2g_penalty_scale(int64_t quantity, int32_t factor_ppm, int64_t *scaled) {
    if (!scaled) return V2G_E_NULL;
    if (quantity < 0) return V2G_E_NEGATIVE;
    if (!ppm_valid(factor_ppm)) return V2G_E_RANGE;
    (void)v2g_scale_floor(quantity, (uint64_t)factor_ppm, V2G_PPM_ONE, scaled);
    return V2G_OK;
}

v2g_status v2g_penalty_update(int64_t theoretical, int64_t practical, int32_t gamma_ppm,
                              int32_t *values, size_t *count, size_t capacity, v2g_penalty_action *action) {
    if (!count || (!values && (*count > 0 || capacity > 0))) return V2G_E_NULL;
    if (theoretical < 0 || practical < 0) return V2G_E_NEGATIVE;
    if (!ppm_valid(gamma_ppm)) return V2G_E_RANGE;
    if (*count > capacity) return V2G_E_INVALID;
    v2g_penalty_action done = V2G_PENALTY_UNCHANGED;
    if (theoretical > 0) {
        /* pct < 1 - gamma  <=>  practical * 10^6 < (10^6 - gamma) * theoretical, exactly. */
        v2g_u128 lhs = v2g_mul_u64((uint64_t)practical, V2G_PPM_ONE);
        v2g_u128 rhs = v2g_mul_u64((uint64_t)theoretical, (uint64_t)(V2G_PPM_ONE - gamma_ppm));
        if (v2g_cmp_u128(lhs, rhs) < 0) {
            if (*count >= capacity) return V2G_E_OVERFLOW;
            /* practical < theoretical here, so pct_ppm < 10^6 - gamma and pct + gamma stays a ratio. */
            uint64_t pct_ppm = 0;
            (void)v2g_div_u128_u64(lhs, (uint64_t)theoretical, &pct_ppm);
            values[(*count)++] = (int32_t)pct_ppm + gamma_ppm;
            done = V2G_PENALTY_APPENDED;
        } else if (*count > 0) {
            (*count)--;
            done = V2G_PENALTY_FORGIVEN;
        }
    }
    if (action) *action = done;
    return V2G_OK;
}
