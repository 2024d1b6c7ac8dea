import FoundationEssentials
import V2GLedger
import V2GKit

/// What a ledger node counted since it started.
public struct LedgerNodeCounters: Hashable, Sendable {
    /// Blocks this node sealed and published.
    public var published = 0
    /// Gossip'd blocks committed when they arrived.
    public var committedFromGossip = 0
    /// Blocks committed from `blocks` replies during catch-up.
    public var committedFromCatchUp = 0
    /// Blocks committed when retried from the pending buffer (after the block they waited for).
    public var committedFromPending = 0
    /// Gossip'd blocks at a height already committed.
    public var stale = 0
    /// Gossip'd blocks ahead of the next height of their channel.
    public var gaps = 0
    /// Blocks rejected by `Ledger.append`, by `LedgerError.Code` raw value.
    public var rejections: [String: Int] = [:]
    /// Rejected blocks by the member that sent them (the gossip sender, or the neighbour that served them).
    public var misbehaviour: [PublicKey: Int] = [:]
    /// Blocks not kept because the pending buffer was full.
    public var pendingDropped = 0
    /// Gossip'd blocks not queued because the inbox was full (catch-up recovers them).
    public var inboxDropped = 0
    /// Requests and transactions not queued because a service queue was full.
    public var queueDropped = 0
    /// Catch-up runs.
    public var catchUps = 0
    /// Status or block requests that failed (timeout, no link, a reply that does not answer).
    public var requestFailures = 0
    /// Endorsed transactions admitted to the pool (orderer only).
    public var transactionsPooled = 0
    /// Gossip'd transactions the pool refused, by `PoolRefusal.reason` (a `LedgerError.Code` raw value, or
    /// `pool_full`).
    public var poolRefusals: [String: Int] = [:]
    /// Pooled transactions dropped: the block sealed with them rejected them.
    public var poolDropped = 0
    /// Pooled transactions evicted: by a newer one of the same member past its share, or by the orderer as
    /// out of the round window (`LedgerNode.evictPool`).
    public var poolEvicted = 0
    /// `endorse` requests this node answered with an endorsement.
    public var endorsementsGiven = 0
    /// `endorse` requests refused, by `LedgerError.Code` raw value.
    public var endorsementRefusals: [String: Int] = [:]
    /// `endorse` requests for allocation results that waited for their inputs to be committed here.
    public var endorsementsParked = 0

    public init() {}

    /// Blocks rejected for `code`.
    public func rejections(_ code: LedgerError.Code) -> Int { rejections[code.rawValue, default: 0] }
    /// Blocks rejected for any reason.
    public var totalRejections: Int { rejections.values.reduce(0, +) }
}

/// What one catch-up run did.
public struct CatchUpReport: Hashable, Sendable {
    /// Blocks committed during the run (from replies, and pending blocks they unblocked).
    public var committed = 0
    /// Neighbours whose status was read.
    public var asked: Set<PublicKey> = []
    /// Neighbours skipped: a request timed out or failed, or they served a block that does not validate.
    public var skipped: Set<PublicKey> = []
    /// Whether at least one neighbour answered and every channel's head equals that of every neighbour that
    /// answered and was not skipped, as their status read at the start of the run.
    public var converged = false

    public init() {}
}

/// The counters behind their own lock, which nothing else is ever done under.
final class CounterBox: @unchecked Sendable {
    private let lock = Lock()
    private var counters = LedgerNodeCounters()

    func update(_ body: (inout LedgerNodeCounters) -> Void) { lock.withLock { body(&counters) } }
    var value: LedgerNodeCounters { lock.withLock { counters } }
}
