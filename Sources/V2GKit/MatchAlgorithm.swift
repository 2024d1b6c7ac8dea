/// Every matcher V2GKit runs, by one name: what `v2g match` takes, what a control system's config names, what the
/// simulator compares and what an allocation result on the ledger records.
public enum MatchAlgorithm: String, Sendable, Hashable, CaseIterable {
    /// The prosumer/EV market of [P] §IV.B: first come, first served.
    case greedy
    /// The prosumer/EV market of [P] §IV.B: an optimal (linear-sum-assignment) matching.
    case hungarian
    /// RET, [T] Algorithm 1.
    case ret
    /// SRET with double time boundaries ([T] §6.2.2).
    case sretDouble = "sret-double"
    /// SRET with double time boundaries, the covering EV chosen by best fit: least potential, then least RP.
    case sretDoubleBestFit = "sret-double-best-fit"
    /// SRET with a single time boundary, least energy cost ([T] §6.2.3, eq. 6.3).
    case sretSingleEnergy = "sret-single-energy"
    /// SRET with a single time boundary, least EVs ([T] §6.2.3, eq. 6.4).
    case sretSingleCount = "sret-single-count"
    /// The McAfee double auction, the market baseline (docs/auction.md).
    case doubleAuction = "double-auction"

    /// SRET's strategy, for the SRET algorithms.
    public var sretStrategy: SRETMatcher.Strategy? {
        switch self {
        case .sretDouble: return .doubleBoundaries
        case .sretDoubleBestFit: return .doubleBoundariesBestFit
        case .sretSingleEnergy: return .singleLeastEnergy
        case .sretSingleCount: return .singleLeastEVs
        case .greedy, .hungarian, .ret, .doubleAuction: return nil
        }
    }

    /// Whether the algorithm serves windows of time (requests and offers need start and end).
    public var usesWindows: Bool { sretStrategy != nil }

    /// Whether penalty lists apply (RET and SRET).
    public var appliesPenalties: Bool {
        switch self {
        case .ret, .sretDouble, .sretDoubleBestFit, .sretSingleEnergy, .sretSingleCount: return true
        case .greedy, .hungarian, .doubleAuction: return false
        }
    }

    /// Whether requests are prosumers of the [P] market (surplus allowed, one per agent).
    public var isProsumerMarket: Bool {
        switch self {
        case .greedy, .hungarian: return true
        case .ret, .sretDouble, .sretDoubleBestFit, .sretSingleEnergy, .sretSingleCount, .doubleAuction: return false
        }
    }

    /// Whether a control system can run it in a trading round (it allocates exchanges' requests to EVs' offers
    /// with penalty lists: RET and SRET).
    public var runsTradingRounds: Bool { appliesPenalties }

    /// The name reports and figures use.
    public var title: String {
        switch self {
        case .greedy: return "Greedy"
        case .hungarian: return "Hungarian"
        case .ret: return "RET (V2GNet)"
        case .sretDouble: return "SRET double"
        case .sretDoubleBestFit: return "SRET double, best fit"
        case .sretSingleEnergy: return "SRET single, least energy"
        case .sretSingleCount: return "SRET single, least EVs"
        case .doubleAuction: return "Double auction"
        }
    }
}
