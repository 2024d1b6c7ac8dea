/* auction.c - double auction with McAfee's trade reduction (SPEC §3.6) in O(n + m). */
#include "v2g/v2g_auction.h"

#include "int128.h"
#include "radix.h"
#include "workspace.h"

#define AUCTION_MAX_COUNT ((size_t)UINT32_MAX - 2)

_Static_assert(sizeof(v2g_auction_order) == 16, "two int64 fields");
_Static_assert(sizeof(v2g_auction_trade) == 24, "three int64 fields");
_Static_assert(sizeof(v2g_auction_result) == 56, "six int64 and two int32 fields");

/* ---------------------------------------------------------------- the order book */

/*
 * Each side sorted by price (bids descending, asks ascending, stable), with
 * orders of 0 Wh left out. A record's key[0] is the encoded price (the
 * complement for bids), its item the input index.
 */
typedef struct auction_side {
    const v2g_radix_rec *rec;
    const v2g_auction_order *orders;
    size_t count;
} auction_side;

static inline int64_t bid_price(const auction_side *s, size_t i) { return (int64_t)~s->rec[i].key[0]; }
static inline int64_t ask_price(const auction_side *s, size_t i) { return (int64_t)s->rec[i].key[0]; }
static inline int64_t side_energy(const auction_side *s, size_t i) { return s->orders[s->rec[i].item].energy_wh; }

static auction_side sort_side(const v2g_auction_order *orders, size_t n, int descending,
                              v2g_radix_rec *rec, v2g_radix_rec *tmp) {
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (orders[i].energy_wh == 0) continue;
        uint64_t price = (uint64_t)orders[i].price;
        rec[k].key[0] = descending ? ~price : price;
        rec[k].item = (uint32_t)i;
        rec[k].reserved = 0;
        k++;
    }
    auction_side side;
    side.rec = v2g_radix_sort(rec, tmp, k, 1);
    side.orders = orders;
    side.count = k;
    return side;
}

/* ---------------------------------------------------------------- the matching walk */

typedef struct walk_summary {
    size_t segments;
    size_t last_bid;      /* position (in sorted order) of the last segment's buyer */
    size_t last_ask;
    uint64_t traded_wh;   /* meaningful only if !overflow */
    int overflow;         /* the traded energy exceeds INT64_MAX */
} walk_summary;

/*
 * Matches the first nb sorted buyers with the first ns sorted sellers: buyer i
 * draws from seller j while bid_i >= ask_j; equivalently, the t-th Wh of the
 * buyers meets the t-th Wh of the sellers until the first t whose bid < ask.
 * Writes the segments to `out` unless it is NULL.
 *
 * Bound on the segments: every segment takes q = min(remaining demand,
 * remaining supply) > 0, which exhausts its buyer or its seller, so after it
 * i + j grows by at least 1. A segment starts only with i <= nb - 1 and
 * j <= ns - 1, i.e. i + j <= nb + ns - 2, and i + j starts at 0; so T segments
 * need T - 1 <= nb + ns - 2, that is T <= nb + ns - 1 < n_bids + n_asks, which
 * is the capacity the caller provides.
 */
static walk_summary walk(const auction_side *b, size_t nb, const auction_side *s, size_t ns,
                         v2g_auction_trade *out) {
    walk_summary w = {0, 0, 0, 0, 0};
    size_t i = 0, j = 0;
    int64_t rb = nb ? side_energy(b, 0) : 0;
    int64_t rs = ns ? side_energy(s, 0) : 0;
    while (i < nb && j < ns && bid_price(b, i) >= ask_price(s, j)) {
        int64_t q = rb < rs ? rb : rs;
        if (out) {
            out[w.segments].bid = (int64_t)b->rec[i].item;
            out[w.segments].ask = (int64_t)s->rec[j].item;
            out[w.segments].energy_wh = q;
        }
        w.segments++;
        if (w.overflow || w.traded_wh > (uint64_t)INT64_MAX - (uint64_t)q) w.overflow = 1;
        else w.traded_wh += (uint64_t)q;
        w.last_bid = i;
        w.last_ask = j;
        rb -= q;
        rs -= q;
        if (rb == 0 && ++i < nb) rb = side_energy(b, i);
        if (rs == 0 && ++j < ns) rs = side_energy(s, j);
    }
    return w;
}

/* ---------------------------------------------------------------- workspace */

typedef struct auction_arrays {
    v2g_radix_rec *bid_rec, *bid_tmp, *ask_rec, *ask_tmp;
} auction_arrays;

/* Reserves (ws == NULL) or takes (ws != NULL) every array, in one order for both. */
static int auction_layout(size_t n, size_t m, size_t *total, v2g_ws *ws, auction_arrays *out) {
#define AUCTION_BLOCK(field, count, type)                                      \
    do {                                                                       \
        if (ws) { if (!(out->field = v2g_ws_take(ws, (count), sizeof(type)))) return 0; } \
        else if (!v2g_ws_reserve(total, (count), sizeof(type))) return 0;      \
    } while (0)
    AUCTION_BLOCK(bid_rec, n, v2g_radix_rec);
    AUCTION_BLOCK(bid_tmp, n, v2g_radix_rec);
    AUCTION_BLOCK(ask_rec, m, v2g_radix_rec);
    AUCTION_BLOCK(ask_tmp, m, v2g_radix_rec);
#undef AUCTION_BLOCK
    return 1;
}

size_t v2g_auction_workspace_size(size_t bid_count, size_t ask_count) {
    if (bid_count > AUCTION_MAX_COUNT || ask_count > AUCTION_MAX_COUNT) return 0;
    size_t total = 0;
    if (!auction_layout(bid_count, ask_count, &total, NULL, NULL)) return 0;
    return v2g_ws_finish(total);
}

/* ---------------------------------------------------------------- validation */

static v2g_status validate(const v2g_auction_order *orders, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (orders[i].price < 0 || orders[i].energy_wh < 0) return V2G_E_NEGATIVE;
    return V2G_OK;
}

/* floor((a + b) / 2) for a, b >= 0 without overflow: halve first, then restore the carry of the low bits. */
static inline int64_t midpoint_floor(int64_t a, int64_t b) { return a / 2 + b / 2 + (a % 2 + b % 2) / 2; }

/* ---------------------------------------------------------------- the auction */

v2g_status v2g_auction_clear(const v2g_auction_order *bids, size_t bid_count,
                             const v2g_auction_order *asks, size_t ask_count,
                             v2g_auction_trade *trades, size_t *trade_count,
                             v2g_auction_result *result,
                             void *workspace, size_t workspace_size) {
    if (!trade_count || !result) return V2G_E_NULL;
    if ((bid_count && !bids) || (ask_count && !asks) || ((bid_count || ask_count) && !trades)) return V2G_E_NULL;
    if (bid_count > AUCTION_MAX_COUNT || ask_count > AUCTION_MAX_COUNT || bid_count > SIZE_MAX - ask_count)
        return V2G_E_OVERFLOW;
    v2g_status st = validate(bids, bid_count);
    if (st == V2G_OK) st = validate(asks, ask_count);
    if (st != V2G_OK) return st;
    size_t need = v2g_auction_workspace_size(bid_count, ask_count);
    if (need == 0) return V2G_E_OVERFLOW;
    if (!workspace || workspace_size < need) return V2G_E_WORKSPACE;
    v2g_ws ws = v2g_ws_open(workspace, workspace_size);
    auction_arrays a;
    if (!auction_layout(bid_count, ask_count, NULL, &ws, &a)) return V2G_E_WORKSPACE;

    /* Step 1. */
    auction_side b = sort_side(bids, bid_count, 1, a.bid_rec, a.bid_tmp);
    auction_side s = sort_side(asks, ask_count, 0, a.ask_rec, a.ask_tmp);

    v2g_auction_result r = {0, 0, 0, 0, -1, -1, 0, 0};

    /* Step 2, counting only. Step 5: no segment means no trade. */
    walk_summary eff = walk(&b, b.count, &s, s.count, NULL);
    if (eff.segments == 0) {
        *trade_count = 0;
        *result = r;
        return V2G_OK;
    }
    size_t kb = eff.last_bid, ks = eff.last_ask;
    int64_t b_kb = bid_price(&b, kb), a_ks = ask_price(&s, ks);
    r.marginal_bid = (int64_t)b.rec[kb].item;
    r.marginal_ask = (int64_t)s.rec[ks].item;

    /* Step 3. Both sides hold only orders of positive energy, so "the next" is simply kb + 1 and ks + 1. */
    size_t nb = b.count, ns = s.count;
    int uniform = 0;
    if (kb + 1 < b.count && ks + 1 < s.count) {
        int64_t p = midpoint_floor(bid_price(&b, kb + 1), ask_price(&s, ks + 1));
        if (a_ks <= p && p <= b_kb) {
            uniform = 1;
            r.buyer_price = p;
            r.seller_price = p;
        }
    }
    walk_summary fin = eff;
    if (!uniform) {
        /* Step 4: drop k_b, k_s and everyone after them; match the rest again. */
        nb = kb;
        ns = ks;
        r.reduced = 1;
        r.buyer_price = b_kb;
        r.seller_price = a_ks;
        fin = walk(&b, nb, &s, ns, NULL);
    }
    if (fin.overflow) return V2G_E_OVERFLOW;
    r.traded_wh = (int64_t)fin.traded_wh;
    if (r.reduced) {
        /* b_kb >= a_ks >= 0, so the difference fits; the product needs 128 bits. */
        uint64_t surplus = 0;
        if (!v2g_div_u128_u32(v2g_mul_u64((uint64_t)(b_kb - a_ks), fin.traded_wh), 1000, &surplus) ||
            surplus > (uint64_t)INT64_MAX)
            return V2G_E_OVERFLOW;
        r.surplus = (int64_t)surplus;
    }

    /* Everything is known to fit: now write the trades. */
    walk_summary written = walk(&b, nb, &s, ns, trades);
    *trade_count = written.segments;
    *result = r;
    return V2G_OK;
}
