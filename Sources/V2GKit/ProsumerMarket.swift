internal import CV2G

/// Whether a prosumer buys (demand) or sells (surplus) in a period.
public enum RequestKind: String, Hashable, Sendable, CaseIterable {
    case demand
    case surplus

    var cValue: Int32 { self == .surplus ? Int32(V2G_SURPLUS.rawValue) : Int32(V2G_DEMAND.rawValue) }
}

/// A prosumer's net position for one matching period ([P] §IV.B).
public struct ProsumerRequest: Hashable, Sendable {
    public var kind: RequestKind
    public var energyWh: Int64
    /// Seconds; the greedy matcher serves earlier requests first.
    public var submittedAt: Int64

    public init(kind: RequestKind, energyWh: Int64, submittedAt: Int64 = 0) {
        self.kind = kind
        self.energyWh = energyWh
        self.submittedAt = submittedAt
    }

    var cValue: v2g_prosumer_request {
        v2g_prosumer_request(energy_wh: energyWh, submitted_at: submittedAt, kind: kind.cValue, reserved: 0)
    }
}

/// What an EV can give and take in one period.
public struct EVState: Hashable, Sendable {
    public var availableWh: Int64
    public var freeCapacityWh: Int64

    public init(availableWh: Int64, freeCapacityWh: Int64) {
        self.availableWh = availableWh
        self.freeCapacityWh = freeCapacityWh
    }

    var cValue: v2g_ev_state { v2g_ev_state(available_wh: availableWh, free_capacity_wh: freeCapacityWh) }
}

/// A battery as [P] eq. (1) sees it.
public struct Battery: Hashable, Sendable {
    public var capacityWh: Int64
    public var stateOfChargeWh: Int64
    /// E_r, kept above the 20 % floor for the owner's next trip.
    public var reserveWh: Int64
    /// Charger power in W; nil for no limit.
    public var chargerPowerW: Int64?

    public init(capacityWh: Int64, stateOfChargeWh: Int64, reserveWh: Int64 = 0, chargerPowerW: Int64? = nil) {
        self.capacityWh = capacityWh
        self.stateOfChargeWh = stateOfChargeWh
        self.reserveWh = reserveWh
        self.chargerPowerW = chargerPowerW
    }

    /// The EV's limits for a period: SoC stays within [0.2 C + E_r, 0.8 C], and the charger bounds each direction.
    ///
    /// The corresponding C function is `v2g_ev_limits`.
    public func limits(periodSeconds: Int64) throws(V2GError) -> EVState {
        var battery = v2g_battery(capacity_wh: capacityWh, soc_wh: stateOfChargeWh, reserve_wh: reserveWh,
                                  charger_power_w: chargerPowerW ?? Int64.max)
        var state = v2g_ev_state()
        try check(v2g_ev_limits(&battery, periodSeconds, &state), "battery limits")
        return EVState(availableWh: state.available_wh, freeCapacityWh: state.free_capacity_wh)
    }
}

/// The result of a prosumer matcher: one EV per matched request.
struct PairMatching {
    var requestToEV: [Int64]
    var energyWh: [Int64]

    /// Allocations and outcomes, taking requests in `order`.
    func result(requests: [ProsumerRequest], order: [Int]) -> MatchResult {
        var allocations: [Allocation] = []
        var outcomes: [RequestOutcome] = []
        for i in order {
            let energy = requestToEV[i] >= 0 ? energyWh[i] : 0
            if energy > 0 {
                allocations.append(Allocation(requestIndex: i, offerIndex: Int(requestToEV[i]), energyWh: energy))
            }
            outcomes.append(RequestOutcome(requestIndex: i, demandWh: requests[i].energyWh, allocatedWh: energy,
                                           fulfilled: energy > 0 && energy == requests[i].energyWh))
        }
        return MatchResult(allocations: allocations, outcomes: outcomes)
    }
}

/// Greedy FIFO matching of [P] §IV.B (SPEC §3.1): fast, and blind to better matches later in the queue.
public struct GreedyMatcher: Sendable {
    public init() {}

    /// Matches each request, in arrival order, to the first EV that can take part.
    ///
    /// The corresponding C function is `v2g_greedy_match`.
    public func match(requests: [ProsumerRequest], evs: [EVState]) throws(V2GError) -> MatchResult {
        let cRequests = requests.map(\.cValue)
        let cEVs = evs.map(\.cValue)
        var toEV = [Int64](repeating: -1, count: requests.count)
        var energy = [Int64](repeating: 0, count: requests.count)
        let size = v2g_greedy_workspace_size(requests.count, evs.count)
        let status = withWorkspace(size: size) { workspace, bytes in
            v2g_greedy_match(cRequests, cRequests.count, cEVs, cEVs.count, &toEV, &energy, workspace, bytes)
        }
        try check(status, "greedy matching")
        // Arrival order, ties by input position: a stable sort by time.
        let order = requests.indices.sorted {
            requests[$0].submittedAt != requests[$1].submittedAt
                ? requests[$0].submittedAt < requests[$1].submittedAt : $0 < $1
        }
        return PairMatching(requestToEV: toEV, energyWh: energy).result(requests: requests, order: order)
    }
}

/// Optimal matching with the [P] cost model, through the linear sum assignment solver (SPEC §3.2).
public struct HungarianMatcher: Sendable {
    public init() {}

    /// The most cells (requests × EVs) a dense optimal matching takes: 2²⁴, 128 MiB of int64 costs. Larger
    /// problems are refused before anything is allocated, whoever asks (a user's job, a result on the ledger).
    public static let maxCells = 1 << 24

    /// Refuses a problem of more than `maxCells` cells.
    public static func checkSize(_ rows: Int, _ columns: Int) throws(V2GError) {
        let (cells, overflow) = rows.multipliedReportingOverflow(by: columns)
        guard !overflow, cells <= maxCells else {
            throw V2GError(code: .range, message: "an optimal matching of \(rows) requests × \(columns) EVs exceeds "
                           + "\(maxCells) cells")
        }
    }

    /// The matching and the dual certificate that proves it optimal.
    public struct Outcome: Hashable, Sendable {
        public var result: MatchResult
        /// Total energy exchanged; maximal over all matchings.
        public var tradedWh: Int64
        /// Duals of the benefit maximisation; check with ``LinearAssignment/verify(_:costs:maximize:)``
        /// against ``HungarianMatcher/benefitMatrix(requests:evs:)``.
        public var certificate: LinearAssignment.Solution<Int64>
    }

    /// Minimises the energy that cannot be stored or met, i.e. maximises the energy exchanged.
    ///
    /// The corresponding C function is `v2g_hungarian_match`.
    public func match(requests: [ProsumerRequest], evs: [EVState]) throws(V2GError) -> Outcome {
        try Self.checkSize(requests.count, evs.count)
        let cRequests = requests.map(\.cValue)
        let cEVs = evs.map(\.cValue)
        var toEV = [Int64](repeating: -1, count: requests.count)
        var energy = [Int64](repeating: 0, count: requests.count)
        var u = [Int64](repeating: 0, count: requests.count)
        var v = [Int64](repeating: 0, count: evs.count)
        var traded: Int64 = 0
        let size = v2g_hungarian_workspace_size(requests.count, evs.count)
        guard size > 0 else { throw V2GError(code: .overflow, message: "Hungarian matching: the problem is too large") }
        let status = withWorkspace(size: size) { workspace, bytes in
            v2g_hungarian_match(cRequests, cRequests.count, cEVs, cEVs.count, &toEV, &energy, &traded,
                                &u, &v, workspace, bytes)
        }
        try check(status, "Hungarian matching")
        let matching = PairMatching(requestToEV: toEV, energyWh: energy)
        return Outcome(result: matching.result(requests: requests, order: Array(requests.indices)),
                       tradedWh: traded,
                       certificate: LinearAssignment.Solution(rowToColumn: toEV.map { $0 >= 0 ? Int($0) : nil },
                                                              total: traded, u: u, v: v))
    }

    /// The benefit matrix b_ij = energy request i and EV j would exchange.
    ///
    /// The corresponding C function is `v2g_prosumer_benefit_matrix`.
    public static func benefitMatrix(requests: [ProsumerRequest], evs: [EVState]) throws(V2GError) -> CostMatrix<Int64> {
        try checkSize(requests.count, evs.count)
        let cRequests = requests.map(\.cValue)
        let cEVs = evs.map(\.cValue)
        var values = [Int64](repeating: 0, count: requests.count * evs.count)
        try check(v2g_prosumer_benefit_matrix(cRequests, cRequests.count, cEVs, cEVs.count, &values), "benefit matrix")
        return CostMatrix(rows: requests.count, columns: evs.count, values: values)
    }
}
