import Foundation
import Testing
import V2GLedger
@testable import V2GTransport

/// Connections that never send (a member's authenticated sockets, or TCP connections that never start their
/// handshake) are bounded by `maxSilentConnections`; a neighbour's link says hello and is never among them.
@Suite("Silent connections", .serialized)
struct SilentConnectionsTests {
    @Test func connectionsThatNeverSendAreCutOldestFirstAndANeighboursLinkStays() throws {
        let a = try SigningKey(), honest = try SigningKey(), member = try SigningKey()
        let members = [a.publicKey, honest.publicKey, member.publicKey]
        var limits = Fixtures.fastLimits
        limits.maxSilentConnections = 8
        let inbox = Inbox()
        let pa = try startPeer(a, members: members, inbox: inbox, limits: limits)
        defer { pa.stop() }
        let ph = try startPeer(honest, members: members, neighbours: [Neighbour(endpoint: pa.endpoint, key: pa.publicKey)])
        defer { ph.stop() }
        #expect(ph.waitForLinks(to: [pa.publicKey], timeout: .seconds(10)))
        #expect(eventually { pa.counters.hellos == 1 })   // the link's hello, answered

        // 20 authenticated sockets of a member and 20 bare TCP connections, none of which ever sends.
        let context = try ZMQContext()
        var sockets: [ZMQSocket] = []
        for _ in 0..<20 { sockets.append(try rawClient(member, to: pa, context: context)) }
        var bare = try (0..<20).map { _ in try BareConnection(to: pa.endpoint) }
        #expect(eventually { pa.counters.connectionsCut >= 40 - limits.maxSilentConnections },
                "\(pa.counters.connectionsCut) connections cut")

        // The neighbour's link was never cut: it did not have to dial (and say hello) again, and its gossip
        // goes straight through.
        let tx = Fixtures.transaction(honest)
        ph.gossip(tx)
        #expect(eventually { inbox.messages == [.transaction(tx)] })
        #expect(pa.counters.hellos == 1)
        #expect(ph.counters.sendsDropped == 0)
        sockets.removeAll()
        bare.removeAll()
    }

    /// Found by review: with the oldest silent connection cut first, a flood of bare TCP connections from one
    /// address cut a neighbour's handshake in progress, again and again, so its link never came up (seen with
    /// 80 ms between them; on loopback a handshake is too quick to lose, so `MemberConnectionsTests` pins the
    /// choice itself). Here: a neighbour links through the flood and its gossip arrives. (Whether it had to
    /// dial twice is not asserted: on two busy cores a handshake can also lose to its own 5 s interval.)
    @Test func aFloodFromOneAddressDoesNotKeepANeighbourFromLinking() throws {
        let a = try SigningKey(), honest = try SigningKey()
        var limits = Fixtures.fastLimits
        limits.maxSilentConnections = 2
        let inbox = Inbox()
        let pa = try startPeer(a, members: [a.publicKey, honest.publicKey], inbox: inbox, limits: limits)
        defer { pa.stop() }
        let flooding = Flag()
        let flood = Thread {
            var open: [BareConnection] = []
            while !flooding.isSet {
                if let c = try? BareConnection(to: pa.endpoint, from: "127.0.0.2") { open.append(c) }
                if open.count > 32 { open.removeFirst(16) }
            }
        }
        flood.start()
        defer { flooding.set() }
        #expect(eventually { pa.counters.connectionsCut >= 50 })   // the flood is on
        let ph = try startPeer(honest, members: [a.publicKey, honest.publicKey],
                               neighbours: [Neighbour(endpoint: pa.endpoint, key: pa.publicKey)])
        defer { ph.stop() }
        #expect(ph.waitForLinks(to: [pa.publicKey], timeout: .seconds(10)))
        #expect(eventually { pa.counters.hellos >= 1 })
        // Gossip gets through (a new transaction each try: one sent while the link was being redialled is lost).
        var nonce: UInt64 = 0
        #expect(eventually {
            nonce += 1
            ph.gossip(Fixtures.transaction(honest, nonce: nonce))
            Thread.sleep(forTimeInterval: 0.05)
            return inbox.count > 0
        })
    }
}

/// A flag set by one thread and read by another.
private final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}
