import V2GKit
import V2GLedger

/// How long the control system's phases of one round took.
public struct RoundTimes: Hashable, Sendable {
    /// From the start of the round until the expected request lists and offers were in the pool (or the deadline).
    public var collect: Duration = .zero
    /// Sealing and publishing the BoEV block of offers and the BoE block of request lists.
    public var sealInputs: Duration = .zero
    /// RET on the committed inputs, and the allocation result built from it.
    public var allocate: Duration = .zero
    /// Notification, metering, settlement and penalty update: signed, endorsed, sealed into the BoE block.
    public var record: Duration = .zero
    public var total: Duration { collect + sealInputs + allocate + record }
    public init() {}
}

/// What the control system did in a round.
public struct RoundReport: Sendable {
    public var round: UInt64
    public var times = RoundTimes()
    /// The exchanges and EVs whose inputs were sealed, and the requests their lists hold.
    public var exchanges: [String] = []
    public var requests = 0
    public var evs: [String] = []
    /// Expected inputs that had not arrived by the deadline.
    public var missingExchanges: Set<String> = []
    public var missingEVs: Set<String> = []
    /// The blocks sealed: BoEV inputs, BoE inputs, BoE results (none without inputs).
    public var blocks: [Block] = []
    /// The matcher's allocation, nil if there was nothing to allocate.
    public var result: MatchResult?
    /// The committed allocation result transaction, the inputs it ran on, and the penalty lists it ran with.
    public var allocation: Transaction?
    public var inputs: RoundInputs?
    public var penalties = PenaltyBook()
    /// Pooled transactions dropped: inputs the ledger refused, and whatever was left in the pool for this round,
    /// an earlier one or one beyond the admission window (`LedgerNode.evictPool`).
    public var dropped = 0
    /// Meter reports sealed with the offers, and the rounds whose metering this round sealed (its own when
    /// its meter had every reading at once; earlier ones when their reports came in or their wait ran out).
    public var meterReports = 0
    public var metered: [UInt64] = []
    /// Earlier results whose readings settlement refused, metered as not carried out instead.
    public var meteringErrors: [String] = []
}
