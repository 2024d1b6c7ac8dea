import FoundationEssentials
import Logging
import V2GLedger

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

/// The sockets and the state only the peer's thread touches. The thread decodes, routes and queues: it hands
/// gossip and requests to the handlers (which only queue or read a snapshot) and sends what callers queued.
final class PeerLoop {
    let context: ZMQContext
    let identity: CurveIdentity
    let configuration: PeerConfiguration
    let handlers: PeerHandlers
    let shared: PeerShared
    let logger: Logger
    /// Lines about what members send, limited per reason: a member must not be able to flood the log.
    let limited: LogLimiter
    let router: ZMQSocket
    /// The ROUTER's monitor: which connections libzmq closed, so their descriptors leave `connections`.
    let routerMonitor: ZMQSocket
    private(set) var links: [Link] = []
    private var seen: LRUSet<Digest>
    private var connections: MemberConnections
    private var monitors = 0
    private var memory = MemoryGuardState()
    private static let burst = 256   // messages read from one socket before looking at the others
    /// The request ID of the status request a link sends when its handshake succeeds: it tells the neighbour's
    /// ROUTER which member the connection is (so it is not counted silent), and its answer is not waited for.
    static let helloRequestID = UInt64.max
    private var limits: NetworkLimits { configuration.limits }

    init(context: ZMQContext, identity: CurveIdentity, configuration: PeerConfiguration, handlers: PeerHandlers,
         shared: PeerShared, logger: Logger) throws(TransportError) {
        self.context = context
        self.identity = identity
        self.configuration = configuration
        self.handlers = handlers
        self.shared = shared
        self.logger = logger
        limited = LogLimiter(logger: logger)
        seen = LRUSet(capacity: max(1, configuration.seenCapacity))
        connections = MemberConnections(limit: configuration.limits.maxConnectionsPerMember,
                                        silentLimit: configuration.limits.maxSilentConnections)
        router = try ZMQSocket(context, .router)
        try Self.applyLimits(router, configuration.limits)
        try router.set(.routerMandatory, Int32(1))  // replies to a gone peer fail (and are counted), not vanish
        try router.set(.sendHighWaterMark, configuration.limits.replyHighWaterMark)
        try router.makeCurveServer(secretKey: identity.secretKey, zapDomain: configuration.zapDomain)
        try router.bind(configuration.bindEndpoint)
        let monitorEndpoint = "inproc://v2g-router-monitor"
        try router.monitor(monitorEndpoint, events: [.accepted, .disconnected, .closed])
        routerMonitor = try ZMQSocket(context, .pair)
        try routerMonitor.set(.linger, Int32(0))
        try routerMonitor.connect(monitorEndpoint)
    }

    static func applyLimits(_ s: ZMQSocket, _ limits: NetworkLimits) throws(TransportError) {
        try s.set(.linger, Int32(0))
        try s.set(.maxMessageSize, Int64(limits.maxMessageSize))
        try s.set(.sendHighWaterMark, limits.sendHighWaterMark)
        try s.set(.receiveHighWaterMark, limits.receiveHighWaterMark)
        try s.set(.sendTimeout, Int32(0))
        try s.set(.handshakeInterval, Int32(clamping: milliseconds(limits.handshakeInterval)))
    }

    func addLink(_ n: Neighbour) throws(TransportError) {
        guard !links.contains(where: { $0.neighbour.key == n.key }) else { return }
        let dealer = try ZMQSocket(context, .dealer)
        try Self.applyLimits(dealer, limits)
        try dealer.set(.immediate, Int32(1))  // queue only to a completed (authenticated) connection
        try dealer.set(.reconnectInterval, Int32(clamping: milliseconds(limits.reconnectInterval)))
        try dealer.set(.reconnectIntervalMax, Int32(clamping: milliseconds(limits.reconnectIntervalMax)))
        try identity.makeClient(dealer, of: n.key)
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
        while !shared.isStopping {
            var items: [ZMQPoll.Item] = [.init(fd: shared.wake.readFD), .init(router), .init(routerMonitor)]
            for l in links { items += [.init(l.dealer), .init(l.monitor)] }
            let ready: [ZMQPoll.Events]
            let now = ContinuousClock.now
            let nextRedial = links.compactMap(\.redialAt).min()
            let longest: Duration = limits.maxResidentBytes == nil ? .seconds(1) : .milliseconds(250)   // the guard's pace
            let timeout = nextRedial.map { max(.zero, min(longest, now.duration(to: $0))) } ?? longest
            do {
                ready = try ZMQPoll.poll(items, timeout: timeout)
            } catch {
                logger.critical("poll failed: \(error)")
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
            if ready[2].contains(.readable) { drainRouterMonitor() }
            for (i, link) in links.enumerated() where 3 + 2 * i + 1 < ready.count {
                if ready[3 + 2 * i].contains(.readable) { drainLink(link) }
                if ready[3 + 2 * i + 1].contains(.readable) { drainMonitor(link) }
            }
            redialDue()
            guardMemory()
        }
    }

    /// Resident memory past `maxResidentBytes` is libzmq buffering what no node needs (one member's endless
    /// multipart message, say): every connection of the ROUTER is cut, and with it its buffers; the links of
    /// honest neighbours dial again and say hello. Checked every 250 ms; freed memory is handed back 250 ms after
    /// the cut, once libzmq's I/O thread has let go of it. If memory stays past the limit after that, it is not
    /// the network's: the guard says so once and waits until memory falls below the limit.
    private func guardMemory() {
        guard let limit = limits.maxResidentBytes else { return }
        let now = ContinuousClock.now
        guard now >= memory.nextCheck else { return }
        memory.nextCheck = now + .milliseconds(250)
        if memory.trimDue {
            memory.trimDue = false
            ProcessMemory.releaseFreed()
            memory.verifyAfterTrim = true
            return
        }
        guard let resident = ProcessMemory.residentBytes() else { return }
        if memory.verifyAfterTrim {
            memory.verifyAfterTrim = false
            // Re-armed only below 90 % of the limit, so memory hovering at the limit does not trip it again.
            memory.suspended = resident >= limit / 10 * 9
            if resident > limit {
                logger.error("""
                    resident memory \(resident >> 20) MiB stays past the guard's \(limit >> 20) MiB after every \
                    connection was cut: not the network's; the guard waits until it falls below
                    """)
            }
            return
        }
        if memory.suspended {
            if resident < limit / 10 * 9 { memory.suspended = false }
            return
        }
        guard resident > limit else { return }
        drainRouterMonitor()   // cut only connections libzmq still holds
        let all = connections.removeAll()
        for c in all { cut(c) }
        shared.count {
            $0.memoryGuardTrips += 1
            $0.connectionsCut += all.count
        }
        limited.warning("memory guard", "resident memory \(resident >> 20) MiB passed \(limit >> 20) MiB: cut all "
                        + "\(all.count) connections of the ROUTER")
        memory.trimDue = true
    }

    private func redialDue() {
        let now = ContinuousClock.now
        for link in links {
            guard let at = link.redialAt, at <= now else { continue }
            link.redialAt = nil
            let endpoint = link.neighbour.endpoint
            _ = try? link.dealer.disconnect(endpoint)   // the refused session may already be gone
            do { try link.dealer.connect(endpoint) } catch { logger.warning("redial \(endpoint) failed: \(error)") }
        }
    }

    // MARK: Commands

    private func perform(_ command: PeerCommand) {
        switch command {
        case let .gossip(frame, id):
            guard seen.insert(id) else { return }   // already pushed, or received and relayed
            push(frame, except: nil)
        case let .forward(frame, except):
            push(frame, except: except)
        case let .endorse(frame, keys):
            let queued = SharedFrame(frame)
            for link in links where keys.contains(link.neighbour.key) { send(queued, on: link.dealer) }
        case .connect(let n):
            do { try addLink(n) } catch { logger.warning("connect to \(n.endpoint) failed: \(error)") }
        case let .request(id, neighbour, frame):
            let connected = shared.connected
            let link = neighbour.map { key in links.first { $0.neighbour.key == key } }
                ?? links.first { connected.contains($0.neighbour.key) }
            guard let link else {
                shared.complete(id, .failure(TransportError(.notConnected, "no connected neighbour to ask")))
                return
            }
            shared.lock.withLock { shared.pending[id]?.sentTo = link.neighbour.key }
            if !send(frame, on: link.dealer) {
                shared.complete(id, .failure(TransportError(.notConnected, "no room on the link to \(link.neighbour.endpoint)")))
            }
        case let .reply(route, frame):
            reply(frame, to: route.routingID)
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

    /// Sends one frame, queued once and shared by every link it goes to, without blocking; counts it as sent or
    /// dropped.
    @discardableResult
    private func send(_ frame: SharedFrame, on socket: ZMQSocket) -> Bool {
        let ok = (try? socket.trySend(frame)) ?? false
        shared.count { ok ? ($0.sent += 1) : ($0.sendsDropped += 1) }
        return ok
    }

    private func push(_ frame: [UInt8], except sender: PublicKey?) {
        let queued = SharedFrame(frame)
        for link in links where link.neighbour.key != sender { send(queued, on: link.dealer) }
    }

    private func reply(_ frame: [UInt8], to routingID: [UInt8]) {
        // Counted before sending, so a requester that reads the counters after its reply sees this one.
        shared.count { $0.requestsServed += 1 }
        if !send(frame, on: router, to: routingID) { shared.count { $0.requestsServed -= 1 } }
    }

    // MARK: Receiving

    private func drop(_ reason: DropReason, _ why: String, from sender: String?) {
        shared.count { $0.dropped[reason, default: 0] += 1 }
        limited.warning("dropped \(reason.rawValue)", "dropped (\(reason.rawValue)) from \(sender ?? "?"): \(why)")
    }

    private func drainRouter() {
        // Accepts and closes first: a message must not be counted on a descriptor whose close (or whose
        // reuse) the monitor has already reported.
        drainRouterMonitor()
        for _ in 0..<Self.burst {
            let message: ZMQMessage
            do {
                guard let m = try router.tryReceive(maxFrames: 4) else { return }
                message = m
            } catch {
                limited.warning("receive failed", "receive failed: \(error)")
                return
            }
            shared.count { $0.received += 1 }
            if let fd = message.sourceFD, let member = message.userID, let c = connections.heard(member, on: fd) {
                cut(c)
                shared.count { $0.connectionsCut += 1 }
                limited.warning("connection cut", "cut a connection of \(member): more than "
                                + "\(limits.maxConnectionsPerMember) connections")
            }
            guard message.frames.count == 2, !message.truncated else {
                drop(.badEnvelope, "\(message.frames.count) frames from a DEALER", from: message.userID)
                continue
            }
            let routingID = message.frames[0], frame = message.frames[1]
            // A copy of gossip already seen (every neighbour forwards what it validated) costs a hash, not a decoding.
            if (try? GossipMessage.kind(of: frame, limits: limits)) != nil, let id = GossipMessage.gossipID(ofFrame: frame),
               seen.contains(id) {
                shared.count { $0.duplicates += 1 }
                continue
            }
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
            case .getStatus(Self.helloRequestID):
                // Protocol upkeep, not a request: answered (the link expects nothing else) but counted apart.
                shared.count { $0.hellos += 1 }
                let hello = IncomingRequest(message: decoded, sender: sender, route: ReplyRoute(routingID: routingID))
                if let answer = handlers.request(hello) { _ = try? router.trySend([routingID, answer.encoded]) }
            case .getBlocks, .getStatus, .endorse:
                let request = IncomingRequest(message: decoded, sender: sender, route: ReplyRoute(routingID: routingID))
                if let answer = handlers.request(request) { reply(answer.encoded, to: routingID) }
            case .blocks, .status, .endorsement:
                drop(.unexpected, "\(decoded.kind) reply sent as a request", from: message.userID)
            }
        }
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
                limited.warning("receive failed", "receive failed: \(error)")
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
            case .status(Self.helloRequestID, _):
                continue   // the answer to the link's hello
            case .blocks(let requestID, _, _), .status(let requestID, _): id = requestID
            case let .endorsement(txID, endorsement):
                fileEndorsement(txID, endorsement, from: link)
                continue
            default:
                drop(.unexpected, "\(decoded.kind) on a reply path", from: who)
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

    /// Files an endorsement with the collection that asked this neighbour for it, if there is one and the
    /// endorsement names the neighbour; the collector verifies it. Anything else is dropped as `unexpected`.
    private func fileEndorsement(_ txID: Digest, _ endorsement: Endorsement, from link: Link) {
        let who = link.neighbour.key
        let filed: Bool = shared.lock.withLock {
            // An endorser answers once; a few repeats are kept (a retried request), a flood is not.
            guard let wait = shared.endorsementWaits[txID], wait.asked.contains(who), endorsement.endorser == who,
                  wait.arrived.count < 4 * wait.asked.count else {
                return false
            }
            wait.arrived.append(endorsement)
            wait.signal.signal()
            return true
        }
        if !filed { drop(.unexpected, "an endorsement of \(txID) nobody asked \(who) for", from: who.description) }
    }

    /// Cuts a connection if its descriptor still leads to the peer it led to when accepted (libzmq may have
    /// closed it and given the number to another since). The callers count it as cut either way.
    private func cut(_ c: MemberConnections.Cut) {
        if !c.peer.isEmpty, peerAddress(c.fd) == c.peer { cutConnection(c.fd) }
    }

    private func drainRouterMonitor() {
        // Cuts wait until every queued event is read: a connection closed meanwhile is not cut, as its
        // descriptor may already belong to another.
        var cuts: [Int32: MemberConnections.Cut] = [:]
        while let m = try? routerMonitor.tryReceive(maxFrames: 2) {
            guard let e = MonitorEvent(frames: m.frames), let fd = Int32(exactly: e.value) else { continue }
            switch e.event {
            case .accepted:
                cuts[fd] = nil
                if let c = connections.accepted(fd, from: peerAddress(fd)) { cuts[c.fd] = c }
            case .disconnected, .closed:
                cuts[fd] = nil
                connections.closed(fd)
            default:
                break
            }
        }
        for c in cuts.values {
            cut(c)
            shared.count { $0.connectionsCut += 1 }
            limited.warning("silent connection cut", "cut the oldest connection that has sent nothing: more than "
                            + "\(limits.maxSilentConnections) such connections")
        }
    }

    private func drainMonitor(_ link: Link) {
        while let m = try? link.monitor.tryReceive(maxFrames: 2) {
            guard let e = MonitorEvent(frames: m.frames) else { continue }
            let key = link.neighbour.key
            switch e.event {
            case .handshakeSucceeded:
                shared.setLinked(key, true)
                _ = try? link.dealer.trySend([GossipMessage.getStatus(requestID: Self.helloRequestID).encoded])  // not gossip: not counted
            case .disconnected:
                shared.setLinked(key, false)
            case .handshakeFailedAuth:
                shared.count { $0.refusedByRemote += 1 }
                limited.warning("refused by \(link.neighbour.endpoint)", "\(link.neighbour.endpoint) refused us (ZAP \(e.value))")
                link.redialAt = ContinuousClock.now + limits.reconnectIntervalMax
            case .handshakeFailedProtocol, .handshakeFailedNoDetail:
                shared.count { $0.handshakeFailures += 1 }
                limited.warning("handshake with \(link.neighbour.endpoint)", "handshake with \(link.neighbour.endpoint) failed (\(e.value))")
                link.redialAt = ContinuousClock.now + limits.reconnectIntervalMax
            default:
                break
            }
        }
    }
}
