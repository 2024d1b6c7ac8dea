/* test_market.c - greedy FIFO, the [P] battery window, penalty lists and pricing. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "v2g/v2g_lsap.h"
#include "v2g/v2g_penalty.h"
#include "v2g/v2g_pricing.h"
#include "v2g/v2g_prosumer.h"

static v2g_prosumer_request preq(int kind, int64_t wh, int64_t t) {
    v2g_prosumer_request q = {wh, t, kind, 0};
    return q;
}

/* Plain greedy: stable insertion sort by time, then a full scan of the EVs for each request. */
static void ref_greedy(const v2g_prosumer_request *q, size_t n, const v2g_ev_state *ev, size_t m,
                       int64_t *to, int64_t *wh) {
    size_t order[64];
    int used[64] = {0};
    for (size_t i = 0; i < n; i++) {
        size_t j = i;
        while (j > 0 && q[order[j - 1]].submitted_at > q[i].submitted_at) { order[j] = order[j - 1]; j--; }
        order[j] = i;
        to[i] = -1;
        wh[i] = 0;
    }
    for (size_t x = 0; x < n; x++) {
        size_t i = order[x];
        if (q[i].energy_wh == 0) continue;
        for (size_t j = 0; j < m; j++) {
            int64_t room = q[i].kind == V2G_SURPLUS ? ev[j].free_capacity_wh : ev[j].available_wh;
            if (used[j] || room == 0) continue;
            used[j] = 1;
            to[i] = (int64_t)j;
            wh[i] = q[i].energy_wh < room ? q[i].energy_wh : room;
            break;
        }
    }
}

static void test_greedy(void) {
    /*
     * By hand: the surplus at t=1 comes first and takes EV0 (free 3000): 3000 of 5000.
     * The demand at t=2 skips EV0 (matched) and EV1 (nothing available) and takes EV2: 1000.
     * The demand at t=5 finds no EV left; the 0 Wh request takes none.
     */
    v2g_prosumer_request q[4] = {preq(V2G_DEMAND, 1000, 2), preq(V2G_SURPLUS, 5000, 1), preq(V2G_DEMAND, 700, 5),
                                 preq(V2G_SURPLUS, 0, 0)};
    v2g_ev_state ev[3] = {{4000, 3000}, {0, 9000}, {2500, 0}};
    int64_t to[4], wh[4];
    size_t size = v2g_greedy_workspace_size(4, 3);
    void *ws = malloc(size);
    CHECK_EQ_I64(v2g_greedy_match(q, 4, ev, 3, to, wh, ws, size), V2G_OK);
    CHECK_EQ_I64(to[1], 0); CHECK_EQ_I64(wh[1], 3000);
    CHECK_EQ_I64(to[0], 2); CHECK_EQ_I64(wh[0], 1000);
    CHECK_EQ_I64(to[2], -1); CHECK_EQ_I64(to[3], -1);
    q[0].energy_wh = -5;
    CHECK_EQ_I64(v2g_greedy_match(q, 4, ev, 3, to, wh, ws, size), V2G_E_NEGATIVE);
    q[0].energy_wh = 5;
    q[0].kind = 7;
    CHECK_EQ_I64(v2g_greedy_match(q, 4, ev, 3, to, wh, ws, size), V2G_E_INVALID);
    q[0].kind = V2G_DEMAND;
    CHECK_EQ_I64(v2g_greedy_match(q, 4, ev, 3, to, wh, ws, size - 100), V2G_E_WORKSPACE);
    free(ws);

    check_rng rng = {7};
    for (int it = 0; it < 5000; it++) {
        size_t n = (size_t)check_range(&rng, 0, 40), m = (size_t)check_range(&rng, 0, 40);
        v2g_prosumer_request rq[64];
        v2g_ev_state re[64];
        int64_t spread = check_range(&rng, 0, 1) ? 5 : INT64_MAX / 2;
        for (size_t i = 0; i < n; i++)
            rq[i] = preq((int)check_range(&rng, 0, 1), check_range(&rng, 0, 9), check_range(&rng, -spread, spread));
        for (size_t j = 0; j < m; j++) { re[j].available_wh = check_range(&rng, 0, 6); re[j].free_capacity_wh = check_range(&rng, 0, 6); }
        int64_t fto[64], fwh[64], rto[64], rwh[64];
        size_t s = v2g_greedy_workspace_size(n, m);
        void *w = malloc(s);
        CHECK_EQ_I64(v2g_greedy_match(rq, n, re, m, fto, fwh, w, s), V2G_OK);
        free(w);
        ref_greedy(rq, n, re, m, rto, rwh);
        CHECK(memcmp(fto, rto, n * sizeof(int64_t)) == 0 && memcmp(fwh, rwh, n * sizeof(int64_t)) == 0);
    }
}

static void test_ev_limits(void) {
    /* [P]: 79.5 kWh battery, 20 % = 15900, 80 % = 63600; reserve 5000 lifts the floor to 20900. */
    v2g_battery b = {79500, 40000, 5000, 7000};
    v2g_ev_state s;
    CHECK_EQ_I64(v2g_ev_limits(&b, 60, &s), V2G_OK);
    /* A 7 kW charger over 60 s moves at most 116 Wh (7000 * 60 / 3600 = 116.67, floored). */
    CHECK_EQ_I64(s.available_wh, 116);
    CHECK_EQ_I64(s.free_capacity_wh, 116);
    b.charger_power_w = V2G_UNLIMITED;
    CHECK_EQ_I64(v2g_ev_limits(&b, 60, &s), V2G_OK);
    CHECK_EQ_I64(s.available_wh, 40000 - 20900);
    CHECK_EQ_I64(s.free_capacity_wh, 63600 - 40000);
    b.soc_wh = 10000; /* below the floor: nothing to give, all the room up to 80 % */
    CHECK_EQ_I64(v2g_ev_limits(&b, 60, &s), V2G_OK);
    CHECK_EQ_I64(s.available_wh, 0);
    CHECK_EQ_I64(s.free_capacity_wh, 53600);
    b.soc_wh = 70000; /* above the ceiling */
    CHECK_EQ_I64(v2g_ev_limits(&b, 60, &s), V2G_OK);
    CHECK_EQ_I64(s.free_capacity_wh, 0);
    b.reserve_wh = -1;
    CHECK_EQ_I64(v2g_ev_limits(&b, 60, &s), V2G_E_NEGATIVE);
}

static void test_penalty(void) {
    int32_t f = 0;
    int32_t list[4] = {900000, 500000, 333333, 0};
    CHECK_EQ_I64(v2g_penalty_factor(list, 0, &f), V2G_OK);
    CHECK_EQ_I64(f, V2G_PPM_ONE);
    CHECK_EQ_I64(v2g_penalty_factor(list, 3, &f), V2G_OK);
    /* 10^6 -> 900000 -> 450000 -> floor(450000 * 333333 / 10^6) = 149999 */
    CHECK_EQ_I64(f, 149999);
    list[1] = -1;
    CHECK_EQ_I64(v2g_penalty_factor(list, 3, &f), V2G_E_RANGE);
    int64_t x = 0;
    CHECK_EQ_I64(v2g_penalty_scale(10001, 149999, &x), V2G_OK);
    CHECK_EQ_I64(x, 1500); /* floor(10001 * 0.149999) = floor(1500.139...) */
    CHECK_EQ_I64(v2g_penalty_scale(INT64_MAX, V2G_PPM_ONE, &x), V2G_OK);
    CHECK_EQ_I64(x, INT64_MAX);

    /* eq. 4.1: delivered 3000 of 10000 with gamma 0.1: 0.3 < 0.9, append 0.3 + 0.1. */
    int32_t p[3];
    size_t n = 0;
    v2g_penalty_action act;
    CHECK_EQ_I64(v2g_penalty_update(10000, 3000, 100000, p, &n, 3, &act), V2G_OK);
    CHECK_EQ_I64(n, 1); CHECK_EQ_I64(p[0], 400000); CHECK_EQ_I64(act, V2G_PENALTY_APPENDED);
    /* Exactly 0.9 is not below 1 - gamma: the last value is forgiven. */
    CHECK_EQ_I64(v2g_penalty_update(10000, 9000, 100000, p, &n, 3, &act), V2G_OK);
    CHECK_EQ_I64(n, 0); CHECK_EQ_I64(act, V2G_PENALTY_FORGIVEN);
    CHECK_EQ_I64(v2g_penalty_update(10000, 9000, 100000, p, &n, 3, &act), V2G_OK);
    CHECK_EQ_I64(act, V2G_PENALTY_UNCHANGED);
    /* One Wh short of 0.9 appends floor(8999/10000 * 10^6) + 10^5 = 999900. */
    CHECK_EQ_I64(v2g_penalty_update(10000, 8999, 100000, p, &n, 3, &act), V2G_OK);
    CHECK_EQ_I64(p[0], 999900);
    /* Exchange form, eq. 4.3: 1 of 3 selected requests fully delivered. */
    CHECK_EQ_I64(v2g_penalty_update(3, 1, 100000, p, &n, 3, &act), V2G_OK);
    CHECK_EQ_I64(p[1], 333333 + 100000);
    /* Nothing due: nothing changes. Full list: refused, untouched. */
    CHECK_EQ_I64(v2g_penalty_update(0, 0, 100000, p, &n, 3, &act), V2G_OK);
    CHECK_EQ_I64(n, 2);
    CHECK_EQ_I64(v2g_penalty_update(1, 0, 100000, p, &n, 3, &act), V2G_OK);
    CHECK_EQ_I64(p[2], 100000);
    CHECK_EQ_I64(v2g_penalty_update(1, 0, 100000, p, &n, 3, &act), V2G_E_OVERFLOW);
    CHECK_EQ_I64(n, 3);
    /* Huge quantities compare exactly. */
    n = 0;
    CHECK_EQ_I64(v2g_penalty_update(INT64_MAX, INT64_MAX / 10 * 9, 100000, p, &n, 3, &act), V2G_OK);
    CHECK_EQ_I64(act, V2G_PENALTY_APPENDED);
    CHECK_EQ_I64(p[0], 999999);
}

static void test_pricing(void) {
    v2g_tariff t = {V2G_GRID_BUY_DEFAULT, V2G_GRID_SELL_DEFAULT, V2G_EV_MARKUP_DEFAULT_PPM, 0};
    int64_t split = 0, ev = 0;
    CHECK_EQ_I64(v2g_tariff_prices(&t, &split, &ev), V2G_OK);
    /* (29.49 + 6.4) / 2 = 17.945 p/kWh; +10 % = 19.7395 p/kWh. */
    CHECK_EQ_I64(split, 179450);
    CHECK_EQ_I64(ev, 197395);
    t.ev_markup_ppm = 1000000; /* +100 % would exceed the grid price: capped at P_gb */
    CHECK_EQ_I64(v2g_tariff_prices(&t, &split, &ev), V2G_OK);
    CHECK_EQ_I64(ev, V2G_GRID_BUY_DEFAULT);
    t.grid_sell = t.grid_buy + 1;
    CHECK_EQ_I64(v2g_tariff_prices(&t, &split, &ev), V2G_E_INVALID);
    t.grid_buy = INT64_MAX; t.grid_sell = INT64_MAX;
    CHECK_EQ_I64(v2g_tariff_prices(&t, &split, &ev), V2G_OK);
    CHECK_EQ_I64(split, INT64_MAX);

    int64_t m = 0;
    CHECK_EQ_I64(v2g_money(294900, 1500, &m), V2G_OK);
    CHECK_EQ_I64(m, 442350); /* 29.49 p/kWh x 1.5 kWh = 44.235 p */
    CHECK_EQ_I64(v2g_money(999, 1, &m), V2G_OK);
    CHECK_EQ_I64(m, 0);
    CHECK_EQ_I64(v2g_money(-999, 2, &m), V2G_OK);
    CHECK_EQ_I64(m, -1); /* -1.998 rounds toward zero */
    CHECK_EQ_I64(v2g_money(INT64_MAX, 1000, &m), V2G_OK);
    CHECK_EQ_I64(m, INT64_MAX);
    CHECK_EQ_I64(v2g_money(INT64_MAX, 1001, &m), V2G_E_OVERFLOW);
    /* Found by fuzz_pricing: -2^63 is an int64, so a result of exactly INT64_MIN is no overflow. */
    CHECK_EQ_I64(v2g_money(INT64_MIN, 1000, &m), V2G_OK);
    CHECK_EQ_I64(m, INT64_MIN);
    CHECK_EQ_I64(v2g_money((int64_t)1 << 62, -2000, &m), V2G_OK);
    CHECK_EQ_I64(m, INT64_MIN);
    CHECK_EQ_I64(v2g_money(INT64_MIN, 1001, &m), V2G_E_OVERFLOW);
    CHECK_EQ_I64(v2g_money(INT64_MIN, -1000, &m), V2G_E_OVERFLOW);
}

/* Found by fuzz_prosumer: a benefit of INT64_MAX is the LSAP's mark of a forbidden pair, so the
 * matcher dropped that pair (infeasible, or a worse matching) instead of refusing the input. */
static void test_hungarian_refuses_unbounded_benefits(void) {
    int64_t to[2], wh[2], traded = 0;
    size_t bytes = v2g_hungarian_workspace_size(2, 2);
    void *ws = malloc(bytes);
    CHECK(ws != NULL);

    v2g_prosumer_request one[1] = {preq(V2G_SURPLUS, INT64_MAX, 0)};
    v2g_ev_state unlimited[1] = {{0, INT64_MAX}};
    CHECK_EQ_I64(v2g_hungarian_match(one, 1, unlimited, 1, to, wh, &traded, NULL, NULL, ws, bytes), V2G_E_OVERFLOW);

    v2g_prosumer_request two[2] = {preq(V2G_DEMAND, INT64_MAX, 0), preq(V2G_DEMAND, 5, 1)};
    v2g_ev_state evs[2] = {{INT64_MAX, 0}, {3, 0}};
    CHECK_EQ_I64(v2g_hungarian_match(two, 2, evs, 2, to, wh, &traded, NULL, NULL, ws, bytes), V2G_E_OVERFLOW);

    /* At the bound the problem is solved, and optimally: the large demand meets the large EV. */
    int64_t bound = v2g_lsap_i64_cost_bound(2, 2);
    two[0].energy_wh = bound;
    evs[0].available_wh = bound;
    CHECK_EQ_I64(v2g_hungarian_match(two, 2, evs, 2, to, wh, &traded, NULL, NULL, ws, bytes), V2G_OK);
    CHECK_EQ_I64(to[0], 0);
    CHECK_EQ_I64(to[1], 1);
    CHECK_EQ_I64(traded, bound + 3);
    two[0].energy_wh = bound + 1;
    evs[0].available_wh = bound + 1;
    CHECK_EQ_I64(v2g_hungarian_match(two, 2, evs, 2, to, wh, &traded, NULL, NULL, ws, bytes), V2G_E_OVERFLOW);
    free(ws);
}

static void test_status_names(void) {
    for (int s = 0; s < V2G_STATUS_COUNT; s++) CHECK(strcmp(v2g_strerror(s), "unknown status") != 0);
    CHECK(strcmp(v2g_strerror(V2G_STATUS_COUNT), "unknown status") == 0);
    CHECK(strcmp(v2g_strerror(-1), "unknown status") == 0);
    CHECK_EQ_I64(v2g_version(), V2G_VERSION);
    CHECK(strcmp(v2g_version_string(), V2G_VERSION_STRING) == 0);
}

int main(void) {
    test_greedy();
    test_ev_limits();
    test_penalty();
    test_pricing();
    test_status_names();
    test_hungarian_refuses_unbounded_benefits();
    return check_report("test_market");
}
