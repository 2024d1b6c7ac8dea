/* test_auction.c - the McAfee double auction: hand-worked cases, a unit-by-unit reference, properties, errors. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "v2g/v2g_auction.h"

typedef v2g_auction_order order;

typedef struct outcome {
    v2g_status status;
    size_t count;
    v2g_auction_trade trades[64];
    v2g_auction_result result;
} outcome;

static outcome run(const order *bids, size_t n, const order *asks, size_t m) {
    outcome o;
    memset(&o, 0, sizeof o);
    size_t size = v2g_auction_workspace_size(n, m);
    void *ws = malloc(size ? size : 1);
    o.status = v2g_auction_clear(bids, n, asks, m, o.trades, &o.count, &o.result, ws, size);
    free(ws);
    return o;
}

static void check_trades(const outcome *o, size_t count, const int64_t (*want)[3]) {
    CHECK_EQ_I64(o->count, count);
    for (size_t t = 0; t < count && t < o->count; t++) {
        CHECK_EQ_I64(o->trades[t].bid, want[t][0]);
        CHECK_EQ_I64(o->trades[t].ask, want[t][1]);
        CHECK_EQ_I64(o->trades[t].energy_wh, want[t][2]);
    }
}

static void check_result(const outcome *o, int64_t buyer, int64_t seller, int reduced, int64_t wh, int64_t surplus,
                         int64_t kb, int64_t ks) {
    CHECK_EQ_I64(o->status, V2G_OK);
    CHECK_EQ_I64(o->result.buyer_price, buyer);
    CHECK_EQ_I64(o->result.seller_price, seller);
    CHECK_EQ_I64(o->result.reduced, reduced);
    CHECK_EQ_I64(o->result.traded_wh, wh);
    CHECK_EQ_I64(o->result.surplus, surplus);
    CHECK_EQ_I64(o->result.marginal_bid, kb);
    CHECK_EQ_I64(o->result.marginal_ask, ks);
    CHECK_EQ_I64(o->result.reserved, 0);
}

/* ---------------------------------------------------------------- hand-worked cases */

/*
 * The candidate price lies inside [a_ks, b_kb]: no reduction.
 * Bids (price, Wh): B0 (300, 10), B1 (200, 10), B2 (100, 10).
 * Asks:             S0 (50, 15),  S1 (150, 10), S2 (250, 10).
 * Walk: B0 takes 10 from S0; B1 takes S0's last 5, then 5 from S1 (200 >= 150);
 * B1 is full, B2 (100) < S1 (150): stop. k_b = B1 (200), k_s = S1 (150).
 * b_next = 100 (B2), a_next = 250 (S2): p = floor(350 / 2) = 175 in [150, 200].
 * All three segments trade at 175; 20 Wh, no surplus.
 */
static void test_uniform_price(void) {
    order bids[3] = {{300, 10}, {200, 10}, {100, 10}};
    order asks[3] = {{50, 15}, {150, 10}, {250, 10}};
    outcome o = run(bids, 3, asks, 3);
    check_result(&o, 175, 175, 0, 20, 0, 1, 1);
    const int64_t want[3][3] = {{0, 0, 10}, {1, 0, 5}, {1, 1, 5}};
    check_trades(&o, 3, want);
}

/*
 * The candidate price lies outside [a_ks, b_kb]: trade reduction.
 * Bids (price, Wh): B0 (1000, 10 000), B1 (900, 10 000), B2 (100, 10 000).
 * Asks:             S0 (10, 10 000),   S1 (850, 10 000), S2 (980, 10 000).
 * Walk: B0-S0 10 000, B1-S1 10 000 (900 >= 850); B2 (100) < S2 (980): stop.
 * k_b = B1 (900), k_s = S1 (850); p = floor((100 + 980) / 2) = 540 < 850.
 * Reduce: only B0 and S0 remain and trade 10 000 Wh; buyers pay 900, sellers get 850;
 * the auctioneer keeps floor((900 - 850) x 10 000 / 1000) = 500 micro-units.
 */
static void test_reduction(void) {
    order bids[3] = {{1000, 10000}, {900, 10000}, {100, 10000}};
    order asks[3] = {{10, 10000}, {850, 10000}, {980, 10000}};
    outcome o = run(bids, 3, asks, 3);
    check_result(&o, 900, 850, 1, 10000, 500, 1, 1);
    const int64_t want[1][3] = {{0, 0, 10000}};
    check_trades(&o, 1, want);
}

/*
 * Reduction re-matches: S0's energy that went to the marginal buyer is given out again.
 * Bids: B0 (500, 4), B1 (400, 6). Asks: S0 (100, 8), S1 (200, 5).
 * Walk: B0-S0 4; B1-S0 4 (S0 empty), B1-S1 2. k_b = B1, k_s = S1. No buyer after B1:
 * no candidate price, so reduce. B0 and S0 match again: 4 Wh (S0 keeps 4 unsold).
 * Buyers pay 400, sellers get 200, surplus floor(200 x 4 / 1000) = 0.
 */
static void test_reduction_rematch(void) {
    order bids[2] = {{500, 4}, {400, 6}};
    order asks[2] = {{100, 8}, {200, 5}};
    outcome o = run(bids, 2, asks, 2);
    check_result(&o, 400, 200, 1, 4, 0, 1, 1);
    const int64_t want[1][3] = {{0, 0, 4}};
    check_trades(&o, 1, want);

    /* The seller before k_s supplies both B0 and the marginal buyer; the reduction gives its energy back to B0. */
    order bids2[3] = {{500, 10}, {400, 6}, {100, 1}};
    order asks2[3] = {{100, 8}, {200, 5}, {300, 1}};
    /*
     * Walk: B0-S0 8, B0-S1 2, B1-S1 3 (S1 empty), B1 (400) vs S2 (300): B1-S2 1 (S2 empty, no more asks).
     * k_b = B1, k_s = S2; no seller after S2: reduce. B0 with S0, S1: 8 + 2 = 10 Wh.
     * Buyers pay 400, sellers get 300, surplus floor(100 x 10 / 1000) = 1.
     */
    o = run(bids2, 3, asks2, 3);
    check_result(&o, 400, 300, 1, 10, 1, 1, 2);
    const int64_t want2[2][3] = {{0, 0, 8}, {0, 1, 2}};
    check_trades(&o, 2, want2);
}

/* No trade: the best bid 100 is below the best ask 101; also an empty side. */
static void test_no_trade(void) {
    order bids[2] = {{100, 5}, {50, 5}};
    order asks[2] = {{101, 5}, {200, 5}};
    outcome o = run(bids, 2, asks, 2);
    check_result(&o, 0, 0, 0, 0, 0, -1, -1);
    CHECK_EQ_I64(o.count, 0);
    o = run(bids, 2, NULL, 0);
    check_result(&o, 0, 0, 0, 0, 0, -1, -1);
    o = run(NULL, 0, NULL, 0);
    check_result(&o, 0, 0, 0, 0, 0, -1, -1);
}

/*
 * Ties keep input order. Bids B0 (200, 3), B1 (300, 3), B2 (200, 3), B3 (100, 5);
 * sorted: B1, B0, B2, B3. Asks S0 (50, 3), S1 (50, 3), S2 (150, 3), S3 (250, 5); sorted as given.
 * Walk: B1-S0 3, B0-S1 3, B2-S2 3 (200 >= 150), B3 (100) < S3 (250): stop.
 * k_b = B2 (200, index 2), k_s = S2 (150); p = floor((100 + 250) / 2) = 175 in [150, 200].
 */
static void test_ties(void) {
    order bids[4] = {{200, 3}, {300, 3}, {200, 3}, {100, 5}};
    order asks[4] = {{50, 3}, {50, 3}, {150, 3}, {250, 5}};
    outcome o = run(bids, 4, asks, 4);
    check_result(&o, 175, 175, 0, 9, 0, 2, 2);
    const int64_t want[3][3] = {{1, 0, 3}, {0, 1, 3}, {2, 2, 3}};
    check_trades(&o, 3, want);
}

/*
 * Orders of 0 Wh take no part, not even as "the next" order. Without B1 and S1 this is
 * test_uniform_price; the 0-Wh B1 (150) and S1 (160) would otherwise give p = floor(310 / 2) = 155.
 */
static void test_zero_energy(void) {
    order bids[4] = {{300, 10}, {150, 0}, {200, 10}, {100, 10}};
    order asks[4] = {{50, 15}, {160, 0}, {150, 10}, {250, 10}};
    outcome o = run(bids, 4, asks, 4);
    check_result(&o, 175, 175, 0, 20, 0, 2, 2);
    const int64_t want[3][3] = {{0, 0, 10}, {2, 0, 5}, {2, 2, 5}};
    check_trades(&o, 3, want);
    /* Only zero-energy orders: no trade. */
    order zb[1] = {{500, 0}}, za[1] = {{1, 0}};
    o = run(zb, 1, za, 1);
    check_result(&o, 0, 0, 0, 0, 0, -1, -1);
}

/*
 * One buyer (300, 10) and one seller (100, 10): they are k_b and k_s, nobody comes
 * after them, so there is no candidate price; the reduction removes both and nothing trades.
 */
static void test_single_pair(void) {
    order bids[1] = {{300, 10}};
    order asks[1] = {{100, 10}};
    outcome o = run(bids, 1, asks, 1);
    check_result(&o, 300, 100, 1, 0, 0, 0, 0);
    CHECK_EQ_I64(o.count, 0);
}

/* Extreme values: no overflow, no UB; results beyond int64 are refused. */
static void test_extremes(void) {
    const int64_t max = INT64_MAX;
    /* p = floor(((max - 1) + max) / 2) = max - 1, inside [0, max]: 5 Wh at max - 1. */
    order b1[2] = {{max, 5}, {max - 1, 5}};
    order a1[2] = {{0, 5}, {max, 5}};
    outcome o = run(b1, 2, a1, 2);
    check_result(&o, max - 1, max - 1, 0, 5, 0, 0, 0);

    /* Reduction with surplus floor(max x 1000 / 1000) = max, computed in 128 bits. */
    order b2[2] = {{max, 1000}, {max, 1000}};
    order a2[2] = {{0, 1000}, {0, 1000}};
    o = run(b2, 2, a2, 2);
    check_result(&o, max, 0, 1, 1000, max, 1, 1);

    /* The surplus max x max / 1000 does not fit in int64. */
    order b3[2] = {{max, max}, {max, max}};
    order a3[2] = {{0, max}, {0, max}};
    o = run(b3, 2, a3, 2);
    CHECK_EQ_I64(o.status, V2G_E_OVERFLOW);

    /* Two trades of max Wh each: the traded energy does not fit in int64. */
    order b4[3] = {{max, max}, {max, max}, {0, 1}};
    order a4[3] = {{0, max}, {0, max}, {max, 1}};
    o = run(b4, 3, a4, 3);
    CHECK_EQ_I64(o.status, V2G_E_OVERFLOW);

    /* One trade of max Wh at a uniform price: fits. k_b = B0, k_s = S0, p = floor(max / 2). */
    order b5[2] = {{max, max}, {0, 1}};
    order a5[2] = {{0, max}, {max, 1}};
    o = run(b5, 2, a5, 2);
    check_result(&o, max / 2, max / 2, 0, max, 0, 0, 0);
}

/* ---------------------------------------------------------------- input errors */

static void test_errors(void) {
    order bids[2] = {{100, 5}, {50, 5}};
    order asks[2] = {{10, 5}, {20, 5}};
    v2g_auction_trade trades[4];
    v2g_auction_result res;
    memset(&res, 0x5A, sizeof res);
    size_t count = 77;
    size_t size = v2g_auction_workspace_size(2, 2);
    void *ws = malloc(size);
    CHECK(size > 0);

    CHECK_EQ_I64(v2g_auction_clear(NULL, 2, asks, 2, trades, &count, &res, ws, size), V2G_E_NULL);
    CHECK_EQ_I64(v2g_auction_clear(bids, 2, NULL, 2, trades, &count, &res, ws, size), V2G_E_NULL);
    CHECK_EQ_I64(v2g_auction_clear(bids, 2, asks, 2, NULL, &count, &res, ws, size), V2G_E_NULL);
    CHECK_EQ_I64(v2g_auction_clear(bids, 2, asks, 2, trades, NULL, &res, ws, size), V2G_E_NULL);
    CHECK_EQ_I64(v2g_auction_clear(bids, 2, asks, 2, trades, &count, NULL, ws, size), V2G_E_NULL);

    order neg_price[2] = {{100, 5}, {-1, 5}};
    order neg_energy[2] = {{10, 5}, {20, -5}};
    CHECK_EQ_I64(v2g_auction_clear(neg_price, 2, asks, 2, trades, &count, &res, ws, size), V2G_E_NEGATIVE);
    CHECK_EQ_I64(v2g_auction_clear(bids, 2, neg_energy, 2, trades, &count, &res, ws, size), V2G_E_NEGATIVE);
    CHECK_EQ_I64(v2g_auction_clear(bids, 2, neg_price, 2, trades, &count, &res, ws, size), V2G_E_NEGATIVE);

    CHECK_EQ_I64(v2g_auction_clear(bids, 2, asks, 2, trades, &count, &res, NULL, size), V2G_E_WORKSPACE);
    CHECK_EQ_I64(v2g_auction_clear(bids, 2, asks, 2, trades, &count, &res, ws, size - 1), V2G_E_WORKSPACE);
    CHECK_EQ_I64(v2g_auction_clear(NULL, 0, NULL, 0, NULL, &count, &res, NULL, 0), V2G_E_WORKSPACE);

    /* Counts beyond the index range: refused before any input is read. */
    CHECK_EQ_I64(v2g_auction_workspace_size((size_t)UINT32_MAX, 1), 0);
    CHECK_EQ_I64(v2g_auction_workspace_size(1, SIZE_MAX), 0);
    CHECK_EQ_I64(v2g_auction_clear(bids, (size_t)UINT32_MAX, asks, 2, trades, &count, &res, ws, size), V2G_E_OVERFLOW);
    CHECK_EQ_I64(v2g_auction_clear(bids, 2, asks, SIZE_MAX, trades, &count, &res, ws, size), V2G_E_OVERFLOW);

    /* Errors leave the outputs untouched. */
    CHECK_EQ_I64(count, 77);
    CHECK_EQ_I64(res.reserved, 0x5A5A5A5A);

    CHECK_EQ_I64(v2g_auction_clear(bids, 2, asks, 2, trades, &count, &res, ws, size), V2G_OK);
    /* A misaligned workspace of the reported size still works (the size includes alignment slack). */
    void *big = malloc(size + 1);
    CHECK_EQ_I64(v2g_auction_clear(bids, 2, asks, 2, trades, &count, &res, (char *)big + 1, size), V2G_OK);
    free(big);
    free(ws);
}

/* ---------------------------------------------------------------- the reference */

#define REF_MAX_ORDERS 12
#define REF_MAX_UNITS 600

/* Stable insertion sort of the positive-energy orders' indices by price (descending for bids). */
static size_t ref_sort(const order *o, size_t n, int descending, size_t *idx) {
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (o[i].energy_wh == 0) continue;
        size_t j = k++;
        while (j > 0 && (descending ? o[idx[j - 1]].price < o[i].price : o[idx[j - 1]].price > o[i].price)) {
            idx[j] = idx[j - 1];
            j--;
        }
        idx[j] = i;
    }
    return k;
}

/* One entry per Wh: the sorted position of the order it belongs to. */
static size_t ref_units(const order *o, const size_t *idx, size_t k, size_t *unit) {
    size_t u = 0;
    for (size_t x = 0; x < k; x++)
        for (int64_t e = 0; e < o[idx[x]].energy_wh; e++) unit[u++] = x;
    return u;
}

/*
 * Unit by unit: the t-th Wh of the buyers (by bid descending) meets the t-th Wh of the
 * sellers (by ask ascending) while bid >= ask (efficient step) or for every t below
 * both prefixes' sizes (reduction step). Consecutive Wh of the same pair form one trade.
 */
static outcome reference(const order *bids, size_t n, const order *asks, size_t m) {
    outcome o;
    memset(&o, 0, sizeof o);
    o.result.marginal_bid = -1;
    o.result.marginal_ask = -1;
    size_t bi[REF_MAX_ORDERS], si[REF_MAX_ORDERS];
    static size_t bu[REF_MAX_UNITS], su[REF_MAX_UNITS];
    size_t nb = ref_sort(bids, n, 1, bi), ns = ref_sort(asks, m, 0, si);
    size_t ub = ref_units(bids, bi, nb, bu), us = ref_units(asks, si, ns, su);

    size_t matched = 0;
    while (matched < ub && matched < us && bids[bi[bu[matched]]].price >= asks[si[su[matched]]].price) matched++;
    if (matched == 0) return o;
    size_t kb = bu[matched - 1], ks = su[matched - 1];
    int64_t b_kb = bids[bi[kb]].price, a_ks = asks[si[ks]].price;
    o.result.marginal_bid = (int64_t)bi[kb];
    o.result.marginal_ask = (int64_t)si[ks];

    int uniform = 0;
    if (kb + 1 < nb && ks + 1 < ns) {
        int64_t p = (bids[bi[kb + 1]].price + asks[si[ks + 1]].price) / 2; /* small prices: no overflow */
        if (a_ks <= p && p <= b_kb) {
            uniform = 1;
            o.result.buyer_price = o.result.seller_price = p;
        }
    }
    size_t trade_units = matched;
    if (!uniform) {
        o.result.reduced = 1;
        o.result.buyer_price = b_kb;
        o.result.seller_price = a_ks;
        /* Units of buyers before kb and of sellers before ks; all of them pair up to the shorter prefix. */
        size_t pb = 0, ps = 0;
        while (pb < ub && bu[pb] < kb) pb++;
        while (ps < us && su[ps] < ks) ps++;
        trade_units = pb < ps ? pb : ps;
    }
    for (size_t t = 0; t < trade_units; t++) {
        int64_t b = (int64_t)bi[bu[t]], s = (int64_t)si[su[t]];
        if (o.count > 0 && o.trades[o.count - 1].bid == b && o.trades[o.count - 1].ask == s) {
            o.trades[o.count - 1].energy_wh++;
        } else {
            o.trades[o.count].bid = b;
            o.trades[o.count].ask = s;
            o.trades[o.count].energy_wh = 1;
            o.count++;
        }
    }
    o.result.traded_wh = (int64_t)trade_units;
    o.result.surplus = (o.result.buyer_price - o.result.seller_price) * o.result.traded_wh / 1000;
    return o;
}

/* ---------------------------------------------------------------- random instances */

static long random_mismatches = 0;

static void random_orders(check_rng *rng, order *o, size_t n, int64_t max_price, int64_t max_wh) {
    for (size_t i = 0; i < n; i++) {
        o[i].price = check_range(rng, 0, max_price);
        o[i].energy_wh = check_range(rng, 0, 5) == 0 ? 0 : check_range(rng, 1, max_wh);
    }
}

static int same_outcome(const outcome *x, const outcome *y) {
    if (x->status != y->status || x->count != y->count) return 0;
    if (memcmp(&x->result, &y->result, sizeof x->result) != 0) return 0;
    for (size_t t = 0; t < x->count; t++)
        if (x->trades[t].bid != y->trades[t].bid || x->trades[t].ask != y->trades[t].ask ||
            x->trades[t].energy_wh != y->trades[t].energy_wh)
            return 0;
    return 1;
}

/* Individual rationality, budget balance, feasibility, conservation, and the trade-count bound. */
static void check_properties(const order *bids, size_t n, const order *asks, size_t m, const outcome *o) {
    int64_t got[REF_MAX_ORDERS] = {0}, gave[REF_MAX_ORDERS] = {0};
    int64_t total = 0, paid = 0, received = 0;
    int ok = o->status == V2G_OK;
    ok &= o->count <= (n + m > 0 ? n + m - 1 : 0);
    for (size_t t = 0; t < o->count; t++) {
        const v2g_auction_trade *tr = &o->trades[t];
        ok &= tr->bid >= 0 && (size_t)tr->bid < n && tr->ask >= 0 && (size_t)tr->ask < m;
        if (!ok) break;
        ok &= tr->energy_wh > 0;
        ok &= o->result.buyer_price <= bids[tr->bid].price;    /* a buyer never pays more than it bid */
        ok &= o->result.seller_price >= asks[tr->ask].price;   /* a seller never gets less than it asked */
        if (o->result.reduced) ok &= tr->bid != o->result.marginal_bid && tr->ask != o->result.marginal_ask;
        got[tr->bid] += tr->energy_wh;
        gave[tr->ask] += tr->energy_wh;
        total += tr->energy_wh;
        paid += o->result.buyer_price * tr->energy_wh / 1000;
        received += o->result.seller_price * tr->energy_wh / 1000;
    }
    for (size_t i = 0; i < n; i++) ok &= got[i] <= bids[i].energy_wh;
    for (size_t j = 0; j < m; j++) ok &= gave[j] <= asks[j].energy_wh;
    ok &= total == o->result.traded_wh;                        /* energy bought = energy sold = traded */
    ok &= paid >= received;                                    /* weak budget balance */
    ok &= o->result.buyer_price >= o->result.seller_price;
    ok &= o->result.surplus == (o->result.buyer_price - o->result.seller_price) * total / 1000;
    ok &= o->result.reduced || o->result.surplus == 0;
    CHECK(ok);
}

static void test_random(void) {
    check_rng rng = {20240611u};
    order bids[REF_MAX_ORDERS], asks[REF_MAX_ORDERS];
    long reduced = 0, uniform = 0, none = 0;
    for (int round = 0; round < 20000; round++) {
        size_t n = (size_t)check_range(&rng, 0, 8), m = (size_t)check_range(&rng, 0, 8);
        /* Mostly tiny prices (many ties) and energies; sometimes wider ones, so that money rounds to non-zero. */
        int wide = round % 4 == 3;
        int64_t max_price = wide ? 5000 : 6, max_wh = wide ? 60 : 4;
        random_orders(&rng, bids, n, max_price, max_wh);
        random_orders(&rng, asks, m, max_price, max_wh);
        outcome fast = run(bids, n, asks, m);
        outcome ref = reference(bids, n, asks, m);
        if (!same_outcome(&fast, &ref)) {
            random_mismatches++;
            if (random_mismatches <= 3) fprintf(stderr, "mismatch in random round %d (n=%zu, m=%zu)\n", round, n, m);
        }
        CHECK(same_outcome(&fast, &ref));
        check_properties(bids, n, asks, m, &fast);
        if (fast.result.marginal_bid < 0) none++;
        else if (fast.result.reduced) reduced++;
        else uniform++;
    }
    /* Every branch is exercised often. */
    CHECK(reduced > 1000);
    CHECK(uniform > 1000);
    CHECK(none > 1000);
}

/* Larger books: order of magnitude beyond the reference, checked for properties and against the bound. */
static void test_random_large(void) {
    enum { N = 3000 };
    static v2g_auction_order bids[N], asks[N];
    static v2g_auction_trade trades[2 * N];
    check_rng rng = {7u};
    size_t size = v2g_auction_workspace_size(N, N);
    void *ws = malloc(size);
    for (int round = 0; round < 20; round++) {
        for (size_t i = 0; i < N; i++) {
            bids[i].price = check_range(&rng, 100000, 400000);
            bids[i].energy_wh = check_range(&rng, 0, 20000);
            asks[i].price = check_range(&rng, 50000, 350000);
            asks[i].energy_wh = check_range(&rng, 0, 10000);
        }
        size_t count = 0;
        v2g_auction_result res;
        CHECK_EQ_I64(v2g_auction_clear(bids, N, asks, N, trades, &count, &res, ws, size), V2G_OK);
        CHECK(count <= 2 * N - 1);
        static int64_t got[N], gave[N];
        memset(got, 0, sizeof got);
        memset(gave, 0, sizeof gave);
        int64_t total = 0;
        int ok = 1;
        for (size_t t = 0; t < count; t++) {
            ok &= res.buyer_price <= bids[trades[t].bid].price && res.seller_price >= asks[trades[t].ask].price;
            got[trades[t].bid] += trades[t].energy_wh;
            gave[trades[t].ask] += trades[t].energy_wh;
            total += trades[t].energy_wh;
        }
        for (size_t i = 0; i < N; i++) ok &= got[i] <= bids[i].energy_wh && gave[i] <= asks[i].energy_wh;
        CHECK(ok);
        CHECK_EQ_I64(total, res.traded_wh);
        CHECK(res.traded_wh > 0);
    }
    free(ws);
}

int main(void) {
    test_uniform_price();
    test_reduction();
    test_reduction_rematch();
    test_no_trade();
    test_ties();
    test_zero_energy();
    test_single_pair();
    test_extremes();
    test_errors();
    test_random();
    test_random_large();
    return check_report("test_auction");
}
