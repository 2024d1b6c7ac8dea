import Foundation
import V2GLedger

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
    /// Gossip'd blocks queued for validation; more are dropped (and counted) and recovered by catch-up.
    public var maxInbox: Int
    /// Endorsed transactions the orderer's pool holds; more are refused (and counted).
    public var maxPool: Int = 4096
    /// One line per failure, rejected block or dropped frame (the peer's lines included).
    public var log: @Sendable (String) -> Void

    public init(peer: PeerConfiguration, storePath: String? = nil, catchUpInterval: Duration = .seconds(5),
                requestTimeout: Duration = .seconds(2), batchSize: Int = 64, maxPending: Int = 256,
                maxInbox: Int = 4096, log: @escaping @Sendable (String) -> Void = { _ in }) {
        self.peer = peer
        self.storePath = storePath
        self.catchUpInterval = catchUpInterval
        self.requestTimeout = requestTimeout
        self.batchSize = batchSize
        self.maxPending = maxPending
        self.maxInbox = maxInbox
        self.log = log
    }
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

/// A validating ledger peer on the network (SPEC §7): a `Ledger`, an optional `LedgerStore`, and a `Peer`
/// that serves `getBlocks` and `getStatus` from the committed chain.
///
/// Gossip'd blocks are validated in order on the node's worker thread: the next block of a channel is committed
/// if `Ledger.append` accepts it (then stored), a block ahead of its channel is kept and starts a catch-up, a block
/// that names a transaction not committed yet (`.unknownInput`: a BoE allocation result naming BoEV offers) is
/// kept and retried after other blocks commit, and any other failure rejects the block, counted by reason and
/// by sender. Catch-up (anti-entropy) pulls missing blocks by height from neighbours that are ahead; it runs at
/// start, when a link comes up, when a gap or a rejected block is seen, and every `catchUpInterval`.
///
/// Thread-safe. Handlers and the worker share one lock around the ledger and the store.
public final class LedgerNode: Sendable {
    /// The node's ledger key.
    public var publicKey: PublicKey { peer.publicKey }
    /// Where the node's ROUTER listens.
    public var endpoint: String { peer.endpoint }
    /// The node's network peer: links, counters, `setMembers`.
    public let peer: Peer
    let state: LedgerNodeState
    private let configuration: LedgerNodeConfiguration
    private let catchUpLock = NSLock()     // one catch-up at a time; never held with `state.lock` waiting on it
    private let worker = WorkerSlot()

    /// Opens the store (replaying it into the ledger) and binds the peer; `start()` runs the node.
    /// - Parameters:
    ///   - key: the node's ledger key; its X25519 form must be admitted by the neighbours' ZAP handlers.
    ///   - configuration: the peer, the store and the catch-up settings.
    /// - Throws: `LedgerError` if the store cannot be opened or one of its blocks does not replay;
    ///   `NodeError` if the peer cannot bind or connect.
    public init(key: SigningKey, configuration: LedgerNodeConfiguration) throws {
        var configuration = configuration
        configuration.peer.relay = false
        configuration.batchSize = max(1, min(configuration.batchSize, configuration.peer.limits.maxBlocksPerRequest))
        let state = try LedgerNodeState(storePath: configuration.storePath, maxPending: configuration.maxPending,
                                        maxInbox: configuration.maxInbox)
        state.maxPool = max(1, configuration.maxPool)
        let log = configuration.log
        let me = key.publicKey
        let handlers = PeerHandlers(
            gossip: { g in
                switch g.message {
                case .block(let block):
                    if !state.enqueue(block, from: g.sender) { log("inbox full: \(block.channel) block \(block.height) dropped") }
                case .transaction(let tx):
                    // Transactions go to the orderer's pool; a validating peer ignores them.
                    state.offerToPool(tx, orderer: me, log: log)
                case .announcement(let a):
                    if state.accept(a, log: log) { state.wake.signal() }
                default:
                    break
                }
            },
            blocks: { channel, from, count in state.blocks(channel, from: from, maxCount: count, log: log) },
            status: { Array(state.heads.values) },
            log: log,
            endorse: { tx, _ in state.endorse(tx, log: log) })
        peer = try Peer(key: key, configuration: configuration.peer, handlers: handlers)
        self.state = state
        self.configuration = configuration
    }

    deinit { stop() }

    /// Starts the peer and the worker, which catches up at once. Later calls do nothing.
    public func start() {
        guard !state.lock.withLock({ state.stopped }) else { return }
        peer.start()
        worker.startOnce {
            JoinableThread(name: "v2g-ledger-node") { [state, peer, configuration, catchUpLock] in
                Self.work(state: state, peer: peer, configuration: configuration, catchUpLock: catchUpLock)
            }
        }
    }

    /// Stops the peer (failing requests in flight), joins the worker and closes the store. Committed blocks are
    /// on disk; pending and queued ones are dropped. Later calls do nothing.
    public func stop() {
        state.markStopping()
        peer.stop()
        state.wake.signal()
        worker.join()
        catchUpLock.withLock { state.close() }   // after any catch-up a caller is running
    }

    /// Connects to one more neighbour (a catch-up follows once the link is up).
    public func connect(to neighbour: Neighbour) { peer.connect(to: neighbour) }

    // MARK: Publishing

    /// Validates a block this node sealed (the orderer's), commits and stores it, then gossips it.
    /// - Parameter block: the next block of its channel.
    /// - Throws: the `LedgerError` that rejected it (nothing is kept then), or the store's error.
    public func publish(_ block: Block) throws(LedgerError) {
        try state.publish(block)
        peer.gossip(block)
    }

    // MARK: Reading

    /// The head of every channel with a genesis block.
    public var heads: [Channel: ChannelHead] { state.heads }

    /// Blocks committed, over all channels.
    public var committedBlocks: Int { state.heads.values.reduce(0) { $0 + Int($1.height) + 1 } }

    /// The ledger's cache of valid signatures; thread-safe on its own, so callers need not take the node's lock.
    public var signatures: SignatureCache { state.ledger.signatures }

    /// What the node has counted.
    public var counters: LedgerNodeCounters { state.lock.withLock { state.counters } }

    /// Rejected blocks by `LedgerError.Code` raw value.
    public var rejections: [String: Int] { counters.rejections }

    /// Blocks waiting for their height or for a block of another channel.
    public var pendingBlocks: Int { state.pendingCount }

    /// The store's failure, if a validated block could not be stored; the node commits nothing after it.
    public var failure: LedgerError? { state.lock.withLock { state.failure } }

    /// Runs `body` on the ledger under the node's lock; `body` must not keep the ledger.
    public func withLedger<T>(_ body: (Ledger) throws -> T) rethrows -> T {
        state.lock.lock()
        defer { state.lock.unlock() }
        return try body(state.ledger)
    }

    /// Re-verifies the store from genesis (`LedgerStore.verify()`); nil without a store.
    public func verifyStore() -> VerificationReport? { state.verifyStore() }

    // MARK: Catch-up

    /// Anti-entropy: reads every connected neighbour's status and pulls, channel by channel, the blocks of
    /// every channel where one is ahead, `batchSize` at a time, validating and storing each before asking
    /// for the next. A neighbour that times out or serves an invalid block is skipped for the rest of the run.
    /// Blocks that wait for another channel are kept, and the run goes round the channels until nothing more
    /// commits. Blocks the caller until done; runs one at a time.
    public func catchUp() -> CatchUpReport {
        catchUpLock.withLock { Self.catchUp(state: state, peer: peer, configuration: configuration) }
    }

    /// Asks the worker to catch up as soon as it can, without waiting for it.
    public func scheduleCatchUp() { state.requestCatchUp() }

    private static func catchUp(state: LedgerNodeState, peer: Peer, configuration: LedgerNodeConfiguration) -> CatchUpReport {
        var report = CatchUpReport()
        state.count { $0.catchUps += 1 }
        let log = configuration.log
        func skip(_ n: PublicKey, _ why: String) {
            report.skipped.insert(n)
            log("catch-up: skipping \(n): \(why)")
        }
        var statuses: [PublicKey: [Channel: ChannelHead]] = [:]
        for n in peer.connectedNeighbours.sorted() {
            do {
                let heads = try peer.requestStatus(neighbour: n, timeout: configuration.requestTimeout)
                statuses[n] = Dictionary(heads.map { ($0.channel, $0) }, uniquingKeysWith: { a, _ in a })
                report.asked.insert(n)
            } catch {
                state.count { $0.requestFailures += 1 }
                skip(n, "status: \(error)")
            }
        }
        let order = statuses.keys.sorted()
        var progress = true
        while progress {
            progress = false
            for channel in Channel.allCases {
                for n in order where !report.skipped.contains(n) {
                    guard let target = statuses[n]?[channel] else { continue }
                    pulling: while true {
                        let next = state.lock.withLock { state.nextHeight(channel) }
                        guard next <= target.height else { break }
                        let count = Int(min(UInt64(configuration.batchSize), target.height - next + 1))
                        let blocks: [Block]
                        do {
                            blocks = try peer.requestBlocks(channel, from: next, count: count, neighbour: n,
                                                            timeout: configuration.requestTimeout)
                        } catch {
                            if error.code == .stopped { return report }
                            state.count { $0.requestFailures += 1 }
                            skip(n, "\(channel) from \(next): \(error)")
                            break
                        }
                        guard !blocks.isEmpty else {
                            skip(n, "announced \(channel) height \(target.height) but served nothing from \(next)")
                            break
                        }
                        for block in blocks {
                            switch state.receive(block, from: n, source: .catchUp) {
                            case .committed:
                                report.committed += 1
                                progress = true
                            case .stale:
                                continue                // committed meanwhile (gossip)
                            case .waiting, .ahead:
                                break pulling           // waits for another channel: go on with the others
                            case .rejected(let e):
                                log("catch-up: \(channel) block \(block.height) from \(n) rejected: \(e)")
                                skip(n, "served an invalid block")
                                break pulling
                            case .failed(let e):
                                log("catch-up stopped: \(e)")
                                return report
                            }
                        }
                    }
                }
            }
        }
        let ours = state.heads
        report.converged = !report.asked.subtracting(report.skipped).isEmpty
            && report.asked.subtracting(report.skipped).allSatisfy { statuses[$0] == ours }
        return report
    }

    // MARK: Worker

    /// The worker's loop: validates queued gossip in arrival order, and catches up when a gap or a rejected
    /// block is seen, a link comes up, or `catchUpInterval` has passed since the last run.
    private static func work(state: LedgerNodeState, peer: Peer, configuration: LedgerNodeConfiguration, catchUpLock: NSLock) {
        let log = configuration.log
        var links: Set<PublicKey> = []
        var due = ContinuousClock.now            // catch up at start
        let tick = min(configuration.catchUpInterval, .milliseconds(250))
        while true {
            _ = state.wake.wait(timeout: .now() + .milliseconds(Int(max(1, milliseconds(tick)))))
            if state.lock.withLock({ state.stopped }) { return }
            var wanted = state.takeCatchUpRequest()
            for a in state.lock.withLock({ defer { state.announcementsToForward = [] }; return state.announcementsToForward }) {
                peer.forward(a)
            }
            for p in state.takeInbox() {
                switch state.receive(p.block, from: p.sender, source: .gossip) {
                case .committed:
                    peer.forward(p.block)           // validated: now pass it on
                case .ahead:
                    wanted = true
                case .rejected(let e):
                    log("rejected \(p.block.channel) block \(p.block.height) from \(p.sender.map { "\($0)" } ?? "?"): \(e)")
                    wanted = true               // it may have taken the honest block's place in the peer's seen set
                case .failed(let e):
                    log("not committing: \(e)")
                default:
                    break
                }
            }
            let now = peer.connectedNeighbours
            if !now.subtracting(links).isEmpty { wanted = true }
            links = now
            if wanted || ContinuousClock.now >= due {
                let report = catchUpLock.withLock { catchUp(state: state, peer: peer, configuration: configuration) }
                if report.committed > 0 { log("catch-up committed \(report.committed) blocks") }
                due = ContinuousClock.now + configuration.catchUpInterval
            }
        }
    }
}

/// The worker thread, started once and joined once.
private final class WorkerSlot: @unchecked Sendable {  // fields under `lock`
    private let lock = NSLock()
    private var thread: JoinableThread?
    private var started = false

    func startOnce(_ make: () -> JoinableThread) {
        lock.withLock {
            guard !started else { return }
            started = true
            thread = make()
        }
    }

    func join() {
        let t = lock.withLock {
            started = true    // a node stopped before it started never starts
            return thread
        }
        t?.join()
    }
}
