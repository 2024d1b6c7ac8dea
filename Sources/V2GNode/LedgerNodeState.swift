import Foundation
import V2GLedger

/// What a ledger node has counted since it started (docs/network.md, "Ledger peers and catch-up").
public struct LedgerNodeCounters: Hashable, Sendable {
    /// Blocks this node sealed and committed through `publish`.
    public var published = 0
    /// Gossip'd blocks committed on arrival.
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
    /// Catch-up runs.
    public var catchUps = 0
    /// Status or block requests that failed (timeout, no link, a reply that does not answer).
    public var requestFailures = 0
    /// Endorsed transactions admitted to the pool (orderer only).
    public var transactionsPooled = 0
    /// Gossip'd transactions the pool refused, by `LedgerError.Code` raw value (bad signature, not a member,
    /// too few endorsements, already committed or pooled…).
    public var poolRefusals: [String: Int] = [:]
    /// Pooled transactions dropped: the pool was full, or the block sealed with them rejected them.
    public var poolDropped = 0
    /// `endorse` requests this node answered with an endorsement.
    public var endorsementsGiven = 0
    /// `endorse` requests refused, by `LedgerError.Code` raw value.
    public var endorsementRefusals: [String: Int] = [:]

    public init() {}

    /// Blocks rejected for `code`.
    public func rejections(_ code: LedgerError.Code) -> Int { rejections[code.rawValue, default: 0] }
    /// Blocks rejected for any reason.
    public var totalRejections: Int { rejections.values.reduce(0, +) }
}

/// What became of a block offered to the node.
enum BlockOutcome: Equatable {
    case committed
    /// Its height is already committed.
    case stale
    /// It is ahead of the next height of its channel; kept pending.
    case ahead
    /// It refers to a transaction not committed yet (`.unknownInput`); kept pending.
    case waiting
    case rejected(LedgerError)
    /// The store failed after the ledger accepted a block: the node stops committing.
    case failed(LedgerError)
}

/// Where a block offered to the node came from.
enum BlockSource {
    case gossip, catchUp
}

/// A block waiting for its height or for a block of another channel.
struct PendingBlock {
    var block: Block
    var sender: PublicKey?
}

/// The ledger, the store and the node's bookkeeping, under one lock: the peer's thread (serving requests and
/// queueing gossip), the node's worker thread (validating, catching up) and callers (`publish`) share it.
final class LedgerNodeState: @unchecked Sendable {  // every field under `lock`
    let lock = NSLock()
    let ledger = Ledger()
    private var store: LedgerStore?
    /// The committed blocks of each channel when there is no store to serve them from.
    private var memory: [Channel: [Block]] = [:]
    private var pending: [PendingBlock] = []
    private let maxPending: Int
    private var inbox: [PendingBlock] = []
    private let maxInbox: Int
    var counters = LedgerNodeCounters()
    /// Set when the store failed after the ledger accepted a block: memory is then ahead of disk, and the node
    /// commits nothing more (restarting replays the store).
    private(set) var failure: LedgerError?
    private(set) var stopped = false
    /// Wakes the worker: gossip queued, catch-up asked for, or stop.
    let wake = DispatchSemaphore(value: 0)
    private var catchUpRequested = false
    /// Endorsed transactions waiting for a block, per channel, in arrival order (orderer only); see
    /// TransactionPool.swift.
    var pool: [Channel: [Transaction]] = [:]
    var pooledIDs: Set<Digest> = []
    var maxPool = 4096
    /// The node's own key, which may endorse (set by `LedgerNode.enableEndorsing`).
    var endorsingKey: SigningKey?
    /// The latest round announcement from an orderer of this ledger's channels, and those accepted but not
    /// forwarded yet; see Announcements.swift.
    var announcement: RoundAnnouncement?
    var announcementsToForward: [RoundAnnouncement] = []
    /// Counts changes of `announcement`, under `announced` (its own lock, never taken with `lock` held).
    let announced = NSCondition()
    var announcementGeneration = 0

    /// Wakes waiters after `announcement` changed. Not under `lock`.
    func signalAnnouncement() {
        announced.lock()
        announcementGeneration += 1
        announced.broadcast()
        announced.unlock()
    }

    /// Opens the store at `storePath`, if any, and replays its blocks in commit order.
    init(storePath: String?, maxPending: Int, maxInbox: Int) throws(LedgerError) {
        self.maxPending = max(0, maxPending)
        self.maxInbox = max(1, maxInbox)
        guard let storePath else { return }
        let store = try LedgerStore(path: storePath)
        for block in try store.blocks() {
            do {
                try ledger.append(block)
            } catch {
                throw LedgerError(error.code, "\(storePath): \(block.channel) block \(block.height) does not replay: \(error.message)",
                                  height: block.height, transaction: error.transaction)
            }
        }
        self.store = store
    }

    // MARK: Reading

    func nextHeight(_ channel: Channel) -> UInt64 { ledger.chain(channel).height.map { $0 + 1 } ?? 0 }

    /// The head of every channel that has a genesis block. Under `lock`.
    var headsLocked: [Channel: ChannelHead] {
        var heads: [Channel: ChannelHead] = [:]
        for (channel, chain) in ledger.chains {
            if let height = chain.height { heads[channel] = ChannelHead(channel: channel, height: height, head: chain.head) }
        }
        return heads
    }

    var heads: [Channel: ChannelHead] { lock.withLock { headsLocked } }

    /// Up to `maxCount` committed blocks of `channel` from `fromHeight`: what a `getBlocks` is answered with.
    func blocks(_ channel: Channel, from fromHeight: UInt64, maxCount: Int, log: (String) -> Void) -> [Block] {
        lock.withLock {
            guard let height = ledger.chain(channel).height, fromHeight <= height, maxCount > 0 else { return [] }
            let last = min(height, fromHeight + UInt64(maxCount - 1))
            guard let store else {
                let chain = memory[channel] ?? []
                return Array(chain[Int(fromHeight)...Int(last)])
            }
            var out: [Block] = []
            for h in fromHeight...last {
                do {
                    guard let b = try store.block(channel: channel, height: h) else { break }
                    out.append(b)
                } catch {
                    log("cannot read \(channel) block \(h): \(error)")
                    break
                }
            }
            return out
        }
    }

    func verifyStore() -> VerificationReport? { lock.withLock { store?.verify() } }

    // MARK: Gossip inbox

    /// Queues a gossip'd block for the worker; false if the inbox is full or the node stopped.
    func enqueue(_ block: Block, from sender: PublicKey?) -> Bool {
        let queued: Bool = lock.withLock {
            guard !stopped else { return false }
            guard inbox.count < maxInbox else {
                counters.inboxDropped += 1
                return false
            }
            inbox.append(PendingBlock(block: block, sender: sender))
            return true
        }
        if queued { wake.signal() }
        return queued
    }

    func takeInbox() -> [PendingBlock] {
        lock.withLock {
            defer { inbox.removeAll() }
            return inbox
        }
    }

    func requestCatchUp() {
        lock.withLock { catchUpRequested = true }
        wake.signal()
    }

    /// Whether a catch-up was asked for since the last call.
    func takeCatchUpRequest() -> Bool {
        lock.withLock {
            defer { catchUpRequested = false }
            return catchUpRequested
        }
    }

    func count(_ update: (inout LedgerNodeCounters) -> Void) { lock.withLock { update(&counters) } }

    // MARK: Committing

    /// Offers a block received from the network: commits it if it is the next of its channel and valid, keeps it
    /// pending if it is ahead or waits for another channel's block, and counts it if it is rejected.
    func receive(_ block: Block, from sender: PublicKey?, source: BlockSource) -> BlockOutcome {
        lock.withLock {
            if let failure { return .failed(failure) }
            guard !stopped else { return .failed(LedgerError(.store, "the node is stopped")) }
            let next = nextHeight(block.channel)
            if block.height < next {
                if source == .gossip { counters.stale += 1 }
                return .stale
            }
            if block.height > next {
                counters.gaps += 1
                // Only the channel's orderer can make a block worth keeping: junk does not fill the buffer.
                if let error = sealError(block) {
                    countRejection(error, from: sender)
                    return .rejected(error)
                }
                keepPending(block, from: sender)
                return .ahead
            }
            let outcome = commitLocked(block, from: sender)
            switch outcome {
            case .committed:
                switch source {
                case .gossip: counters.committedFromGossip += 1
                case .catchUp: counters.committedFromCatchUp += 1
                }
                retryPendingLocked()
            case .waiting:
                keepPending(block, from: sender)
            default:
                break
            }
            return outcome
        }
    }

    /// Validates and commits a block this node sealed; nothing is kept pending.
    func publish(_ block: Block) throws(LedgerError) {
        let outcome: BlockOutcome = lock.withLock {
            if let failure { return .failed(failure) }
            guard !stopped else { return .failed(LedgerError(.store, "the node is stopped")) }
            let outcome = commitLocked(block, from: nil, countRejection: false)
            if outcome == .committed {
                counters.published += 1
                retryPendingLocked()
            }
            return outcome
        }
        switch outcome {
        case .committed: return
        case .rejected(let e), .failed(let e): throw e
        case .waiting: throw LedgerError(.unknownInput, "\(block.channel) block \(block.height) refers to transactions not committed here")
        case .stale, .ahead: throw LedgerError(.chain, "\(block.channel) block \(block.height) is not the next block")
        }
    }

    /// Why a block ahead of its channel cannot be the orderer's, if it cannot (once the channel's config is known):
    /// the checks of `Ledger.append` that need no block before it. Under `lock`.
    private func sealError(_ block: Block) -> LedgerError? {
        guard let config = ledger.chain(block.channel).config else { return nil }
        guard block.orderer == config.orderer else {
            return LedgerError(.chain, "block not packed by the channel's orderer", height: block.height)
        }
        guard ledger.signatures.verify(block.orderer, block.signature, of: block.hash.bytes) else {
            return LedgerError(.badSignature, "orderer signature does not verify", height: block.height)
        }
        return nil
    }

    private func countRejection(_ error: LedgerError, from sender: PublicKey?) {
        counters.rejections[error.code.rawValue, default: 0] += 1
        if let sender { counters.misbehaviour[sender, default: 0] += 1 }
    }

    /// `Ledger.append`, then `LedgerStore.append`. Under `lock`.
    private func commitLocked(_ block: Block, from sender: PublicKey?, countRejection: Bool = true) -> BlockOutcome {
        do {
            try ledger.append(block)
        } catch {
            if error.code == .unknownInput { return .waiting }
            if countRejection { self.countRejection(error, from: sender) }
            return .rejected(error)
        }
        if let store {
            do {
                try store.append(block)
            } catch {
                failure = error   // the ledger cannot take the block back: stop here, a restart replays the store
                return .failed(error)
            }
        } else {
            memory[block.channel, default: []].append(block)
        }
        return .committed
    }

    /// Keeps a block for later, once; counts it if the buffer is full. Under `lock`.
    private func keepPending(_ block: Block, from sender: PublicKey?) {
        guard !pending.contains(where: { $0.block == block }) else { return }
        guard pending.count < maxPending else {
            counters.pendingDropped += 1
            return
        }
        pending.append(PendingBlock(block: block, sender: sender))
    }

    /// Commits every pending block that has become the next of its channel and no longer waits, until none
    /// does; drops those overtaken and counts those now invalid. Under `lock`.
    private func retryPendingLocked() {
        var progress = true
        while progress && failure == nil {
            progress = false
            var keep: [PendingBlock] = []
            for p in pending {
                let next = nextHeight(p.block.channel)
                if p.block.height < next { continue }           // overtaken: that height is committed
                if p.block.height > next || progress {          // not yet, or look again after this pass
                    keep.append(p)
                    continue
                }
                switch commitLocked(p.block, from: p.sender) {
                case .committed:
                    counters.committedFromPending += 1
                    progress = true
                case .waiting:
                    keep.append(p)
                default:
                    break                                       // counted as rejected, or the store failed
                }
            }
            pending = keep
        }
    }

    /// Pending blocks now.
    var pendingCount: Int { lock.withLock { pending.count } }

    /// Stops accepting blocks and closes the store. After the worker and the peer's thread are gone.
    func close() {
        lock.withLock {
            stopped = true
            store = nil
            inbox.removeAll()
        }
    }

    func markStopping() { lock.withLock { stopped = true } }
}
