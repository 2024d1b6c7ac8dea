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

    /// Total energy allocated.
    public var allocatedWh: Int64 { allocations.reduce(0) { $0 + $1.energyWh } }
    /// Total demand of the considered requests.
    public var demandWh: Int64 { outcomes.reduce(0) { $0 + $1.demandWh } }
    /// Number of requests whose demand was met in full.
    public var fulfilledCount: Int { outcomes.count(where: \.fulfilled) }
}
