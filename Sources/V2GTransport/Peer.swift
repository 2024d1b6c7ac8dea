import FoundationEssentials
import Logging
import V2GKit
import V2GLedger

/// A ledger peer on the network (docs/network.md): a CurveZMQ ROUTER that neighbours' DEALERs connect to,
/// guarded by a ZAP handler admitting members only; one DEALER per neighbour for pushing gossip and asking for
/// blocks. All sockets live on one thread, which only decodes, routes and queues; the methods here are
/// thread-safe and never block on the network, except the request methods (PeerRequests.swift), which wait for
/// their answer up to a timeout.
public final class Peer: Sendable {
    /// This peer's ledger key.
    public let publicKey: PublicKey
    /// The endpoint the ROUTER is bound to, with the port the system chose.
    public let endpoint: String
    let shared: PeerShared
    let logger: Logger
    let limited: LogLimiter
    private let zap: ZAPHandler

    /// Binds the peer and connects its neighbours; `start()` runs it.
    /// - Parameters:
    ///   - key: the peer's ledger key; its X25519 form is the CurveZMQ key of every link.
    ///   - configuration: endpoints, members, neighbours and limits.
    ///   - handlers: the application's side; both run on the peer's thread and must only queue.
    ///   - logger: where dropped frames and failed links are reported.
    public init(key: SigningKey, configuration: PeerConfiguration, handlers: PeerHandlers = PeerHandlers(),
                logger: Logger = Logger(label: "v2g.transport")) throws(TransportError) {
        let identity = try CurveIdentity(key)
        let context = try ZMQContext()
        // The handler first: libzmq admits every CURVE client of a context without one.
        zap = try ZAPHandler(context: context, domain: configuration.zapDomain, members: configuration.members)
        let shared = try PeerShared()
        let loop = try PeerLoop(context: context, identity: identity, configuration: configuration,
                                handlers: handlers, shared: shared, logger: logger)
        for n in configuration.neighbours { try loop.addLink(n) }
        publicKey = key.publicKey
        endpoint = try loop.router.lastEndpoint()
        shared.unstarted = loop
        self.shared = shared
        self.logger = logger
        limited = loop.limited
    }

    deinit { stop() }

    /// Starts the peer's thread. Later calls do nothing.
    public func start() {
        // One lock section: a `stop()` either comes first (nothing starts) or finds the thread to join.
        shared.lock.withLock {
            guard !shared.stopping, let loop = shared.unstarted else { return }
            shared.unstarted = nil
            let handover = OnceBox(loop)
            shared.thread = JoinableThread(name: "v2g-peer") { handover.take().run() }
        }
    }

    /// Stops the thread and joins it, closes every socket, stops the ZAP handler, and fails waiting requests.
    /// Not from a handler: those run on the thread it joins.
    public func stop() {
        let thread: JoinableThread? = shared.lock.withLock {
            shared.stopping = true
            shared.unstarted = nil   // never started: its sockets close here
            return shared.thread
        }
        shared.wake.wake()
        thread?.join()  // the loop closed its sockets before the thread ended
        zap.stop()      // only now: the ROUTER must never run without its handler
        shared.failAll(TransportError(.stopped, "the peer stopped"))
    }

    /// Pushes a transaction to every neighbour (once: gossip already seen is not sent again).
    public func gossip(_ transaction: Transaction) { push(.transaction(transaction)) }

    /// Pushes a block to every neighbour (once).
    public func gossip(_ block: Block) { push(.block(block)) }

    /// Pushes a round announcement to every neighbour (once).
    public func gossip(_ announcement: RoundAnnouncement) { push(.announcement(announcement)) }

    /// Passes a received block on to every neighbour but `sender` (who has it) once the application has
    /// validated it (with `relay` off, nothing is relayed before that); unlike `gossip`, it sends even though
    /// the block was seen.
    public func forward(_ block: Block, except sender: PublicKey? = nil) {
        shared.submit(.forward(frame: GossipMessage.block(block).encoded, except: sender))
    }

    /// Passes a received announcement on once the application has checked its author.
    public func forward(_ announcement: RoundAnnouncement, except sender: PublicKey? = nil) {
        shared.submit(.forward(frame: GossipMessage.announcement(announcement).encoded, except: sender))
    }

    private func push(_ message: GossipMessage) {
        shared.submit(.gossip(frame: message.encoded, id: message.gossipID!))
    }

    /// Answers a request handed to `PeerHandlers.request` that was not answered there; from any thread.
    public func reply(_ message: GossipMessage, to route: ReplyRoute) {
        shared.submit(.reply(route: route, frame: message.encoded))
    }

    /// Connects to one more neighbour.
    public func connect(to neighbour: Neighbour) { shared.submit(.connect(neighbour)) }

    /// Replaces the members the ZAP handler admits (from their next connection).
    public func setMembers(_ members: [PublicKey]) throws(TransportError) { try zap.setMembers(members) }

    /// What the peer has counted so far.
    public var counters: NetworkCounters {
        var c = shared.lock.withLock { shared.counters }
        c.refusedConnections = zap.refusals
        return c
    }

    /// Counts a frame dropped above the loop (an endorsement that did not verify).
    func countDrop(_ reason: DropReason) { shared.count { $0.dropped[reason, default: 0] += 1 } }

    /// The neighbours whose link has completed its handshake and not dropped since.
    public var connectedNeighbours: Set<PublicKey> { shared.connected }

    /// Waits until every neighbour in `keys` is connected; false if `timeout` passes first or the peer stops.
    public func waitForLinks(to keys: Set<PublicKey>, timeout: Duration) -> Bool {
        let deadline = ContinuousClock.now + timeout
        let links = shared.linksChanged
        links.lock()
        defer { links.unlock() }
        while !keys.isSubset(of: shared.connectedLocked) {
            guard !shared.isStopping, links.wait(until: deadline) else { return keys.isSubset(of: shared.connectedLocked) }
        }
        return true
    }
}
