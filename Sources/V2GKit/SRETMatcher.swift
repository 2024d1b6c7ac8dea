internal import CV2G

/// An energy request with the window [start, end) in which the consumer draws it ([T] §6.1).
public struct WindowedRequest: Hashable, Sendable {
    public var request: EnergyRequest
    /// Seconds.
    public var start: Int64
    /// Seconds; after `start`.
    public var end: Int64

    public init(_ request: EnergyRequest, start: Int64, end: Int64) {
        self.request = request
        self.start = start
        self.end = end
    }
}

/// An EV's remaining energy and the window [start, end) in which it can discharge ([T] §6.1.2).
public struct EVAvailability: Hashable, Sendable {
    public var ev: EVID
    /// RP, remaining energy it can give, in Wh.
    public var energyWh: Int64
    public var start: Int64
    public var end: Int64

    public init(ev: EVID, energyWh: Int64, start: Int64, end: Int64) {
        self.ev = ev
        self.energyWh = energyWh
        self.start = start
        self.end = end
    }
}

/// SRET, Smart and Robust Energy Trading ([T] §6.2, SPEC §3.5), run by the C core.
public struct SRETMatcher: Sendable {
    /// How SRET picks EVs for a request.
    public enum Strategy: String, Sendable, CaseIterable {
        /// Only EVs available over the whole request window (§6.2.2).
        case doubleBoundaries = "sret-double"
        /// As `doubleBoundaries`, but the EV that covers the rest is the one with the least potential, then the
        /// least RP, then the lowest EV ID (docs/sret.md).
        case doubleBoundariesBestFit = "sret-double-best-fit"
        /// EVs covering parts of the window, chosen by energy-utilisation efficiency E (§6.2.3, eq. 6.3).
        case singleLeastEnergy = "sret-single-energy"
        /// EVs covering parts of the window, chosen by fulfilling rate F (§6.2.3, eq. 6.4).
        case singleLeastEVs = "sret-single-count"

        var cValue: Int32 {
            switch self {
            case .doubleBoundaries: return Int32(V2G_SRET_DOUBLE.rawValue)
            case .doubleBoundariesBestFit: return Int32(V2G_SRET_DOUBLE_BEST_FIT.rawValue)
            case .singleLeastEnergy: return Int32(V2G_SRET_SINGLE_ENERGY.rawValue)
            case .singleLeastEVs: return Int32(V2G_SRET_SINGLE_COUNT.rawValue)
            }
        }
    }

    public var strategy: Strategy
    /// P_c, the charger's maximum output in W.
    public var chargerPowerW: Int64

    public init(strategy: Strategy, chargerPowerW: Int64) {
        self.strategy = strategy
        self.chargerPowerW = chargerPowerW
    }

    /// Allocates EVs to requests; allocations carry the interval each EV covers.
    ///
    /// The corresponding C function is `v2g_sret_allocate`.
    public func match(requests: [WindowedRequest], evs: [EVAvailability],
                      penalties: PenaltyBook = PenaltyBook()) throws(V2GError) -> MatchResult {
        let inputs = try RobustInputs(requests: requests.map(\.request), evs: evs.map(\.ev), penalties: penalties)

        return try inputs.withC { (heads, evID, cExchanges) throws(V2GError) -> MatchResult in
            let cRequests = requests.indices.map { i in
                v2g_sret_request(base: heads[i], start: requests[i].start, end: requests[i].end)
            }
            let cEVs = evs.indices.map { k in
                v2g_sret_ev(ev: evID[k], energy_wh: evs[k].energyWh, start: evs[k].start, end: evs[k].end)
            }
            var intervals = UInt64(8 * (requests.count + evs.count) + 64)
            var capacity = max(evs.count, 1) * 2 + requests.count
            // A round that fragments free time more than usual needs more room: grow and run again.
            while true {
                var params = v2g_sret_params(strategy: strategy.cValue, reserved: 0, charger_power_w: chargerPowerW,
                                             interval_capacity: intervals)
                var allocations = [v2g_sret_allocation](repeating: v2g_sret_allocation(), count: capacity)
                var outcomes = [v2g_ret_outcome](repeating: v2g_ret_outcome(), count: requests.count)
                var allocationCount = 0
                var outcomeCount = 0
                var where_ = v2g_where()
                let size = v2g_sret_workspace_size(requests.count, evs.count, cExchanges.count, intervals)
                guard size > 0 else { throw V2GError(code: .overflow, message: "SRET: the round is too large") }
                let status = withWorkspace(size: size) { workspace, bytes in
                    v2g_sret_allocate(&params, cRequests, cRequests.count, cEVs, cEVs.count, cExchanges,
                                      cExchanges.count, &allocations, capacity, &allocationCount, &outcomes,
                                      &outcomeCount, &where_, workspace, bytes)
                }
                if status == V2G_E_WORKSPACE && where_.list == Int32(V2G_WHERE_INTERVALS.rawValue) {
                    intervals *= 2
                    continue
                }
                if status == V2G_E_WORKSPACE && where_.list == Int32(V2G_WHERE_ALLOCATIONS.rawValue) {
                    capacity *= 2
                    continue
                }
                try check(status, SRETMatcher.locate(where_))
                return MatchResult(
                    allocations: allocations.prefix(allocationCount).map {
                        Allocation(requestIndex: Int($0.request), offerIndex: Int($0.ev), energyWh: $0.energy_wh,
                                   interval: $0.start..<$0.end)
                    },
                    outcomes: outcomes.prefix(outcomeCount).map {
                        RequestOutcome(requestIndex: Int($0.request), demandWh: $0.demand_wh,
                                       allocatedWh: $0.allocated_wh, fulfilled: $0.fulfilled != 0)
                    })
            }
        }
    }

    /// Names the input an error points at, as `requests[3]` or `evs[1]`.
    private static func locate(_ where_: v2g_where) -> String {
        switch where_.list {
        case Int32(V2G_WHERE_REQUESTS.rawValue): return where_.index >= 0 ? "requests[\(where_.index)]" : "requests"
        case Int32(V2G_WHERE_EVS.rawValue): return where_.index >= 0 ? "evs[\(where_.index)]" : "evs"
        case Int32(V2G_WHERE_EXCHANGES.rawValue): return "exchange penalties"
        default: return "SRET"
        }
    }
}
