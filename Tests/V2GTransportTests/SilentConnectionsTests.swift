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
}
