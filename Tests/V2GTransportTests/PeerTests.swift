import Foundation
import Testing
import V2GLedger
@testable import V2GTransport

/// Peers on loopback with system-chosen ports; each wait is bounded. Serialized: the timings assume the
/// two cores are not shared with another network test.
@Suite("Peers over CurveZMQ", .serialized)
struct PeerTests {
    @Test func membersGossipAndAnIntruderIsRefused() throws {
        let a = try SigningKey(), b = try SigningKey(), x = try SigningKey()
        let members = [a.publicKey, b.publicKey]
        let inboxA = Inbox(), inboxB = Inbox(), inboxX = Inbox()
        let pa = try startPeer(a, members: members, inbox: inboxA)
        defer { pa.stop() }
        let pb = try startPeer(b, members: members, neighbours: [Neighbour(endpoint: pa.endpoint, key: a.publicKey)], inbox: inboxB)
        defer { pb.stop() }
        pa.connect(to: Neighbour(endpoint: pb.endpoint, key: b.publicKey))
        #expect(pa.waitForLinks(to: [b.publicKey], timeout: .seconds(10)))
        #expect(pb.waitForLinks(to: [a.publicKey], timeout: .seconds(10)))

        let tx = Fixtures.transaction(a)
        pa.gossip(tx)
        #expect(eventually { inboxB.count == 1 })
        #expect(inboxB.messages == [.transaction(tx)])
        #expect(inboxB.all.first?.sender == a.publicKey)   // from the ZAP user id of A's connection

        let block = Block(channel: .boe, height: 0, previous: .zero, timestamp: 5, orderer: b, transactions: [tx])
        pb.gossip(block)
        #expect(eventually { inboxA.count == 1 })
        #expect(inboxA.messages == [.block(block)])         // and not its own transaction back

        let receivedByA = pa.counters.received            // B's block
        // An intruder: a peer whose key is not a member, and a raw socket that queues frames before its
        // handshake (ZMQ_IMMEDIATE off) so they would go out the moment a handshake succeeded.
        let px = try startPeer(x, members: members + [x.publicKey],
                               neighbours: [Neighbour(endpoint: pa.endpoint, key: a.publicKey),
                                            Neighbour(endpoint: pb.endpoint, key: b.publicKey)], inbox: inboxX)
        defer { px.stop() }
        let context = try ZMQContext()
        let raw = try rawClient(x, to: pa, context: context)
        let intruderTx = Fixtures.transaction(x, nonce: 99)
        for _ in 0..<10 { _ = try raw.trySend([GossipMessage.transaction(intruderTx).encoded]) }
        px.gossip(intruderTx)
        #expect(eventually { pa.counters.refusedConnections >= 2 && pb.counters.refusedConnections >= 1 })
        #expect(eventually { px.counters.refusedByRemote >= 2 })
        #expect(!px.waitForLinks(to: [a.publicKey], timeout: .milliseconds(500)))
        px.gossip(Fixtures.transaction(x, nonce: 100))
        Thread.sleep(forTimeInterval: 0.3)
        #expect(inboxA.count == 1 && inboxB.count == 1)
        #expect(pa.counters.received == receivedByA)        // nothing of the intruder reached A's loop
        #expect(px.counters.sent == 0 && px.counters.sendsDropped >= 4)

        // Members are updatable at run time: once admitted, the intruder's retries get through.
        try pa.setMembers(members + [x.publicKey])
        #expect(px.waitForLinks(to: [a.publicKey], timeout: .seconds(10)))
        px.gossip(Fixtures.transaction(x, nonce: 101))
        #expect(eventually { inboxA.messages.contains(.transaction(Fixtures.transaction(x, nonce: 101))) })
    }

    @Test func blocksRequestedByHeightComeBackIdentical() throws {
        let a = try SigningKey(), b = try SigningKey()
        let members = [a.publicKey, b.publicKey]
        let chain = Fixtures.chain(a, count: 6)
        let pa = try startPeer(a, members: members, blocks: { channel, from, n in
            guard channel == .boe, from < UInt64(chain.count) else { return [] }
            return Array(chain[Int(from)..<min(chain.count, Int(from) + n)])
        }, status: { [ChannelHead(channel: .boe, height: UInt64(chain.count - 1), head: chain.last!.hash)] })
        defer { pa.stop() }
        let pb = try startPeer(b, members: members, neighbours: [Neighbour(endpoint: pa.endpoint, key: a.publicKey)])
        defer { pb.stop() }
        #expect(pb.waitForLinks(to: [a.publicKey], timeout: .seconds(10)))

        let got = try pb.requestBlocks(.boe, from: 2, count: 2, neighbour: a.publicKey, timeout: .seconds(5))
        #expect(got == Array(chain[2...3]))
        #expect(got.map(\.hash) == chain[2...3].map(\.hash))
        #expect(try pb.requestBlocks(.boe, from: 4, count: 100, timeout: .seconds(5)) == Array(chain[4...]))
        #expect(try pb.requestBlocks(.boe, from: 6, count: 3, timeout: .seconds(5)).isEmpty)
        #expect(try pb.requestBlocks(.boev, from: 0, count: 3, timeout: .seconds(5)).isEmpty)
        #expect(try pb.requestStatus(timeout: .seconds(5)) == [ChannelHead(channel: .boe, height: 5, head: chain[5].hash)])
        #expect(pa.counters.requestsServed == 5)

        // Asking a neighbour we have no link to fails at once; asking a stopped one fails, bounded.
        #expect(throws: TransportError.self) { try pb.requestBlocks(.boe, from: 0, count: 1, neighbour: b.publicKey) }
        pa.stop()
        #expect(eventually { pb.connectedNeighbours.isEmpty })
        let start = ContinuousClock.now
        #expect(throws: TransportError.self) { try pb.requestBlocks(.boe, from: 0, count: 1, neighbour: a.publicKey, timeout: .seconds(1)) }
        #expect(ContinuousClock.now - start < .seconds(2))
    }

    @Test func badFramesAreDroppedAndCountedByReason() throws {
        let a = try SigningKey(), m = try SigningKey()
        var limits = Fixtures.fastLimits
        limits.maxMessageSize = 1 << 20                // ZMQ_MAXMSGSIZE: 1 MiB
        limits.maxTransactionFrame = 256 << 10         // below it, so the application sees an oversize frame
        let inbox = Inbox(), log = LogLines()
        let pa = try startPeer(a, members: [a.publicKey, m.publicKey], inbox: inbox, limits: limits, log: log)
        defer { pa.stop() }
        let context = try ZMQContext()
        let member = try rawClient(m, to: pa, context: context)
        let tag = Array("V2GMSG01".utf8)
        let tx = GossipMessage.transaction(Fixtures.transaction(m)).encoded
        let sends: [[[UInt8]]] = [
            [(0..<100).map { UInt8(truncatingIfNeeded: $0 &* 37) }],                      // garbage: malformed
            [tag + [1] + [UInt8](repeating: 0xEE, count: 300 << 10)],                       // over 256 KiB: oversize
            [tag + [77, 1, 2, 3]],                                                          // unknownType
            [Array(tx.dropLast())],                                                         // truncated: malformed
            [tx, tx],                                                                       // two frames: badEnvelope
            [GossipMessage.blocks(requestID: 1, channel: .boe, []).encoded],               // a reply as request: unexpected
        ]
        for frames in sends { #expect(try member.send(frames, timeout: .seconds(5))) }
        #expect(eventually { pa.counters.totalDropped == 6 })
        let c = pa.counters
        #expect(c.dropped(.malformed) == 2 && c.dropped(.oversize) == 1 && c.dropped(.unknownType) == 1)
        #expect(c.dropped(.badEnvelope) == 1 && c.dropped(.unexpected) == 1)
        #expect(c.received == 6 && c.delivered == 0)
        #expect(log.all.count == 6 && log.all.allSatisfy { $0.hasPrefix("dropped (") })

        // Over ZMQ_MAXMSGSIZE, libzmq drops the connection before the application sees anything.
        _ = try member.trySend([tag + [2] + [UInt8](repeating: 0, count: 2 << 20)])
        Thread.sleep(forTimeInterval: 0.2)
        #expect(pa.counters.received == 6)

        // The peer keeps working: a valid transaction from the (reconnected) member is delivered once.
        #expect(eventually {
            _ = try? member.trySend([tx])
            return inbox.count == 1 || { Thread.sleep(forTimeInterval: 0.1); return inbox.count == 1 }()
        })
        #expect(inbox.messages == [.transaction(Fixtures.transaction(m))] && inbox.all[0].sender == m.publicKey)
        #expect(pa.counters.totalDropped == 6)
    }

    @Test func aDeadOrStalledNeighbourDoesNotHoldUpALiveOne() throws {
        let a = try SigningKey(), b = try SigningKey(), c = try SigningKey(), s = try SigningKey()
        let members = [a.publicKey, b.publicKey, c.publicKey, s.publicKey]
        let inboxB = Inbox()
        let pb = try startPeer(b, members: members, inbox: inboxB)
        defer { pb.stop() }
        let pc = try startPeer(c, members: members)
        // A stalled neighbour: a CurveZMQ server (in a context with no ZAP handler) that never reads.
        let stalledContext = try ZMQContext()
        let stalled = try ZMQSocket(stalledContext, .router)
        try stalled.set(.receiveHighWaterMark, Int32(10))
        try stalled.makeCurveServer(secretKey: try CurveIdentity(s).secretKey, zapDomain: "v2g")
        try stalled.bind("tcp://127.0.0.1:*")

        var limits = Fixtures.fastLimits
        limits.sendHighWaterMark = 100
        let pa = try startPeer(a, members: members, neighbours: [
            Neighbour(endpoint: try stalled.lastEndpoint(), key: s.publicKey),
            Neighbour(endpoint: pc.endpoint, key: c.publicKey),
            Neighbour(endpoint: pb.endpoint, key: b.publicKey),
        ], limits: limits)
        defer { pa.stop() }
        #expect(pa.waitForLinks(to: [b.publicKey, c.publicKey, s.publicKey], timeout: .seconds(10)))
        pc.stop()                                            // C dies
        #expect(eventually { !pa.connectedNeighbours.contains(c.publicKey) })

        let n = 300
        let start = ContinuousClock.now
        for i in 0..<n {
            pa.gossip(Fixtures.transaction(a, nonce: UInt64(i)))
            if i % 50 == 49 { Thread.sleep(forTimeInterval: 0.005) }   // a burst no larger than B's queues
        }
        #expect(eventually(.seconds(5)) { inboxB.count == n })
        let elapsed = ContinuousClock.now - start
        #expect(elapsed < .seconds(3), "300 gossip sends took \(elapsed)")
        let counters = pa.counters
        #expect(counters.sendsDropped >= n)                 // every send to C, plus whatever S had no room for
        #expect(counters.sent + counters.sendsDropped == 3 * n)
    }

    @Test func duplicateGossipIsDeliveredOnce() throws {
        let a = try SigningKey(), b = try SigningKey(), c = try SigningKey(), m = try SigningKey()
        let members = [a.publicKey, b.publicKey, c.publicKey, m.publicKey]
        let inboxA = Inbox(), inboxB = Inbox(), inboxC = Inbox()
        let pa = try startPeer(a, members: members, inbox: inboxA)
        defer { pa.stop() }
        let pb = try startPeer(b, members: members, inbox: inboxB)
        defer { pb.stop() }
        let pc = try startPeer(c, members: members, inbox: inboxC)
        defer { pc.stop() }
        // A full triangle: every gossip reaches each peer directly, and is relayed on by each that delivers it.
        for (p, others) in [(pa, [pb, pc]), (pb, [pa, pc]), (pc, [pa, pb])] {
            for o in others { p.connect(to: Neighbour(endpoint: o.endpoint, key: o.publicKey)) }
        }
        for (p, others) in [(pa, [pb, pc]), (pb, [pa, pc]), (pc, [pa, pb])] {
            #expect(p.waitForLinks(to: Set(others.map(\.publicKey)), timeout: .seconds(10)))
        }
        let tx = Fixtures.transaction(a)
        for _ in 0..<3 { pa.gossip(tx) }                     // the application repeats itself
        let context = try ZMQContext()
        let raw = try rawClient(m, to: pb, context: context)
        for _ in 0..<3 { #expect(try raw.send([GossipMessage.transaction(tx).encoded], timeout: .seconds(5))) }

        // Copies that arrive: A's push to B and to C, the three raw ones, C's relay (one), B's relay (one, or two if
        // B heard the raw copy first). B and C deliver one each; every other copy is a duplicate somewhere. Which
        // peer sees a relayed one depends on who heard first (C's relay can reach B before A's push), so the
        // count is over all three; at least two of the raw copies are B's.
        let duplicates = { pa.counters.duplicates + pb.counters.duplicates + pc.counters.duplicates }
        #expect(eventually { duplicates() >= 5 && pb.counters.duplicates >= 2 },
                "a: \(pa.counters), b: \(pb.counters), c: \(pc.counters)")
        Thread.sleep(forTimeInterval: 0.3)
        #expect(inboxB.messages == [.transaction(tx)])
        #expect(inboxC.messages == [.transaction(tx)])
        #expect(inboxA.count == 0)                           // relayed back to its origin, and recognised
        #expect(pa.counters.sent == 2)                       // pushed once to each neighbour, not three times
    }
}
