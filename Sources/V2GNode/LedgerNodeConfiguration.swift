import Logging
import V2GLedger
import V2GTransport

/// How a ledger node stores, serves and catches up (docs/network.md, "Ledger peers and catch-up").
public struct LedgerNodeConfiguration: Sendable {
    /// The node's peer: endpoints, members, neighbours, limits. `relay` is always turned off: the `Peer` relays
    /// gossip before the application sees it, and a node passes on only what it validated.
    public var peer: PeerConfiguration
    /// The SQLite store the node commits to; opened (or created) at init and replayed into the ledger. Nil keeps
    /// the chain in memory only.
    public var storePath: String?
    /// How often the node catches up when nothing else made it (a gap, a new link) do so.
    public var catchUpInterval: Duration
    /// How long a `getStatus` or `getBlocks` may take before the neighbour is skipped.
    public var requestTimeout: Duration
    /// Blocks asked for per `getBlocks` (at most `peer.limits.maxBlocksPerRequest`).
    public var batchSize: Int
    /// Blocks kept while they wait for their height or for a block of another channel.
    public var maxPending: Int
    /// Gossip'd blocks queued for validation, and their bytes; more are dropped (and counted) and recovered by
    /// catch-up.
    public var maxInbox: Int
    public var maxInboxBytes: Int = 128 << 20
    /// Endorsed transactions the orderer's pool holds; more are refused (and counted).
    public var maxPool: Int
    /// Each member's share of the pool: transactions and bytes. A member's transaction that does not fit
    /// evicts its own oldest ones (counted), never another member's.
    public var poolSharePerMember: Int = 8
    public var poolShareBytesPerMember: Int = 2 << 20
    /// Requests and gossip'd transactions queued for the node's service threads (block serving; endorsing,
    /// pool admission and announcements), each; more are dropped and counted.
    public var maxQueued: Int
    /// The bytes of transactions the admission thread's queue may hold.
    public var maxQueuedBytes: Int = 64 << 20
    /// Endorse requests, transactions and announcements of one member waiting for the admission thread;
    /// more are dropped (counted) until some are handled, so one member cannot delay the others.
    public var maxAdmissionsPerMember: Int = 256
    /// How long an endorsement request for an allocation result waits for its inputs to be committed here
    /// before it is refused, and how many may wait at once.
    public var endorsementInputWait: Duration
    public var maxParkedEndorsements: Int
    /// How urgently the node validates what it receives. A party off the round's critical path (an
    /// exchange's or an EV gateway's node) validates in the `background`: its worker runs at a lower CPU
    /// priority and verifies a block's signatures on that thread alone, so on a shared CPU the control system's
    /// and the endorsers' validation, and the role's own submissions, go first. It still validates everything.
    public var validation: ValidationPriority = .foreground
    /// How many of a channel's latest allocated rounds keep their settled and penalised allocation results in
    /// memory, for queries (`Ledger.allocation(round:on:)`); the chain in the store keeps everything.
    public var closedRoundsKept: UInt64 = Ledger.defaultClosedRoundsKept
    /// Where the node (and its peer) reports failures, rejected blocks and dropped frames.
    public var logger: Logger

    public init(peer: PeerConfiguration, storePath: String? = nil, catchUpInterval: Duration = .seconds(5),
                requestTimeout: Duration = .seconds(2), batchSize: Int = 64, maxPending: Int = 256,
                maxInbox: Int = 4096, maxPool: Int = 4096, maxQueued: Int = 4096,
                endorsementInputWait: Duration = .seconds(2), maxParkedEndorsements: Int = 256,
                logger: Logger = Logger(label: "v2g.node")) {
        self.peer = peer
        self.storePath = storePath
        self.catchUpInterval = catchUpInterval
        self.requestTimeout = requestTimeout
        self.batchSize = batchSize
        self.maxPending = maxPending
        self.maxInbox = maxInbox
        self.maxPool = maxPool
        self.maxQueued = maxQueued
        self.endorsementInputWait = endorsementInputWait
        self.maxParkedEndorsements = maxParkedEndorsements
        self.logger = logger
    }
}

/// How urgently a node validates blocks (`LedgerNodeConfiguration.validation`).
public enum ValidationPriority: Sendable {
    /// At the process's priority, each block's signatures verified on every core.
    case foreground
    /// At nice +10 on the worker thread, signatures verified on that thread only.
    case background
}
