/// One allocation: an offer gives energy to a request.
public struct Allocation: Hashable, Sendable {
    /// Index into the requests the matcher was given.
    public var requestIndex: Int
    /// Index into the offers (or EVs) the matcher was given.
    public var offerIndex: Int
    public var energyWh: Int64
    /// The seconds [start, end) the EV covers, for time-window matchers (SRET); nil otherwise.
    public var interval: Range<Int64>?

    public init(requestIndex: Int, offerIndex: Int, energyWh: Int64, interval: Range<Int64>? = nil) {
        self.requestIndex = requestIndex
        self.offerIndex = offerIndex
        self.energyWh = energyWh
        self.interval = interval
    }
}

/// What one request received.
public struct RequestOutcome: Hashable, Sendable {
    /// Index into the requests the matcher was given.
    public var requestIndex: Int
    /// The demand the matcher served (after any consumer penalty).
    public var demandWh: Int64
    public var allocatedWh: Int64
    /// True when the whole demand was allocated (and it was not zero).
    public var fulfilled: Bool

    public init(requestIndex: Int, demandWh: Int64, allocatedWh: Int64, fulfilled: Bool) {
        self.requestIndex = requestIndex
        self.demandWh = demandWh
        self.allocatedWh = allocatedWh
        self.fulfilled = fulfilled
    }
}

/// The result of a matcher: allocations in the order made, outcomes in processing order.
public struct MatchResult: Hashable, Sendable {
    public var allocations: [Allocation]
    /// One per request the matcher considered (after deduplication, for RET).
    public var outcomes: [RequestOutcome]

    public init(allocations: [Allocation], outcomes: [RequestOutcome]) {
        self.allocations = allocations
        self.outcomes = outcomes
    }

    /// Total energy allocated, saturating at `Int64.max` (`checkedAllocatedWh()` says when it would not fit).
    public var allocatedWh: Int64 { Self.saturatingSum(allocations.lazy.map(\.energyWh)) }
    /// Total demand of the considered requests, saturating at `Int64.max` (`checkedDemandWh()` says when).
    public var demandWh: Int64 { Self.saturatingSum(outcomes.lazy.map(\.demandWh)) }

    /// Total energy allocated; `V2GError.overflow` if it exceeds the 64-bit range.
    public func checkedAllocatedWh() throws(V2GError) -> Int64 {
        try Self.checkedSum(allocations.lazy.map(\.energyWh), "the allocated energy")
    }

    /// Total demand; `V2GError.overflow` if it exceeds the 64-bit range.
    public func checkedDemandWh() throws(V2GError) -> Int64 {
        try Self.checkedSum(outcomes.lazy.map(\.demandWh), "the total demand")
    }

    private static func checkedSum(_ values: some Sequence<Int64>, _ what: String) throws(V2GError) -> Int64 {
        var total: Int64 = 0
        for v in values {
            let (sum, overflow) = total.addingReportingOverflow(v)
            guard !overflow else { throw V2GError(code: .overflow, message: "\(what) exceeds the 64-bit range") }
            total = sum
        }
        return total
    }

    private static func saturatingSum(_ values: some Sequence<Int64>) -> Int64 {
        var total: Int64 = 0
        for v in values {
            let (sum, overflow) = total.addingReportingOverflow(v)
            total = overflow ? (v > 0 ? .max : .min) : sum
        }
        return total
    }
    /// Number of requests whose demand was met in full.
    public var fulfilledCount: Int { outcomes.count(where: \.fulfilled) }
}
