import FoundationEssentials
import V2GKit
import Logging
import V2GLedger
import V2GTransport
import Dispatch

/// A validating ledger peer on the network (SPEC §7): a `Ledger`, an optional `LedgerStore`, and a `Peer`
/// that serves `getBlocks` and `getStatus` from the committed chain.
///
/// The network thread only decodes and queues (docs/architecture.md). Gossip'd blocks are validated in order on
/// the node's worker: the next block of a channel is committed if `Ledger.append` accepts it (then stored), a
/// block ahead of its channel is kept and starts a catch-up, a block that names a transaction not committed yet
/// (`.unknownInput`: a BoE allocation result naming BoEV offers) is kept and retried after other blocks commit,
/// and any other failure rejects the block, counted by reason and by sender. Catch-up (anti-entropy) pulls
/// missing blocks by height from neighbours that are ahead; it runs at start, when a link comes up, when a gap
/// or a rejected block is seen, and every `catchUpInterval`. `getStatus` is answered on the network thread from
/// a snapshot of the heads; `getBlocks` from a read-only connection to the store on a thread of its own;
/// `endorse` requests, pool admission and announcements on another.
///
/// Thread-safe.
public final class LedgerNode: Sendable {
    /// The node's ledger key.
    public var publicKey: PublicKey { peer.publicKey }
    /// Where the node's ROUTER listens.
    public var endpoint: String { peer.endpoint }
    /// The node's network peer: links, counters, `setMembers`.
    public let peer: Peer
    let core: NodeCore
    private let worker = WorkerSlot()

    /// Opens the store (replaying it into the ledger) and binds the peer; `start()` runs the node.
    /// - Parameters:
    ///   - key: the node's ledger key; its X25519 form must be admitted by the neighbours' ZAP handlers.
    ///   - configuration: the peer, the store and the catch-up settings.
    /// - Throws: `NodeError.ledger` if the store cannot be opened or one of its blocks does not replay;
    ///   `NodeError.transport` if the peer cannot bind or connect.
    public init(key: SigningKey, configuration: LedgerNodeConfiguration) throws(NodeError) {
        var configuration = configuration
        configuration.peer.relay = false
        configuration.batchSize = max(1, min(configuration.batchSize, configuration.peer.limits.maxBlocksPerRequest))
        let core: NodeCore
        do { core = try NodeCore(key: key.publicKey, configuration: configuration) } catch { throw .ledger(error) }
        do {
            peer = try Peer(key: key, configuration: configuration.peer, handlers: core.handlers, logger: configuration.logger)
        } catch {
            core.serveQueue.stop()
            core.admitQueue.stop()
            throw .transport(error)
        }
        core.peer = peer
        self.core = core
    }

    deinit { stop() }

    /// Starts the peer and the worker, which catches up at once. Later calls do nothing.
    public func start() {
        guard !core.inbox.isStopped else { return }
        peer.start()
        worker.startOnce { [core] in NodeWorker(core: core).run() }
    }

    /// Stops the peer (failing requests in flight), wakes every wait, joins the worker and the service threads
    /// and closes the store. Committed blocks are on disk; pending and queued ones are dropped. Later calls do
    /// nothing.
    public func stop() {
        core.chain.markStopping()
        core.inbox.stop()
        core.pool.stop()
        core.board.stop()
        core.view.stop()
        peer.stop()
        worker.join()
        core.serveQueue.stop()
        core.admitQueue.stop()
        core.catchUpLock.withLock { core.chain.close() }   // after any catch-up a caller is running
    }

    /// Whether `stop()` was called.
    public var isStopped: Bool { core.inbox.isStopped }

    /// Connects to one more neighbour (a catch-up follows once the link is up).
    public func connect(to neighbour: Neighbour) { peer.connect(to: neighbour) }

    // MARK: Publishing

    /// Validates a block this node sealed (the orderer's), commits and stores it, then gossips it.
    /// - Parameter block: the next block of its channel.
    /// - Throws: the `LedgerError` that rejected it (nothing is kept then), or the store's error.
    public func publish(_ block: Block) throws(LedgerError) {
        try core.chain.publish(block)
        peer.gossip(block)
        core.scheduleRetry()
    }

    // MARK: Reading

    /// The head of every channel with a genesis block.
    public var heads: [Channel: ChannelHead] { core.view.currentHeads }

    /// Blocks committed, over all channels.
    public var committedBlocks: Int { heads.values.reduce(0) { $0 + Int($1.height) + 1 } }

    /// The ledger's cache of valid signatures; thread-safe on its own, so callers need not take the node's lock.
    public var signatures: SignatureCache { core.chain.ledger.signatures }

    /// What the node has counted.
    public var counters: LedgerNodeCounters { core.counters.value }

    /// Rejected blocks by `LedgerError.Code` raw value.
    public var rejections: [String: Int] { counters.rejections }

    /// Blocks waiting for their height or for a block of another channel.
    public var pendingBlocks: Int { core.chain.pendingCount }

    /// The store's failure, if a validated block could not be stored; the node commits nothing after it.
    public var failure: LedgerError? { core.chain.lock.withLock { core.chain.failure } }

    /// Runs `body` on the ledger under the node's lock; `body` must not keep the ledger.
    public func withLedger<T>(_ body: (Ledger) throws -> T) rethrows -> T {
        core.chain.lock.lock()
        defer { core.chain.lock.unlock() }
        return try body(core.chain.ledger)
    }

    /// Waits until `condition` holds for the ledger, checking it after every commit, up to `timeout` (or until
    /// the node stops); returns whether it held.
    public func waitForCommits(timeout: Duration, until condition: (Ledger) -> Bool) -> Bool {
        core.view.wait(timeout: timeout) { withLedger(condition) }
    }

    /// Re-verifies the store from genesis (`LedgerStore.verify()`); nil without a store.
    public func verifyStore() -> VerificationReport? { core.chain.verifyStore() }

    // MARK: Catch-up

    /// Anti-entropy: reads every connected neighbour's status and pulls, channel by channel, the blocks of
    /// every channel where one is ahead, `batchSize` at a time, validating and storing each before asking
    /// for the next. A neighbour that times out or serves an invalid block is skipped for the rest of the run.
    /// Blocks that wait for another channel are kept, and the run goes round the channels until nothing more
    /// commits. Blocks the caller until done; runs one at a time.
    public func catchUp() -> CatchUpReport { core.catchUpLock.withLock { CatchUp.run(core) } }

    /// Asks the worker to catch up as soon as it can, without waiting for it.
    public func scheduleCatchUp() { core.inbox.requestCatchUp() }

    // MARK: Endorsing

    /// Makes this node answer `endorse` requests on the channels whose config names it as an endorser.
    /// - Parameter key: the node's own ledger key (the one it was created with).
    /// - Throws: `LedgerError.endorsement` if `key` is not the node's.
    public func enableEndorsing(with key: SigningKey) throws(LedgerError) {
        guard key.publicKey == publicKey else { throw LedgerError(.endorsement, "not this node's key") }
        core.desk.enable(key)
    }

    /// This node's own endorsement of `transaction`, as it would answer an `endorse` request (for an author that
    /// endorses on its own channel, a control system on the BoCS).
    func endorse(_ transaction: Transaction) -> Result<Endorsement, LedgerError> { core.desk.endorse(transaction) }

    // MARK: Round announcements

    /// Announces round `a.round` to the campus (the control system's call for inputs).
    public func announce(_ a: RoundAnnouncement) {
        core.board.keep(a)
        peer.gossip(a)
    }

    /// Pushes the latest announcement to every neighbour again: for a neighbour whose link was down when it
    /// first went out (receivers that saw it drop the copy as a duplicate).
    public func reannounce() {
        if let a = lastAnnouncement { peer.forward(a) }
    }

    /// The latest announcement kept: signed by an orderer of this ledger's channels.
    public var lastAnnouncement: RoundAnnouncement? { core.board.current }

    /// Waits for an announcement of a round after `round`, up to `timeout`; nil then, or when the node stops.
    public func waitForAnnouncement(after round: UInt64, timeout: Duration) -> RoundAnnouncement? {
        core.board.wait(after: round, timeout: timeout)
    }

    // MARK: Neighbours

    /// Waits until each neighbour in `keys` reports every channel in `heights` at least at that height; returns
    /// whether they all did within `timeout`. Their status is asked for at most every `interval`.
    public func waitForNeighbours(_ keys: [PublicKey], toReach heights: [Channel: UInt64], timeout: Duration,
                                  interval: Duration = .milliseconds(5)) -> Bool {
        let deadline = ContinuousClock.now + timeout
        var waiting = Set(keys)
        while !waiting.isEmpty {
            for key in waiting.sorted() {
                let left = deadline - ContinuousClock.now
                guard left > .zero, !isStopped else { return false }
                guard let heads = try? peer.requestStatus(neighbour: key, timeout: min(left, .milliseconds(500))) else { continue }
                let reached = heights.allSatisfy { channel, height in
                    heads.contains { $0.channel == channel && $0.height >= height }
                }
                if reached { waiting.remove(key) }
            }
            // Their commits are not ours to be told of: wait a little before asking again, waking on a stop.
            if !waiting.isEmpty, core.view.wait(timeout: min(interval, deadline - ContinuousClock.now), until: { isStopped }) {
                return false
            }
        }
        return true
    }
}

/// The worker thread, started once and joined once.
private final class WorkerSlot: @unchecked Sendable {  // fields under `lock`
    private let lock = Lock()
    private var done: DispatchSemaphore?
    private var started = false

    func startOnce(_ body: @escaping @Sendable () -> Void) {
        lock.withLock {
            guard !started else { return }
            started = true
            let done = DispatchSemaphore(value: 0)
            self.done = done
            Threads.detach(name: "v2g-ledger-node") {
                body()
                done.signal()
            }
        }
    }

    func join() {
        let d: DispatchSemaphore? = lock.withLock {
            started = true    // a node stopped before it started never starts
            defer { done = nil }
            return done
        }
        d?.wait()
    }
}
