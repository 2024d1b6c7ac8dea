/* pricing.c - money rounding and the [P] tariff (SPEC §4). */
#include "v2g/v2g_pricing.h"

#include "int128.h"

static uint64_t magnitude(int64_t x) { return x < 0 ? (uint64_t)0 - (uint64_t)x : (uint64_t)x; }

v2g_status v2g_money(int64_t price_per_kwh, int64_t energy_wh, int64_t *money) {
    if (!money) return V2G_E_NULL;
    int negative = (price_per_kwh < 0) != (energy_wh < 0);
    uint64_t q = 0;
    if (!v2g_div_u128_u32(v2g_mul_u64(magnitude(price_per_kwh), magnitude(energy_wh)), 1000, &q))
        return V2G_E_OVERFLOW;
    /* Truncating magnitudes rounds toward zero for either sign. */
    /* A negative result reaches one further than a positive one: -2^63 is an int64. */
    if (negative && q == (uint64_t)INT64_MAX + 1) {
        *money = INT64_MIN;
        return V2G_OK;
    }
    if (q > (uint64_t)INT64_MAX) return V2G_E_OVERFLOW;
    *money = negative ? -(int64_t)q : (int64_t)q;
    return V2G_OK;
}

v2g_status v2g_tariff_prices(const v2g_tariff *tariff, int64_t *prosumer_to_ev, int64_t *ev_to_prosumer) {
    if (!tariff || !prosumer_to_ev || !ev_to_prosumer) return V2G_E_NULL;
    if (tariff->grid_sell < 0 || tariff->grid_buy < 0) return V2G_E_NEGATIVE;
    if (tariff->grid_sell > tariff->grid_buy || tariff->reserved != 0) return V2G_E_INVALID;
    if (tariff->ev_markup_ppm < 0) return V2G_E_RANGE;
    /* Halve before adding so the sum cannot overflow; the low bits restore the exact floor. */
    int64_t split = tariff->grid_buy / 2 + tariff->grid_sell / 2 + (tariff->grid_buy % 2 + tariff->grid_sell % 2) / 2;
    int64_t markup = 0;
    if (!v2g_scale_floor(split, (uint64_t)tariff->ev_markup_ppm, V2G_PPM_ONE, &markup)) return V2G_E_OVERFLOW;
    int64_t ev = markup > tariff->grid_buy - split ? tariff->grid_buy : split + markup;
    *prosumer_to_ev = split;
    *ev_to_prosumer = ev;
    return V2G_OK;
}
