/*
 * fuzz_auction.c - v2g_auction_clear (v2g_auction.h) against the five steps of the header, re-implemented
 * in 128-bit integers.
 *
 * Input: bid and ask counts (0..64), a mode byte, a workspace byte, then (price, energy) per order.
 * Checks: the status (V2G_E_NEGATIVE, V2G_E_WORKSPACE, V2G_E_OVERFLOW exactly when the traded energy
 * or the surplus would pass INT64_MAX); on error nothing is written through trades, trade_count or
 * result; on success trades and result equal the reference, and independently: at most
 * bid_count + ask_count - 1 trades of positive energy within each order's energy, traded_wh is
 * their sum, the surplus follows its formula, every trading buyer bids at least the buyer price,
 * every trading seller asks at most the seller price, and buyer_price >= seller_price.
 */
#include "fuzz_input.h"

#define MAXN 64

typedef __int128 i128;

enum {
    M_SMALL_PRICES = 1,   /* prices in 0..7 (ties everywhere) */
    M_SMALL_ENERGY = 2,   /* energies in 0..7 */
    M_SMALL_WS = 4,
    M_FILL = 8,
};

typedef struct ref_result {
    v2g_status status;
    size_t count;
    v2g_auction_trade trades[2 * MAXN];
    v2g_auction_result res;
} ref_result;

/* Stable order: bids by price descending, asks ascending; orders of 0 Wh left out. */
static size_t sort_side(const v2g_auction_order *o, size_t n, int descending, size_t *out) {
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (o[i].energy_wh == 0) continue;
        size_t t = k++;
        while (t > 0 && (descending ? o[i].price > o[out[t - 1]].price : o[i].price < o[out[t - 1]].price)) {
            out[t] = out[t - 1];
            t--;
        }
        out[t] = i;
    }
    return k;
}

/* Step 2's walk over the first nb buyers and ns sellers; returns the segment count. */
static size_t walk(const v2g_auction_order *bids, const size_t *b, size_t nb, const v2g_auction_order *asks,
                   const size_t *s, size_t ns, v2g_auction_trade *out, size_t *last_b, size_t *last_s, i128 *traded) {
    size_t i = 0, j = 0, segs = 0;
    i128 rb = nb ? bids[b[0]].energy_wh : 0, rs = ns ? asks[s[0]].energy_wh : 0;
    *traded = 0;
    while (i < nb && j < ns && bids[b[i]].price >= asks[s[j]].price) {
        i128 qq = rb < rs ? rb : rs;
        if (out) out[segs] = (v2g_auction_trade){(int64_t)b[i], (int64_t)s[j], (int64_t)qq};
        segs++;
        *traded += qq;
        *last_b = i;
        *last_s = j;
        rb -= qq;
        rs -= qq;
        if (rb == 0 && ++i < nb) rb = bids[b[i]].energy_wh;
        if (rs == 0 && ++j < ns) rs = asks[s[j]].energy_wh;
    }
    return segs;
}

static void reference(const v2g_auction_order *bids, size_t n, const v2g_auction_order *asks, size_t m, ref_result *r) {
    size_t b[MAXN], s[MAXN];
    size_t nb = sort_side(bids, n, 1, b), ns = sort_side(asks, m, 0, s);
    memset(&r->res, 0, sizeof r->res);
    r->res.marginal_bid = -1;
    r->res.marginal_ask = -1;
    r->status = V2G_OK;
    r->count = 0;
    size_t kb = 0, ks = 0;
    i128 traded = 0;
    if (walk(bids, b, nb, asks, s, ns, NULL, &kb, &ks, &traded) == 0) return;
    const int64_t b_kb = bids[b[kb]].price, a_ks = asks[s[ks]].price;
    r->res.marginal_bid = (int64_t)b[kb];
    r->res.marginal_ask = (int64_t)s[ks];
    int uniform = 0;
    if (kb + 1 < nb && ks + 1 < ns) {
        i128 p = ((i128)bids[b[kb + 1]].price + asks[s[ks + 1]].price) / 2; /* both >= 0: floor */
        if (a_ks <= p && p <= b_kb) {
            uniform = 1;
            r->res.buyer_price = r->res.seller_price = (int64_t)p;
        }
    }
    size_t fb = nb, fs = ns;
    if (!uniform) {
        fb = kb;
        fs = ks;
        r->res.reduced = 1;
        r->res.buyer_price = b_kb;
        r->res.seller_price = a_ks;
    }
    size_t lb, ls;
    r->count = walk(bids, b, fb, asks, s, fs, r->trades, &lb, &ls, &traded);
    if (traded > INT64_MAX) { r->status = V2G_E_OVERFLOW; return; }
    r->res.traded_wh = (int64_t)traded;
    if (r->res.reduced) {
        i128 surplus = ((i128)b_kb - a_ks) * traded / 1000;
        if (surplus > INT64_MAX) { r->status = V2G_E_OVERFLOW; return; }
        r->res.surplus = (int64_t)surplus;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fz r = fz_init(data, size);
    size_t n = fz_count(&r, MAXN), m = fz_count(&r, MAXN);
    uint8_t mode = fz_u8(&r);
    unsigned ws_byte = fz_u8(&r);
    v2g_auction_order *bids = fz_calloc(n, sizeof *bids), *asks = fz_calloc(m, sizeof *asks);
    int negative = 0;
    for (size_t k = 0; k < n + m; k++) {
        v2g_auction_order *o = k < n ? &bids[k] : &asks[k - n];
        o->price = fz_i64(&r);
        o->energy_wh = fz_i64(&r);
        if (mode & M_SMALL_PRICES) o->price %= 8;
        if (mode & M_SMALL_ENERGY) o->energy_wh %= 8;
        if (o->price < 0 || o->energy_wh < 0) negative = 1;
    }
    size_t need = v2g_auction_workspace_size(n, m);
    FZ_CHECK(need > 0 && need < FZ_MAX_WORKSPACE);
    size_t give = (mode & M_SMALL_WS) ? need - 1 : need;
    fz_buf ws = fz_alloc(give, ws_byte, (mode & M_FILL) ? 0x3C : 0);
    const size_t cap = n + m;
    v2g_auction_trade *trades = fz_calloc(cap, sizeof *trades);
    memset(trades, 0xAB, cap * sizeof *trades);
    size_t count = (size_t)0xABABABABu;
    v2g_auction_result res;
    memset(&res, 0xAB, sizeof res);
    v2g_status st = v2g_auction_clear(bids, n, asks, m, trades, &count, &res, ws.ptr, give);
    FZ_NOTE("v2g_auction_clear", st);

    static ref_result ref;
    fz_status_set expect = 0;
    if (negative) expect |= FZ_BIT(V2G_E_NEGATIVE);
    if (mode & M_SMALL_WS) expect |= FZ_BIT(V2G_E_WORKSPACE);
    if (!negative) {
        reference(bids, n, asks, m, &ref);
        if (ref.status != V2G_OK) expect |= FZ_BIT(ref.status);
    }
    if (expect == 0) FZ_CHECK_MSG(st == V2G_OK, "status %d (%s) on valid input", st, v2g_strerror(st));
    else FZ_CHECK_MSG(st != V2G_OK && (expect & FZ_BIT(st)), "status %d (%s), mask 0x%x", st, v2g_strerror(st), expect);

    if (st != V2G_OK) {
        /* "On error nothing is written through trades, trade_count or result." */
        FZ_CHECK(count == (size_t)0xABABABABu);
        const unsigned char *p = (const unsigned char *)&res;
        for (size_t k = 0; k < sizeof res; k++) FZ_CHECK(p[k] == 0xAB);
        p = (const unsigned char *)trades;
        for (size_t k = 0; k < cap * sizeof *trades; k++) FZ_CHECK(p[k] == 0xAB);
    } else {
        FZ_CHECK_MSG(count == ref.count, "%zu trades, reference %zu", count, ref.count);
        FZ_CHECK(count == 0 || count <= cap - 1);
        for (size_t t = 0; t < count; t++)
            FZ_CHECK_MSG(trades[t].bid == ref.trades[t].bid && trades[t].ask == ref.trades[t].ask &&
                             trades[t].energy_wh == ref.trades[t].energy_wh,
                         "trade %zu: (%lld, %lld, %lld), reference (%lld, %lld, %lld)", t, (long long)trades[t].bid,
                         (long long)trades[t].ask, (long long)trades[t].energy_wh, (long long)ref.trades[t].bid,
                         (long long)ref.trades[t].ask, (long long)ref.trades[t].energy_wh);
        FZ_CHECK_MSG(memcmp(&res, &ref.res, sizeof res) == 0,
                     "result (buy %lld, sell %lld, traded %lld, surplus %lld, kb %lld, ks %lld, reduced %d, reserved %d); "
                     "reference (%lld, %lld, %lld, %lld, %lld, %lld, %d)",
                     (long long)res.buyer_price, (long long)res.seller_price, (long long)res.traded_wh,
                     (long long)res.surplus, (long long)res.marginal_bid, (long long)res.marginal_ask, res.reduced,
                     res.reserved, (long long)ref.res.buyer_price, (long long)ref.res.seller_price,
                     (long long)ref.res.traded_wh, (long long)ref.res.surplus, (long long)ref.res.marginal_bid,
                     (long long)ref.res.marginal_ask, ref.res.reduced);
        /* Independent invariants. */
        i128 per_bid[MAXN] = {0}, per_ask[MAXN] = {0}, total = 0;
        for (size_t t = 0; t < count; t++) {
            const v2g_auction_trade *x = &trades[t];
            FZ_CHECK(x->bid >= 0 && (size_t)x->bid < n && x->ask >= 0 && (size_t)x->ask < m);
            FZ_CHECK(x->energy_wh > 0);
            per_bid[x->bid] += x->energy_wh;
            per_ask[x->ask] += x->energy_wh;
            total += x->energy_wh;
            FZ_CHECK_MSG(bids[x->bid].price >= res.buyer_price, "buyer %lld bids %lld below the price %lld",
                         (long long)x->bid, (long long)bids[x->bid].price, (long long)res.buyer_price);
            FZ_CHECK_MSG(asks[x->ask].price <= res.seller_price, "seller %lld asks %lld above the price %lld",
                         (long long)x->ask, (long long)asks[x->ask].price, (long long)res.seller_price);
            if (res.reduced) FZ_CHECK(x->bid != res.marginal_bid && x->ask != res.marginal_ask);
        }
        for (size_t i = 0; i < n; i++) FZ_CHECK(per_bid[i] <= bids[i].energy_wh);
        for (size_t j = 0; j < m; j++) FZ_CHECK(per_ask[j] <= asks[j].energy_wh);
        FZ_CHECK(total == res.traded_wh);
        FZ_CHECK(res.buyer_price >= res.seller_price);
        FZ_CHECK(res.reserved == 0);
        FZ_CHECK(res.surplus == (res.reduced ? (int64_t)(((i128)res.buyer_price - res.seller_price) * total / 1000) : 0));
        if (count == 0 && !res.reduced) FZ_CHECK(res.buyer_price == 0 && res.seller_price == 0);
    }
    fz_free(&ws);
    free(trades);
    free(bids);
    free(asks);
    return 0;
}
