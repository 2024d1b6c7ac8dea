import FoundationEssentials
import Logging
import V2GLedger
import V2GTransport
import V2GKit

/// Everything a ledger node is made of, shared by its threads: the network thread (which only queues, through
/// `handlers`), the worker (validation, catch-up), the block server and the admission thread (endorsements,
/// the pool, announcements), and callers. docs/architecture.md draws who may wait on what.
final class NodeCore: @unchecked Sendable {  // `peer` is set once, before any thread starts
    let key: PublicKey
    let configuration: LedgerNodeConfiguration
    let logger: Logger
    /// Lines about what members send, limited per reason (the counters carry every event).
    let limited: LogLimiter
    let counters = CounterBox()
    let view = NodeView()
    let chain: ChainKeeper
    let pool: TransactionPool
    let desk: EndorsementDesk
    let board = AnnouncementBoard()
    /// Announcements from authors not known as orderers yet, looked at again after commits.
    let unplaced = UnplacedAnnouncements()
    let inbox: BlockInbox
    /// `getBlocks` requests, served from a read-only connection to the store.
    let serveQueue: WorkQueue
    /// `endorse` requests, transactions offered to the pool, announcements to check.
    let admitQueue: WorkQueue
    /// One catch-up at a time; never held while waiting on the ledger's lock's holders.
    let catchUpLock = Lock()
    var peer: Peer!
    /// The block server's own read-only connection (its thread only).
    var reader: LedgerStore?
    /// `getBlocks` requests waiting per member, and admission jobs (endorse requests, transactions,
    /// announcements) waiting per member.
    let outstanding = Outstanding()
    let admissions = Outstanding()
    /// Whether a retry of held work is queued.
    let retry = Flag()

    init(key: PublicKey, configuration: LedgerNodeConfiguration) throws(LedgerError) {
        self.key = key
        self.configuration = configuration
        logger = configuration.logger
        limited = LogLimiter(logger: configuration.logger)
        chain = try ChainKeeper(storePath: configuration.storePath, maxPending: configuration.maxPending,
                                validation: configuration.validation, closedRoundsKept: configuration.closedRoundsKept,
                                view: view, counters: counters)
        pool = TransactionPool(capacity: configuration.maxPool, sharePerMember: configuration.poolSharePerMember,
                               shareBytesPerMember: configuration.poolShareBytesPerMember)
        desk = EndorsementDesk(chain: chain, board: board, counters: counters, log: limited,
                               wait: configuration.endorsementInputWait, maxParked: configuration.maxParkedEndorsements)
        inbox = BlockInbox(capacity: configuration.maxInbox, maxBytes: configuration.maxInboxBytes)
        serveQueue = WorkQueue(name: "v2g-serve", capacity: configuration.maxQueued)
        admitQueue = WorkQueue(name: "v2g-admit", capacity: configuration.maxQueued, maxBytes: configuration.maxQueuedBytes)
    }

    /// What the network thread calls: each only reads the view or queues.
    var handlers: PeerHandlers {
        PeerHandlers(
            gossip: { [self] g in
                switch g.message {
                case .block(let block):
                    if !inbox.enqueue(block, bytes: block.approximateSize, from: g.sender) {
                        counters.update { $0.inboxDropped += 1 }
                        limited.warning("inbox full", "inbox full: \(block.channel) block \(block.height) dropped")
                    }
                case .transaction(let tx):
                    // Transactions go to the orderer's pool; a validating peer ignores them.
                    guard view.config(tx.channel)?.orderer == key else { return }
                    // Counted against its author: a gateway relays many vehicles' offers, each its own member.
                    admit(from: tx.author, bytes: tx.approximateSize) { [self] in _ = admitToPool(tx) }
                case .announcement(let a):
                    admit(from: g.sender) { [self] in accept(a) }
                default:
                    break
                }
            },
            request: { [self] r in
                switch r.message {
                case .getStatus(let id):
                    return .status(requestID: id, view.currentHeads.values.sorted { $0.channel.rawValue < $1.channel.rawValue })
                case let .getBlocks(id, channel, from, maxCount):
                    // A member may have a few requests waiting; one that asks faster than it reads gets drops.
                    guard outstanding.take(r.sender, limit: configuration.peer.limits.maxOutstandingRequests) else {
                        counters.update { $0.queueDropped += 1 }
                        limited.warning("too many requests", "getBlocks from \(r.sender.map { "\($0)" } ?? "?") dropped: "
                                        + "\(configuration.peer.limits.maxOutstandingRequests) already waiting")
                        return nil
                    }
                    if !serveQueue.submit({ [self] in
                        defer { outstanding.give(r.sender) }
                        serveBlocks(id, channel, from: from, maxCount: Int(maxCount), route: r.route)
                    }) {
                        outstanding.give(r.sender)
                        counters.update { $0.queueDropped += 1 }
                    }
                case .endorse(let tx):
                    admit(from: r.sender, bytes: tx.approximateSize) { [self] in desk.handle(tx, route: r.route, peer: peer) }
                default:
                    break
                }
                return nil
            })
    }

    /// Queues work for the admission thread on behalf of `sender` (a transaction's author, a request's sender),
    /// who may have at most `maxAdmissionsPerMember` jobs waiting: a member that floods delays only itself.
    private func admit(from sender: PublicKey?, bytes: Int = 0, _ job: @escaping @Sendable () -> Void) {
        guard admissions.take(sender, limit: configuration.maxAdmissionsPerMember) else {
            counters.update { $0.queueDropped += 1 }
            limited.warning("too many requests", "work from \(sender.map { "\($0)" } ?? "?") dropped: "
                            + "\(configuration.maxAdmissionsPerMember) already waiting")
            return
        }
        if !admitQueue.submit(bytes: bytes, { [self] in
            defer { admissions.give(sender) }
            job()
        }) {
            admissions.give(sender)
            counters.update { $0.queueDropped += 1 }
        }
    }

    // MARK: Serving blocks

    /// Answers a `getBlocks` from the committed chain: the store through this thread's read-only connection
    /// (WAL lets it read while the worker writes), or the in-memory chain.
    private func serveBlocks(_ id: UInt64, _ channel: Channel, from: UInt64, maxCount: Int, route: ReplyRoute) {
        let limits = configuration.peer.limits
        let n = min(maxCount, limits.maxBlocksPerRequest)
        var blocks: [Block] = []
        if let height = view.currentHeads[channel]?.height, from <= height, n > 0 {
            let last = min(height, from + UInt64(n - 1))
            if let path = configuration.storePath {
                do {
                    if reader == nil { reader = try LedgerStore(path: path, access: .readOnly) }
                    for h in from...last {
                        guard let b = try reader!.block(channel: channel, height: h) else { break }
                        blocks.append(b)
                    }
                } catch {
                    logger.warning("cannot read \(channel) blocks from \(from): \(error)")
                    reader = nil
                }
            } else {
                blocks = chain.memoryBlocks(channel, from: from, maxCount: Int(last - from) + 1)
            }
        }
        peer.reply(GossipMessage.blocksReply(requestID: id, channel: channel, blocks, limits: limits), to: route)
    }

    // MARK: The pool

    /// Offers a transaction to the pool of this node's channels (orderer only). Signatures are checked through
    /// the cache without a lock; the ledger's lock is taken only to see whether it is committed.
    @discardableResult
    func admitToPool(_ tx: Transaction) -> PoolRefusal? {
        guard let config = view.config(tx.channel), config.orderer == key, !inbox.isStopped else { return nil }
        let id = tx.id
        let signatures = chain.ledger.signatures
        var refusal: PoolRefusal?
        if let error = Admission.authorError(tx, id: id, config: config, signatures: signatures)
            ?? Admission.endorsementError(tx, id: id, config: config, signatures: signatures)
            ?? chain.lock.withLock({ usabilityError(tx, id: id, orderer: config.orderer) }) {
            refusal = .ledger(error)
        } else {
            let (error, evicted) = pool.insert(tx, id: id)
            refusal = error
            if evicted > 0 { counters.update { $0.poolEvicted += evicted } }
        }
        if let refusal {
            counters.update { $0.poolRefusals[refusal.reason, default: 0] += 1 }
            limited.warning("pool \(refusal.reason)", "pool: \(tx.kind) \(id) by \(tx.author) refused: \(refusal)")
        } else {
            counters.update { $0.transactionsPooled += 1 }
        }
        return refusal
    }

    /// Why `tx` is no use to this node's channels now (`Admission.usabilityError`). Under the ledger's lock.
    func usabilityError(_ tx: Transaction, id: Digest, orderer: PublicKey) -> LedgerError? {
        Admission.usabilityError(tx, id: id, ledger: chain.ledger, announced: board.current, orderer: orderer)
    }

    // MARK: Announcements

    /// Keeps an announcement signed by an orderer of this ledger's channels, for a later round than the latest
    /// kept, and passes it on. One from an author this node does not know as an orderer yet (its genesis block
    /// may still be on its way) is held, a few at most, and looked at again after the next commits.
    func accept(_ a: RoundAnnouncement) {
        guard view.orderers.contains(a.author) else {
            if a.verifies, unplaced.hold(a) { return }   // only a genuine one may take a place
            limited.warning("announcement ignored", "announcement of round \(a.round) by \(a.author) ignored: not from an orderer of this ledger")
            return
        }
        guard a.verifies else {
            limited.warning("announcement ignored", "announcement of round \(a.round) by \(a.author) ignored: the signature does not verify")
            return
        }
        if board.keep(a) { peer.forward(a) }
    }

    /// Has the admission thread look again at held requests and announcements, once however often it is asked
    /// before it gets to it; not counted against the queue's bounds (it holds nothing).
    func scheduleRetry() {
        guard retry.set() else { return }
        admitQueue.submitInternal { [self] in
            retry.clear()
            retryHeld()
        }
    }

    /// Looks again at held announcements, after a commit (on the admission thread).
    func retryHeld() {
        desk.retryParked(peer: peer)
        for a in unplaced.take() { accept(a) }
    }
}

/// Requests waiting per member, bounded.
final class Outstanding: @unchecked Sendable {  // `counts` under `lock`
    private let lock = Lock()
    private var counts: [PublicKey?: Int] = [:]

    /// Counts one more request of `member`; false if it already has `limit` waiting.
    func take(_ member: PublicKey?, limit: Int) -> Bool {
        lock.withLock {
            let n = counts[member, default: 0]
            guard n < limit else { return false }
            counts[member] = n + 1
            return true
        }
    }

    func give(_ member: PublicKey?) {
        lock.withLock {
            let n = counts[member, default: 0] - 1
            counts[member] = n > 0 ? n : nil
        }
    }
}

/// A flag set and cleared from several threads.
final class Flag: @unchecked Sendable {
    private let lock = Lock()
    private var value = false
    /// Sets it; returns whether it was clear.
    func set() -> Bool { lock.withLock { defer { value = true }; return !value } }
    func clear() { lock.withLock { value = false } }
}

extension Transaction {
    /// Its encoded size, about (without encoding it): what it holds in a queue.
    var approximateSize: Int { payload.count + 160 + 96 * endorsements.count }
}

extension Block {
    /// Its encoded size, about (without encoding it).
    var approximateSize: Int { transactions.reduce(256) { $0 + $1.approximateSize } }
}
