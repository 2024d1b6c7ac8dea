import V2GKit

/// The allocation mechanisms [T] Ch. 4 compares.
public enum MarketMechanism: String, Sendable, CaseIterable {
    /// RET with deduplication, penalty lists and exchange quotas.
    case ret
    /// The same best-fit allocation with the robustness stage switched off: every request stands alone,
    /// no penalties apply ("without RET" in [T] Fig. 4.8 and 4.9).
    case retWithoutRobustness = "without-ret"
    /// The double auction with McAfee's trade reduction (SPEC §3.6).
    case doubleAuction = "double-auction"
}

/// What one round delivered, measured as [T] §4.4.1 defines it.
public struct RoundMetrics: Sendable, Hashable {
    /// Genuine requests whose demand was met in full.
    public var fulfilledRequests: Int
    /// Genuine demand, Wh.
    public var demandWh: Int64
    /// Energy genuinely delivered, Wh (fabricated requests take nothing).
    public var deliveredWh: Int64
    /// Σ bid × delivered energy, micro-units: what consumers paid.
    public var profit: Int64
    /// Energy allocated, fabricated requests included, Wh.
    public var allocatedWh: Int64

    /// Energy demand fill rate: the share of genuine demand met.
    public var fillRate: Double { demandWh > 0 ? Double(deliveredWh) / Double(demandWh) : 0 }

    public static let zero = RoundMetrics(fulfilledRequests: 0, demandWh: 0, deliveredWh: 0, profit: 0, allocatedWh: 0)
}

/// A round's allocation together with its metering.
public struct RoundOutcome: Sendable {
    public var result: MatchResult
    /// Metered energy per allocation: what was allocated to genuine requests, 0 for fabricated ones.
    public var deliveredWh: [Int64]
    public var metrics: RoundMetrics
}

extension V2GNetRound {
    /// Allocates the round with a mechanism, meters it, and measures it.
    public func run(_ mechanism: MarketMechanism, penalties: PenaltyBook = PenaltyBook(),
                    chargerCapacityWh: Int64) throws -> RoundOutcome {
        let result: MatchResult
        switch mechanism {
        case .ret:
            result = try RETMatcher(chargerCapacityWh: chargerCapacityWh)
                .match(requests: requests, offers: offers, penalties: penalties)
        case .retWithoutRobustness:
            // A distinct consumer ID per request switches deduplication off; no penalty book is consulted.
            let alone = requests.enumerated().map { i, r in
                EnergyRequest(exchange: r.exchange, consumer: ConsumerID("\(r.consumer.rawValue)#\(i)"), bid: r.bid,
                              submittedAt: r.submittedAt, energyWh: r.energyWh)
            }
            result = try RETMatcher(chargerCapacityWh: chargerCapacityWh).match(requests: alone, offers: offers)
        case .doubleAuction:
            let bids = requests.map { AuctionOrder(price: $0.bid, energyWh: $0.energyWh) }
            let sellers = zip(offers, asks).map { AuctionOrder(price: $1, energyWh: min($0.energyWh, chargerCapacityWh)) }
            result = try DoubleAuction().clear(bids: bids, asks: sellers).matchResult(bids: bids)
        }
        let delivered = result.allocations.map { genuine[$0.requestIndex] ? $0.energyWh : 0 }
        var metrics = RoundMetrics.zero
        metrics.demandWh = genuineDemandWh
        for (allocation, wh) in zip(result.allocations, delivered) {
            metrics.allocatedWh += allocation.energyWh
            metrics.deliveredWh += wh
            metrics.profit += try money(pricePerKWh: requests[allocation.requestIndex].bid, energyWh: wh)
        }
        metrics.fulfilledRequests = result.outcomes.count { $0.fulfilled && genuine[$0.requestIndex] }
        return RoundOutcome(result: result, deliveredWh: delivered, metrics: metrics)
    }
}
