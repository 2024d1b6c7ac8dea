import Dispatch
import Foundation
import V2GLedger

/// A neighbour this peer connects to: where it listens and who it is.
public struct Neighbour: Hashable, Sendable {
    public var endpoint: String
    /// Its Ed25519 ledger key; its CurveZMQ server key is derived from it.
    public var key: PublicKey
    public init(endpoint: String, key: PublicKey) {
        self.endpoint = endpoint
        self.key = key
    }
}

/// How a peer binds, whom it admits and whom it connects to.
public struct PeerConfiguration: Sendable {
    /// Where the peer's ROUTER listens; `tcp://127.0.0.1:*` lets the system choose a port.
    public var bindEndpoint: String
    /// The Ed25519 keys admitted by the ZAP handler (the channel's members).
    public var members: [PublicKey]
    /// The neighbours connected to at start; more can be added with `connect(to:)`.
    public var neighbours: [Neighbour]
    public var limits: NetworkLimits
    /// How many gossip IDs are remembered for de-duplication.
    public var seenCapacity: Int
    /// Whether gossip received is pushed on to the other neighbours (flooding with de-duplication).
    public var relay: Bool
    /// The ZAP domain of the peer's server socket.
    public var zapDomain: String

    public init(bindEndpoint: String = "tcp://127.0.0.1:*", members: [PublicKey], neighbours: [Neighbour] = [],
                limits: NetworkLimits = NetworkLimits(), seenCapacity: Int = 8192, relay: Bool = true,
                zapDomain: String = "v2g") {
        self.bindEndpoint = bindEndpoint
        self.members = members
        self.neighbours = neighbours
        self.limits = limits
        self.seenCapacity = seenCapacity
        self.relay = relay
        self.zapDomain = zapDomain
    }
}

/// Gossip as delivered: the message and the member whose connection it came on (the ZAP user id).
public struct ReceivedGossip: Sendable {
    public var message: GossipMessage
    public var sender: PublicKey?
}

/// What the application gives the peer. Every closure runs on the peer's thread and should return quickly.
public struct PeerHandlers: Sendable {
    /// New gossip (a transaction or a block), once per ID.
    public var gossip: @Sendable (ReceivedGossip) -> Void
    /// Up to `maxCount` consecutive blocks of a channel from a height: what `getBlocks` is answered with.
    public var blocks: @Sendable (_ channel: Channel, _ fromHeight: UInt64, _ maxCount: Int) -> [Block]
    /// The heads of the channels held: what `getStatus` is answered with.
    public var status: @Sendable () -> [ChannelHead]
    /// One line per dropped frame or failed operation.
    public var log: @Sendable (String) -> Void
    /// An `endorse` request from a member (the sender): the endorsement to answer with, or nil to refuse
    /// (nothing is sent back then).
    public var endorse: @Sendable (_ transaction: Transaction, _ sender: PublicKey?) -> Endorsement?

    public init(gossip: @escaping @Sendable (ReceivedGossip) -> Void = { _ in },
                blocks: @escaping @Sendable (Channel, UInt64, Int) -> [Block] = { _, _, _ in [] },
                status: @escaping @Sendable () -> [ChannelHead] = { [] },
                log: @escaping @Sendable (String) -> Void = { _ in },
                endorse: @escaping @Sendable (Transaction, PublicKey?) -> Endorsement? = { _, _ in nil }) {
        self.gossip = gossip
        self.blocks = blocks
        self.status = status
        self.log = log
        self.endorse = endorse
    }
}

/// A ledger peer on the network (docs/network.md): a CurveZMQ ROUTER that neighbours' DEALERs connect to,
/// guarded by a ZAP handler admitting members only; one DEALER per neighbour for pushing gossip and asking for
/// blocks. All sockets live on one background thread; the methods here are thread-safe and never block on
/// the network, except the request methods, which wait for their answer up to a timeout.
public final class Peer: Sendable {
    /// This peer's ledger key.
    public let publicKey: PublicKey
    /// The endpoint the ROUTER is bound to, with the port the system chose.
    public let endpoint: String
    private let shared: PeerShared
    private let zap: ZAPHandler

    /// Binds the peer and connects its neighbours; `start()` runs it.
    /// - Parameters:
    ///   - key: the peer's ledger key; its X25519 form is the CurveZMQ key of every link.
    ///   - configuration: endpoints, members, neighbours and limits.
    ///   - handlers: the application's side.
    public init(key: SigningKey, configuration: PeerConfiguration, handlers: PeerHandlers = PeerHandlers()) throws(NodeError) {
        let identity: CurveIdentity
        do { identity = try CurveIdentity(key) } catch { throw NodeError(.identity, error.description) }
        let context = try ZMQContext()
        // The handler first: libzmq admits every CURVE client of a context without one.
        zap = try ZAPHandler(context: context, domain: configuration.zapDomain, members: configuration.members)
        let shared = try PeerShared()
        let loop = try PeerLoop(context: context, identity: identity, configuration: configuration,
                                handlers: handlers, shared: shared)
        for n in configuration.neighbours { try loop.addLink(n) }
        publicKey = key.publicKey
        endpoint = try loop.router.lastEndpoint()
        shared.unstarted = loop
        self.shared = shared
    }

    deinit { stop() }

    /// Starts the peer's thread. Later calls do nothing.
    public func start() {
        let loop: PeerLoop? = shared.lock.withLock {
            defer { shared.unstarted = nil }
            return shared.stopping ? nil : shared.unstarted
        }
        guard let loop else { return }
        let handover = OnceBox(loop)
        let thread = JoinableThread(name: "v2g-peer") { handover.take().run() }
        shared.lock.withLock { shared.thread = thread }
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
        shared.failAll(NodeError(.stopped, "the peer stopped"))
    }

    /// Pushes a transaction to every neighbour (once: gossip already seen is not sent again).
    public func gossip(_ transaction: Transaction) { push(.transaction(transaction)) }

    /// Pushes a block to every neighbour (once).
    public func gossip(_ block: Block) { push(.block(block)) }

    /// Passes a received block on to every neighbour once the application has validated it (with `relay`
    /// off, nothing is relayed before that); unlike `gossip`, it sends even though the block was seen.
    public func forward(_ block: Block) { shared.submit(.forward(frame: GossipMessage.block(block).encoded)) }

    /// Pushes a round announcement to every neighbour (once).
    public func gossip(_ announcement: RoundAnnouncement) { push(.announcement(announcement)) }

    /// Passes a received announcement on once the application has checked its author.
    public func forward(_ announcement: RoundAnnouncement) {
        shared.submit(.forward(frame: GossipMessage.announcement(announcement).encoded))
    }

    private func push(_ message: GossipMessage) {
        shared.submit(.gossip(frame: message.encoded, id: message.gossipID!))
    }

    /// Connects to one more neighbour.
    public func connect(to neighbour: Neighbour) { shared.submit(.connect(neighbour)) }

    /// Replaces the members the ZAP handler admits (from their next connection).
    public func setMembers(_ members: [PublicKey]) throws(NodeError) { try zap.setMembers(members) }

    /// What the peer has counted so far.
    public var counters: NetworkCounters {
        var c = shared.lock.withLock { shared.counters }
        c.refusedConnections = zap.refusals
        return c
    }

    /// The neighbours whose link has completed its handshake and not dropped since.
    public var connectedNeighbours: Set<PublicKey> { shared.lock.withLock { shared.connected } }

    /// Waits until every neighbour in `keys` is connected; false if `timeout` passes first.
    public func waitForLinks(to keys: Set<PublicKey>, timeout: Duration) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while !keys.isSubset(of: connectedNeighbours) {
            guard ContinuousClock.now < deadline else { return false }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return true
    }

    /// Asks one neighbour for up to `count` blocks of `channel` from height `from`: the catch-up primitive.
    /// - Parameters:
    ///   - neighbour: whom to ask; nil for the first connected neighbour.
    ///   - timeout: how long to wait for the answer.
    /// - Returns: consecutive blocks from `from` (fewer than `count` if the neighbour has fewer, or if they
    ///   did not fit one message; ask again from the next height).
    public func requestBlocks(_ channel: Channel, from: UInt64, count: Int, neighbour: PublicKey? = nil,
                              timeout: Duration = .seconds(2)) throws(NodeError) -> [Block] {
        let max = UInt32(clamping: count)
        let reply = try request(neighbour: neighbour, timeout: timeout) {
            .getBlocks(requestID: $0, channel: channel, fromHeight: from, maxCount: max)
        }
        guard case let .blocks(_, replyChannel, blocks) = reply, replyChannel == channel, blocks.count <= Int(max),
              blocks.enumerated().allSatisfy({ $1.channel == channel && $1.height == from + UInt64($0) })
        else { throw NodeError(.badReply, "the blocks do not answer the request for \(channel) from \(from)") }
        return blocks
    }

    /// Asks one neighbour for the heads of its channels.
    public func requestStatus(neighbour: PublicKey? = nil, timeout: Duration = .seconds(2)) throws(NodeError) -> [ChannelHead] {
        let reply = try request(neighbour: neighbour, timeout: timeout) { .getStatus(requestID: $0) }
        guard case let .status(_, heads) = reply else { throw NodeError(.badReply, "not a status") }
        return heads
    }

    /// Asks `endorsers` (neighbours) to endorse `transaction` and waits until `required` of them have answered
    /// with an endorsement that verifies, or `timeout` passes. An endorser that refuses does not answer.
    /// - Parameters:
    ///   - transaction: the signed transaction; its endorsements are not sent.
    ///   - endorsers: whom to ask; each must be a neighbour (the request goes on the link to it).
    ///   - required: how many endorsements end the wait early.
    ///   - timeout: the longest wait.
    /// - Returns: the endorsements received, sorted by endorser key (fewer than `required` on a timeout).
    /// - Throws: `NodeError.stopped` if the peer stopped.
    public func requestEndorsements(_ transaction: Transaction, from endorsers: [PublicKey], required: Int,
                                    timeout: Duration = .seconds(2)) throws(NodeError) -> [Endorsement] {
        var bare = transaction
        bare.endorsements = []
        let id = bare.id
        let wait = EndorsementWait(asked: Set(endorsers), required: max(0, required))
        let started: Bool = shared.lock.withLock {
            guard !shared.stopping, shared.endorsementWaits[id] == nil else { return false }
            shared.endorsementWaits[id] = wait
            shared.commands.append(.endorse(frame: GossipMessage.endorse(bare).encoded, to: Set(endorsers)))
            return true
        }
        guard started else {
            if shared.lock.withLock({ shared.stopping }) { throw NodeError(.stopped, "the peer stopped") }
            throw NodeError(.badReply, "endorsements of \(id) are already being collected")
        }
        shared.wake.wake()
        if required > 0 { _ = wait.done.wait(timeout: .now() + .milliseconds(Int(milliseconds(timeout)))) }
        let got = shared.lock.withLock {
            shared.endorsementWaits[id] = nil
            return wait.got
        }
        if got.isEmpty, shared.lock.withLock({ shared.stopping }) { throw NodeError(.stopped, "the peer stopped") }
        return got.values.sorted { $0.endorser < $1.endorser }
    }

    private func request(neighbour: PublicKey?, timeout: Duration,
                         _ message: (UInt64) -> GossipMessage) throws(NodeError) -> GossipMessage {
        let pending = PendingRequest(neighbour: neighbour)
        let id: UInt64? = shared.lock.withLock {
            guard !shared.stopping else { return nil }
            shared.nextRequestID += 1
            let id = shared.nextRequestID
            shared.pending[id] = pending
            shared.commands.append(.request(id: id, neighbour: neighbour, frame: message(id).encoded))
            return id
        }
        guard let id else { throw NodeError(.stopped, "the peer stopped") }
        shared.wake.wake()
        _ = pending.done.wait(timeout: .now() + .milliseconds(Int(milliseconds(timeout))))
        let result = shared.lock.withLock {
            shared.pending[id] = nil
            return pending.result
        }
        guard let result else { throw NodeError(.timeout, "no answer within \(timeout)") }
        return try result.get()
    }
}

// MARK: - Shared state

/// A request waiting for its answer.
final class PendingRequest: @unchecked Sendable {  // fields under PeerShared.lock
    let neighbour: PublicKey?
    var sentTo: PublicKey?
    var result: Result<GossipMessage, NodeError>?
    let done = DispatchSemaphore(value: 0)
    init(neighbour: PublicKey?) { self.neighbour = neighbour }
}

/// Endorsements being collected for one transaction.
final class EndorsementWait: @unchecked Sendable {  // fields under PeerShared.lock
    let asked: Set<PublicKey>
    let required: Int
    var got: [PublicKey: Endorsement] = [:]
    let done = DispatchSemaphore(value: 0)
    init(asked: Set<PublicKey>, required: Int) {
        self.asked = asked
        self.required = required
    }
}

/// Work handed to the peer's thread.
enum PeerCommand {
    case endorse(frame: [UInt8], to: Set<PublicKey>)
    case gossip(frame: [UInt8], id: Digest)
    case forward(frame: [UInt8])
    case connect(Neighbour)
    case request(id: UInt64, neighbour: PublicKey?, frame: [UInt8])
}

/// What the peer's thread and its callers share, under `lock`.
final class PeerShared: @unchecked Sendable {
    let lock = NSLock()
    let wake: WakePipe
    var commands: [PeerCommand] = []
    var stopping = false
    var counters = NetworkCounters()
    var connected: Set<PublicKey> = []
    var pending: [UInt64: PendingRequest] = [:]
    var endorsementWaits: [Digest: EndorsementWait] = [:]
    var nextRequestID: UInt64 = 0
    var thread: JoinableThread?
    var unstarted: PeerLoop?

    init() throws(NodeError) { wake = try WakePipe() }

    func submit(_ command: PeerCommand) {
        let accepted = lock.withLock {
            guard !stopping else { return false }
            commands.append(command)
            return true
        }
        if accepted { wake.wake() }
    }

    func count(_ update: (inout NetworkCounters) -> Void) { lock.withLock { update(&counters) } }

    /// Completes a request, if it is still waiting.
    func complete(_ id: UInt64, _ result: Result<GossipMessage, NodeError>) {
        lock.withLock {
            guard let p = pending[id], p.result == nil else { return }
            p.result = result
            p.done.signal()
        }
    }

    func failAll(_ error: NodeError) {
        lock.withLock {
            for p in pending.values where p.result == nil {
                p.result = .failure(error)
                p.done.signal()
            }
            for w in endorsementWaits.values { w.done.signal() }
        }
    }
}

// MARK: - The loop

/// One neighbour's link: a CurveZMQ client DEALER and the PAIR its monitor events arrive on.
final class Link {
    let neighbour: Neighbour
    let dealer: ZMQSocket
    let monitor: ZMQSocket
    /// When to dial again after the neighbour refused us: libzmq ends a session whose handshake failed
    /// authentication instead of reconnecting, and the neighbour's member list may change.
    var redialAt: ContinuousClock.Instant?
    init(neighbour: Neighbour, dealer: ZMQSocket, monitor: ZMQSocket) {
        self.neighbour = neighbour
        self.dealer = dealer
        self.monitor = monitor
    }
}

/// The sockets and the state only the peer's thread touches.
final class PeerLoop {
    let context: ZMQContext
    let identity: CurveIdentity
    let configuration: PeerConfiguration
    let handlers: PeerHandlers
    let shared: PeerShared
    let router: ZMQSocket
    private(set) var links: [Link] = []
    private var seen: LRUSet<Digest>
    private var monitors = 0
    private static let burst = 256   // messages read from one socket before looking at the others
    private var limits: NetworkLimits { configuration.limits }

    init(context: ZMQContext, identity: CurveIdentity, configuration: PeerConfiguration, handlers: PeerHandlers,
         shared: PeerShared) throws(NodeError) {
        self.context = context
        self.identity = identity
        self.configuration = configuration
        self.handlers = handlers
        self.shared = shared
        seen = LRUSet(capacity: max(1, configuration.seenCapacity))
        router = try ZMQSocket(context, .router)
        try Self.applyLimits(router, configuration.limits)
        try router.set(.routerMandatory, Int32(1))  // replies to a gone peer fail (and are counted), not vanish
        try router.makeCurveServer(secretKey: identity.secretKey, zapDomain: configuration.zapDomain)
        try router.bind(configuration.bindEndpoint)
    }

    static func applyLimits(_ s: ZMQSocket, _ limits: NetworkLimits) throws(NodeError) {
        try s.set(.linger, Int32(0))
        try s.set(.maxMessageSize, Int64(limits.maxMessageSize))
        try s.set(.sendHighWaterMark, limits.sendHighWaterMark)
        try s.set(.receiveHighWaterMark, limits.receiveHighWaterMark)
        try s.set(.sendTimeout, Int32(0))
        try s.set(.handshakeInterval, Int32(clamping: milliseconds(limits.handshakeInterval)))
    }

    func addLink(_ n: Neighbour) throws(NodeError) {
        guard !links.contains(where: { $0.neighbour.key == n.key }) else { return }
        let serverKey = try ZAPState.curveKey(n.key)
        let dealer = try ZMQSocket(context, .dealer)
        try Self.applyLimits(dealer, limits)
        try dealer.set(.immediate, Int32(1))  // queue only to a completed (authenticated) connection
        try dealer.set(.reconnectInterval, Int32(clamping: milliseconds(limits.reconnectInterval)))
        try dealer.set(.reconnectIntervalMax, Int32(clamping: milliseconds(limits.reconnectIntervalMax)))
        try dealer.makeCurveClient(publicKey: identity.publicKey, secretKey: identity.secretKey, serverKey: serverKey)
        monitors += 1
        let monitorEndpoint = "inproc://v2g-link-monitor-\(monitors)"
        try dealer.monitor(monitorEndpoint, events: [.handshakeSucceeded, .disconnected, .handshakeFailedAuth,
                                                     .handshakeFailedProtocol, .handshakeFailedNoDetail])
        let monitor = try ZMQSocket(context, .pair)
        try monitor.set(.linger, Int32(0))
        try monitor.connect(monitorEndpoint)
        try dealer.connect(n.endpoint)
        links.append(Link(neighbour: n, dealer: dealer, monitor: monitor))
    }

    func run() {
        while !shared.lock.withLock({ shared.stopping }) {
            var items: [ZMQPoll.Item] = [.init(fd: shared.wake.readFD), .init(router)]
            for l in links { items += [.init(l.dealer), .init(l.monitor)] }
            let ready: [ZMQPoll.Events]
            let now = ContinuousClock.now
            let nextRedial = links.compactMap(\.redialAt).min()
            let timeout = nextRedial.map { max(.zero, min(.seconds(1), now.duration(to: $0))) } ?? .seconds(1)
            do {
                ready = try ZMQPoll.poll(items, timeout: timeout)
            } catch {
                handlers.log("poll failed: \(error)")
                break
            }
            if ready[0].contains(.readable) {
                shared.wake.drain()
                let commands = shared.lock.withLock {
                    defer { shared.commands.removeAll() }
                    return shared.commands
                }
                for c in commands { perform(c) }
            }
            if ready[1].contains(.readable) { drainRouter() }
            for (i, link) in links.enumerated() where 2 + 2 * i + 1 < ready.count {
                if ready[2 + 2 * i].contains(.readable) { drainLink(link) }
                if ready[2 + 2 * i + 1].contains(.readable) { drainMonitor(link) }
            }
            redialDue()
        }
    }

    private func redialDue() {
        let now = ContinuousClock.now
        for link in links {
            guard let at = link.redialAt, at <= now else { continue }
            link.redialAt = nil
            let endpoint = link.neighbour.endpoint
            _ = try? link.dealer.disconnect(endpoint)   // the refused session may already be gone
            do { try link.dealer.connect(endpoint) } catch { handlers.log("redial \(endpoint) failed: \(error)") }
        }
    }

    // MARK: Commands

    private func perform(_ command: PeerCommand) {
        switch command {
        case let .gossip(frame, id):
            guard seen.insert(id) else { return }   // already pushed, or received and relayed
            push(frame, except: nil)
        case let .forward(frame):
            push(frame, except: nil)
        case let .endorse(frame, keys):
            for link in links where keys.contains(link.neighbour.key) { send(frame, on: link.dealer) }
        case .connect(let n):
            do { try addLink(n) } catch { handlers.log("connect to \(n.endpoint) failed: \(error)") }
        case let .request(id, neighbour, frame):
            let connected = shared.lock.withLock { shared.connected }
            let link = neighbour.map { key in links.first { $0.neighbour.key == key } }
                ?? links.first { connected.contains($0.neighbour.key) }
            guard let link else {
                shared.complete(id, .failure(NodeError(.notConnected, "no connected neighbour to ask")))
                return
            }
            shared.lock.withLock { shared.pending[id]?.sentTo = link.neighbour.key }
            if !send(frame, on: link.dealer) {
                shared.complete(id, .failure(NodeError(.notConnected, "no room on the link to \(link.neighbour.endpoint)")))
            }
        }
    }

    /// Sends one frame (or an envelope and a frame) without blocking; counts it as sent or dropped.
    @discardableResult
    private func send(_ frame: [UInt8], on socket: ZMQSocket, to routingID: [UInt8]? = nil) -> Bool {
        let frames = routingID.map { [$0, frame] } ?? [frame]
        let ok: Bool
        do {
            ok = try socket.trySend(frames)
        } catch {
            ok = false   // EHOSTUNREACH: the ROUTER's peer is gone
        }
        shared.count { ok ? ($0.sent += 1) : ($0.sendsDropped += 1) }
        return ok
    }

    private func push(_ frame: [UInt8], except sender: PublicKey?) {
        for link in links where link.neighbour.key != sender { send(frame, on: link.dealer) }
    }

    // MARK: Receiving

    private func drop(_ reason: DropReason, _ why: String, from sender: String?) {
        shared.count { $0.dropped[reason, default: 0] += 1 }
        handlers.log("dropped (\(reason.rawValue)) from \(sender ?? "?"): \(why)")
    }

    private func drainRouter() {
        for _ in 0..<Self.burst {
            let message: ZMQMessage
            do {
                guard let m = try router.tryReceive(maxFrames: 4) else { return }
                message = m
            } catch {
                handlers.log("receive failed: \(error)")
                return
            }
            shared.count { $0.received += 1 }
            guard message.frames.count == 2, !message.truncated else {
                drop(.badEnvelope, "\(message.frames.count) frames from a DEALER", from: message.userID)
                continue
            }
            let routingID = message.frames[0], frame = message.frames[1]
            let decoded: GossipMessage
            do {
                decoded = try GossipMessage(decoding: frame, limits: limits)
            } catch {
                drop(error.reason, error.message, from: message.userID)
                continue
            }
            let sender = message.userID.flatMap { try? PublicKey(hex: $0) }
            switch decoded {
            case .transaction, .block, .announcement:
                receiveGossip(decoded, frame, from: sender)
            case let .getBlocks(id, channel, from, maxCount):
                let n = min(Int(maxCount), limits.maxBlocksPerRequest)
                var blocks: [Block] = []
                var size = GossipMessage.headerSize + 8 + 1 + 4
                for b in n > 0 ? handlers.blocks(channel, from, n).prefix(n) : [] {
                    let s = b.encoded.count + 4
                    guard size + s <= limits.maxBlocksFrame else { break }
                    size += s
                    blocks.append(b)
                }
                reply(.blocks(requestID: id, channel: channel, blocks), to: routingID)
            case .getStatus(let id):
                var heads: [Channel: ChannelHead] = [:]
                for h in handlers.status() { heads[h.channel] = h }
                reply(.status(requestID: id, heads.values.sorted { $0.channel.rawValue < $1.channel.rawValue }), to: routingID)
            case .endorse(let transaction):
                guard let endorsement = handlers.endorse(transaction, sender) else { continue }  // refused: no answer
                send(GossipMessage.endorsement(txID: transaction.id, endorsement).encoded, on: router, to: routingID)
            case .blocks, .status, .endorsement:
                drop(.unexpected, "a \(decoded.kind) reply sent as a request", from: message.userID)
            }
        }
    }

    private func reply(_ message: GossipMessage, to routingID: [UInt8]) {
        // Counted before sending, so a requester that reads the counters after its reply sees this one.
        shared.count { $0.requestsServed += 1 }
        if !send(message.encoded, on: router, to: routingID) { shared.count { $0.requestsServed -= 1 } }
    }

    private func receiveGossip(_ message: GossipMessage, _ frame: [UInt8], from sender: PublicKey?) {
        guard seen.insert(message.gossipID!) else {
            shared.count { $0.duplicates += 1 }
            return
        }
        shared.count { $0.delivered += 1 }
        handlers.gossip(ReceivedGossip(message: message, sender: sender))
        if configuration.relay { push(frame, except: sender) }
    }

    private func drainLink(_ link: Link) {
        let who = link.neighbour.key.description
        for _ in 0..<Self.burst {
            let message: ZMQMessage
            do {
                guard let m = try link.dealer.tryReceive(maxFrames: 2) else { return }
                message = m
            } catch {
                handlers.log("receive failed: \(error)")
                return
            }
            shared.count { $0.received += 1 }
            guard message.frames.count == 1, !message.truncated else {
                drop(.badEnvelope, "\(message.frames.count) frames from a ROUTER", from: who)
                continue
            }
            let decoded: GossipMessage
            do {
                decoded = try GossipMessage(decoding: message.frames[0], limits: limits)
            } catch {
                drop(error.reason, error.message, from: who)
                continue
            }
            let id: UInt64
            switch decoded {
            case .blocks(let requestID, _, _), .status(let requestID, _): id = requestID
            case let .endorsement(txID, endorsement):
                receiveEndorsement(txID, endorsement, on: link)
                continue
            default:
                drop(.unexpected, "a \(decoded.kind) on a reply path", from: who)
                continue
            }
            let expected = shared.lock.withLock { shared.pending[id]?.sentTo == link.neighbour.key }
            guard expected else {
                drop(.unexpected, "an answer to no request of ours (\(id))", from: who)
                continue
            }
            shared.complete(id, .success(decoded))
        }
    }

    /// Keeps an endorsement if it answers a collection of ours that asked this neighbour, comes from it, and
    /// verifies; otherwise drops it as `unexpected`.
    private func receiveEndorsement(_ txID: Digest, _ endorsement: Endorsement, on link: Link) {
        let who = link.neighbour.key
        let problem: String? = shared.lock.withLock {
            guard let wait = shared.endorsementWaits[txID], wait.asked.contains(who) else {
                return "an endorsement of \(txID) nobody asked \(who) for"
            }
            guard endorsement.endorser == who, who.verifies(endorsement.signature, of: txID.bytes) else {
                return "an endorsement of \(txID) that is not \(who)'s or does not verify"
            }
            wait.got[who] = endorsement
            if wait.got.count == wait.required { wait.done.signal() }
            return nil
        }
        if let problem { drop(.unexpected, problem, from: who.description) }
    }

    private func drainMonitor(_ link: Link) {
        while let m = try? link.monitor.tryReceive(maxFrames: 2) {
            guard let e = MonitorEvent(frames: m.frames) else { continue }
            let key = link.neighbour.key
            switch e.event {
            case .handshakeSucceeded:
                shared.lock.withLock { _ = shared.connected.insert(key) }
            case .disconnected:
                shared.lock.withLock { _ = shared.connected.remove(key) }
            case .handshakeFailedAuth:
                shared.count { $0.refusedByRemote += 1 }
                handlers.log("\(link.neighbour.endpoint) refused us (ZAP \(e.value))")
                link.redialAt = ContinuousClock.now + limits.reconnectIntervalMax
            case .handshakeFailedProtocol, .handshakeFailedNoDetail:
                shared.count { $0.handshakeFailures += 1 }
                handlers.log("handshake with \(link.neighbour.endpoint) failed (\(e.value))")
                link.redialAt = ContinuousClock.now + limits.reconnectIntervalMax
            default:
                break
            }
        }
    }
}
