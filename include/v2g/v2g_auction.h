/*
 * v2g_auction.h - a two-sided double auction with McAfee's trade-reduction
 * rule, the market baseline of SPEC §3.6.
 *
 * Buyers are energy requests (bid B per kWh, demand in Wh); sellers are EV
 * offers (ask per kWh, energy in Wh). Energy is divisible in whole Wh.
 *   1. Buyers are ordered by bid descending, sellers by ask ascending; equal
 *      prices keep input order. Orders of 0 Wh take no part at all.
 *   2. Efficient matching: buyer after buyer draws energy from the sellers in
 *      order while bid >= ask, giving segments (buyer, seller, Wh). The buyer
 *      and the seller of the last segment are the marginal buyer k_b and the
 *      marginal seller k_s (bids b_kb, asks a_ks).
 *   3. The candidate price is p = floor((b_next + a_next) / 2), with b_next the
 *      bid of the first buyer after k_b and a_next the ask of the first seller
 *      after k_s. If both exist and a_ks <= p <= b_kb, every segment trades at
 *      p: buyers pay p, sellers receive p.
 *   4. Otherwise (trade reduction) k_b and k_s are excluded entirely; the
 *      buyers before k_b and the sellers before k_s are matched again as in
 *      step 2 (every such pair trades, since their bids >= b_kb >= a_ks >= their
 *      asks). Buyers pay b_kb, sellers receive a_ks; the auctioneer keeps
 *      floor((b_kb - a_ks) x traded Wh / 1000) micro-units.
 *   5. There is no trade if the best bid is below the best ask (or a side is empty).
 * Money follows SPEC §2: price x Wh / 1000, rounded toward zero. Runs in
 * O(n + m) (radix sort and two linear walks). See docs/auction.md.
 */
#ifndef V2G_AUCTION_H
#define V2G_AUCTION_H

#include "v2g_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** One buyer's bid or one seller's ask. */
typedef struct v2g_auction_order {
    int64_t price;       /* micro-units of currency per kWh, >= 0 */
    int64_t energy_wh;   /* demand (bid) or offered energy (ask), >= 0; 0 takes no part */
} v2g_auction_order;

/** One trade: seller `ask` delivers `energy_wh` (> 0) to buyer `bid`. */
typedef struct v2g_auction_trade {
    int64_t bid;         /* index into the bids array */
    int64_t ask;         /* index into the asks array */
    int64_t energy_wh;
} v2g_auction_trade;

/** The clearing prices and totals of one auction. */
typedef struct v2g_auction_result {
    /* The prices are 0 when step 5 finds no trade; a reduction (step 4) that leaves nothing to trade still
     * reports b_kb and a_ks, with traded_wh = 0. */
    int64_t buyer_price;     /* what every buyer pays per kWh: p, or b_kb after reduction */
    int64_t seller_price;    /* what every seller receives per kWh: p, or a_ks after reduction */
    int64_t traded_wh;       /* the sum of the trades' energy */
    int64_t surplus;         /* the auctioneer's: floor((buyer_price - seller_price) x traded_wh / 1000) */
    int64_t marginal_bid;    /* k_b as an index into bids; -1 if no trade */
    int64_t marginal_ask;    /* k_s as an index into asks; -1 if no trade */
    int32_t reduced;         /* 1 if the trade-reduction rule applied (step 4), else 0 */
    int32_t reserved;        /* set to 0 */
} v2g_auction_result;

/** Bytes of workspace v2g_auction_clear needs; 0 if the counts are too large. */
V2G_API size_t v2g_auction_workspace_size(size_t bid_count, size_t ask_count);

/**
 * Clears the auction. `trades` must hold bid_count + ask_count entries (at
 * most bid_count + ask_count - 1 are written); they come in the order of the
 * matching walk (buyers by bid descending, then sellers by ask ascending).
 * On error nothing is written through `trades`, `trade_count` or `result`.
 * Errors: V2G_E_NULL, V2G_E_NEGATIVE (a price or an energy),
 * V2G_E_OVERFLOW (more than UINT32_MAX - 2 bids or asks, or traded_wh or
 * surplus beyond INT64_MAX), V2G_E_WORKSPACE.
 */
V2G_API V2G_NODISCARD v2g_status v2g_auction_clear(
    const v2g_auction_order *bids, size_t bid_count,
    const v2g_auction_order *asks, size_t ask_count,
    v2g_auction_trade *trades,     /* OUT: capacity bid_count + ask_count */
    size_t *trade_count,           /* OUT */
    v2g_auction_result *result,    /* OUT */
    void *workspace, size_t workspace_size);

#ifdef __cplusplus
}
#endif

#endif /* V2G_AUCTION_H */
