internal import CV2G

/// A consumer's energy request, uploaded by its exchange for a RET round ([T] §4.3).
public struct EnergyRequest: Hashable, Sendable {
    public var exchange: ExchangeID
    public var consumer: ConsumerID
    /// Bid tariff B in micro-units of currency per kWh.
    public var bid: Int64
    /// Submission time t in seconds; a consumer's latest request supersedes earlier ones.
    public var submittedAt: Int64
    /// Demand d in Wh, before any penalty.
    public var energyWh: Int64

    public init(exchange: ExchangeID, consumer: ConsumerID, bid: Int64, submittedAt: Int64, energyWh: Int64) {
        self.exchange = exchange
        self.consumer = consumer
        self.bid = bid
        self.submittedAt = submittedAt
        self.energyWh = energyWh
    }

    /// The consumer this request belongs to.
    public var consumerKey: ConsumerKey { ConsumerKey(exchange: exchange, consumer: consumer) }
}

/// An EV's energy offer for a RET round.
public struct EnergyOffer: Hashable, Sendable {
    public var ev: EVID
    /// Offered energy o in Wh.
    public var energyWh: Int64

    public init(ev: EVID, energyWh: Int64) {
        self.ev = ev
        self.energyWh = energyWh
    }
}

/// RET, Robust Energy Trading ([T] Algorithm 1, SPEC §3.3), run by the C core.
public struct RETMatcher: Sendable {
    /// Charging-pile capacity W in Wh; nil for no cap.
    public var chargerCapacityWh: Int64?

    public init(chargerCapacityWh: Int64? = nil) {
        self.chargerCapacityWh = chargerCapacityWh
    }

    /// Allocates offers to requests, applying the penalty lists in `penalties`.
    ///
    /// The corresponding C function is `v2g_ret_allocate`.
    public func match(requests: [EnergyRequest], offers: [EnergyOffer],
                      penalties: PenaltyBook = PenaltyBook()) throws(V2GError) -> MatchResult {
        let inputs = try RobustInputs(requests: requests, evs: offers.map(\.ev), penalties: penalties)
        let capacity = chargerCapacityWh ?? Int64.max

        return try inputs.withC { (cRequests, evID, cExchanges) throws(V2GError) -> MatchResult in
            let cOffers = offers.indices.map { j in v2g_ret_offer(ev: evID[j], energy_wh: offers[j].energyWh) }
            var allocations = [v2g_ret_allocation](repeating: v2g_ret_allocation(), count: offers.count)
            var outcomes = [v2g_ret_outcome](repeating: v2g_ret_outcome(), count: requests.count)
            var allocationCount = 0
            var outcomeCount = 0
            let size = v2g_ret_workspace_size(requests.count, offers.count, cExchanges.count)
            guard size > 0 else { throw V2GError(code: .overflow, message: "RET: the round is too large") }
            let status = withWorkspace(size: size) { workspace, bytes in
                v2g_ret_allocate(cRequests, cRequests.count, cOffers, cOffers.count, cExchanges, cExchanges.count,
                                 capacity, &allocations, &allocationCount, &outcomes, &outcomeCount,
                                 workspace, bytes)
            }
            try check(status, RETMatcher.explain(status))
            return MatchResult(
                allocations: allocations.prefix(allocationCount).map {
                    Allocation(requestIndex: Int($0.request), offerIndex: Int($0.offer), energyWh: $0.energy_wh)
                },
                outcomes: outcomes.prefix(outcomeCount).map {
                    RequestOutcome(requestIndex: Int($0.request), demandWh: $0.demand_wh,
                                   allocatedWh: $0.allocated_wh, fulfilled: $0.fulfilled != 0)
                })
        }
    }

    private static func explain(_ status: Int32) -> String {
        switch status {
        case V2G_E_DUPLICATE: return "RET: two offers share an EV ID"
        case V2G_E_NEGATIVE: return "RET: a request, offer or the charger capacity is negative"
        default: return "RET"
        }
    }
}
