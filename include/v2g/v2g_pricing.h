/*
 * v2g_pricing.h - money and the tariffs of [P] §V.B (SPEC §4).
 *
 * Money = price x energy / 1000, rounded toward zero, in micro-units, for a
 * price in micro-units per kWh and an energy in Wh.
 */
#ifndef V2G_PRICING_H
#define V2G_PRICING_H

#include "v2g_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Grid buy price of [P]: 29.49 p/kWh in micro-pence per kWh. */
#define V2G_GRID_BUY_DEFAULT  294900
/** Grid sell price of [P]: 6.4 p/kWh in micro-pence per kWh. */
#define V2G_GRID_SELL_DEFAULT 64000
/** EV mark-up over the split price of [P]: 10 %. */
#define V2G_EV_MARKUP_DEFAULT_PPM 100000

/** The grid prices a market trades against, and the EV mark-up. */
typedef struct v2g_tariff {
    int64_t grid_buy;       /* P_gb: what buying from the grid costs, per kWh */
    int64_t grid_sell;      /* P_gs: what selling to the grid earns, per kWh; 0 <= P_gs <= P_gb */
    int32_t ev_markup_ppm;  /* an EV sells at P_split plus this share, never above P_gb */
    int32_t reserved;       /* must be 0 */
} v2g_tariff;

/** The money for `energy_wh` at `price_per_kwh`, rounded toward zero; V2G_E_OVERFLOW if it exceeds int64. */
V2G_API V2G_NODISCARD v2g_status v2g_money(int64_t price_per_kwh, int64_t energy_wh, int64_t *money /* OUT */);

/**
 * The prices of [P] eq. (2): a prosumer sells to an EV at P_split =
 * floor((P_gb + P_gs) / 2); an EV sells to a prosumer at
 * min(P_split + floor(P_split x markup / 10^6), P_gb).
 */
V2G_API V2G_NODISCARD v2g_status v2g_tariff_prices(const v2g_tariff *tariff,
                                                   int64_t *prosumer_to_ev /* OUT: P_split */,
                                                   int64_t *ev_to_prosumer /* OUT */);

#ifdef __cplusplus
}
#endif

#endif /* V2G_PRICING_H */
