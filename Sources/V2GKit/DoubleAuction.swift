internal import CV2G

/// A bid (buyer) or an ask (seller) in the double auction.
public struct AuctionOrder: Hashable, Sendable {
    /// Micro-units of currency per kWh.
    public var price: Int64
    public var energyWh: Int64

    public init(price: Int64, energyWh: Int64) {
        self.price = price
        self.energyWh = energyWh
    }
}

/// The double auction with McAfee's trade reduction: the market baseline of SPEC §3.6.
public struct DoubleAuction: Sendable {
    public init() {}

    /// One trade of the auction.
    public struct Trade: Hashable, Sendable {
        public var bidIndex: Int
        public var askIndex: Int
        public var energyWh: Int64
    }

    /// Trades and clearing prices.
    public struct Outcome: Hashable, Sendable {
        /// In the order of the matching walk: buyers by bid descending, sellers by ask ascending.
        public var trades: [Trade]
        /// What every buyer pays per kWh.
        public var buyerPrice: Int64
        /// What every seller receives per kWh.
        public var sellerPrice: Int64
        public var tradedWh: Int64
        /// The auctioneer's share after a trade reduction, in micro-units.
        public var surplus: Int64
        /// True when McAfee's trade-reduction rule excluded the marginal buyer and seller.
        public var reduced: Bool

        /// The trades as a ``MatchResult`` over the bids (requests) and asks (offers).
        public func matchResult(bids: [AuctionOrder]) -> MatchResult {
            var got = [Int64](repeating: 0, count: bids.count)
            for t in trades { got[t.bidIndex] += t.energyWh }
            // Buyers in the auction's order: bid descending, ties by input position.
            let order = bids.indices.sorted { bids[$0].price != bids[$1].price ? bids[$0].price > bids[$1].price : $0 < $1 }
            return MatchResult(
                allocations: trades.map { Allocation(requestIndex: $0.bidIndex, offerIndex: $0.askIndex, energyWh: $0.energyWh) },
                outcomes: order.map {
                    RequestOutcome(requestIndex: $0, demandWh: bids[$0].energyWh, allocatedWh: got[$0],
                                   fulfilled: got[$0] > 0 && got[$0] == bids[$0].energyWh)
                })
        }
    }

    /// Clears the auction.
    ///
    /// The corresponding C function is `v2g_auction_clear`.
    public func clear(bids: [AuctionOrder], asks: [AuctionOrder]) throws(V2GError) -> Outcome {
        let cBids = bids.map { v2g_auction_order(price: $0.price, energy_wh: $0.energyWh) }
        let cAsks = asks.map { v2g_auction_order(price: $0.price, energy_wh: $0.energyWh) }
        var trades = [v2g_auction_trade](repeating: v2g_auction_trade(), count: max(bids.count + asks.count, 1))
        var count = 0
        var result = v2g_auction_result()
        let size = v2g_auction_workspace_size(bids.count, asks.count)
        guard size > 0 || (bids.isEmpty && asks.isEmpty) else {
            throw V2GError(code: .overflow, message: "double auction: too many orders")
        }
        let status = withWorkspace(size: size) { workspace, bytes in
            v2g_auction_clear(cBids, cBids.count, cAsks, cAsks.count, &trades, &count, &result, workspace, bytes)
        }
        try check(status, "double auction")
        return Outcome(
            trades: trades.prefix(count).map { Trade(bidIndex: Int($0.bid), askIndex: Int($0.ask), energyWh: $0.energy_wh) },
            buyerPrice: result.buyer_price, sellerPrice: result.seller_price, tradedWh: result.traded_wh,
            surplus: result.surplus, reduced: result.reduced != 0)
    }
}
