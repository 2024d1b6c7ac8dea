/*
 * fuzz_pricing.c - v2g_money and v2g_tariff_prices (v2g_pricing.h) against the header's formulas in
 * 128-bit integers.
 *
 * Input: up to 64 operations, each a selector byte and its arguments.
 *   v2g_money: price x energy / 1000 rounded toward zero, for any signs; V2G_E_OVERFLOW exactly when
 *     that value does not fit an int64.
 *   v2g_tariff_prices: P_split = floor((P_gb + P_gs) / 2), the EV price min(P_split +
 *     floor(P_split markup / 10^6), P_gb); the statuses V2G_E_NEGATIVE, V2G_E_INVALID (P_gs > P_gb,
 *     reserved), V2G_E_RANGE (negative markup), V2G_E_OVERFLOW (a markup beyond int64); and
 *     P_gs <= P_split <= EV price <= P_gb.
 * Also v2g_strerror on arbitrary codes (never NULL) and the version calls.
 */
#include "fuzz_input.h"

typedef __int128 i128;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fz r = fz_init(data, size);
    FZ_CHECK(v2g_version() == V2G_VERSION && strcmp(v2g_version_string(), V2G_VERSION_STRING) == 0);
    for (int op = 0; op < 64 && r.n > 0; op++) {
        uint8_t sel = fz_u8(&r);
        if (sel % 2 == 0) {
            int64_t price = fz_i64(&r), energy = fz_i64(&r), money = 12345;
            v2g_status st = v2g_money(price, energy, &money);
            FZ_NOTE("v2g_money", st);
            /* v2g_strerror: a static, non-empty name for any code (v2g_common.h). */
            const char *name = v2g_strerror((v2g_status)(int32_t)(uint32_t)(uint64_t)price);
            FZ_CHECK(name != NULL && name[0] != '\0');
            i128 want = (i128)price * energy / 1000; /* C division truncates toward zero */
            int fits = want >= INT64_MIN && want <= INT64_MAX;
            /* fuzz/crashes/pricing/: an exact -2^63 was once refused with V2G_E_OVERFLOW. */
            FZ_CHECK_MSG(st == (fits ? V2G_OK : V2G_E_OVERFLOW), "money(%lld, %lld): status %d, exact %s", (long long)price,
                         (long long)energy, st, fits ? "fits" : "overflows");
            if (st == V2G_OK) FZ_CHECK_MSG((i128)money == want, "money(%lld, %lld) = %lld", (long long)price, (long long)energy,
                                           (long long)money);
        } else {
            v2g_tariff t;
            t.grid_buy = fz_i64(&r);
            t.grid_sell = fz_i64(&r);
            t.ev_markup_ppm = fz_ppm(&r);
            t.reserved = (sel & 0x80) ? (int32_t)fz_u8(&r) : 0;
            int64_t split = -5, ev = -5;
            v2g_status st = v2g_tariff_prices(&t, &split, &ev);
            FZ_NOTE("v2g_tariff_prices", st);
            fz_status_set expect = 0;
            if (t.grid_buy < 0 || t.grid_sell < 0) expect |= FZ_BIT(V2G_E_NEGATIVE);
            if (t.grid_sell > t.grid_buy || t.reserved != 0) expect |= FZ_BIT(V2G_E_INVALID);
            if (t.ev_markup_ppm < 0) expect |= FZ_BIT(V2G_E_RANGE);
            i128 want_split = ((i128)t.grid_buy + t.grid_sell) / 2, markup = 0, want_ev = 0;
            if (expect == 0) {
                markup = want_split * t.ev_markup_ppm / V2G_PPM_ONE;
                if (markup > INT64_MAX) expect |= FZ_BIT(V2G_E_OVERFLOW);
                want_ev = want_split + markup < t.grid_buy ? want_split + markup : t.grid_buy;
            }
            if (expect == 0) {
                FZ_CHECK_MSG(st == V2G_OK, "tariff(%lld, %lld, %d): status %d", (long long)t.grid_buy,
                             (long long)t.grid_sell, t.ev_markup_ppm, st);
                FZ_CHECK_MSG((i128)split == want_split && (i128)ev == want_ev,
                             "tariff(%lld, %lld, %d) = (%lld, %lld), expected (%lld, %lld)", (long long)t.grid_buy,
                             (long long)t.grid_sell, t.ev_markup_ppm, (long long)split, (long long)ev,
                             (long long)want_split, (long long)want_ev);
                FZ_CHECK(t.grid_sell <= split && split <= ev && ev <= t.grid_buy);
            } else {
                FZ_CHECK_MSG(st != V2G_OK && (expect & FZ_BIT(st)), "tariff: status %d, mask 0x%x", st, expect);
            }
        }
    }
    return 0;
}
