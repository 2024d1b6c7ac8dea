import Foundation
import Testing
import V2GLedger
import V2GTransport

/// The peer's memory guard (`NetworkLimits.maxResidentBytes`): past the limit every connection of the ROUTER is
/// cut (with them whatever libzmq buffered for them) and the honest neighbour's link dials again and gossips on.
/// Memory that stays past the limit with every connection cut is not the network's: the guard says so once and
/// cuts nothing more until memory has fallen below the limit.
///
/// The memory here is the test's own (an allocation of 256 MiB): what a member would make libzmq hold with one
/// endless multipart message needs a ZMTP client of its own (stock libzmq holds an unfinished message at the
/// sender), and would be released by the same cut.
@Suite("The memory guard", .serialized)
struct MemoryGuardTests {
    @Test func pastTheLimitEveryConnectionIsCutOnceAndTheNeighbourGossipsOn() throws {
        let guarded = try SigningKey(), honest = try SigningKey(), member = try SigningKey()
        let members = [guarded.publicKey, honest.publicKey, member.publicKey]
        ProcessMemory.releaseFreed()
        let before = try #require(ProcessMemory.residentBytes())
        var limits = Fixtures.fastLimits
        limits.maxResidentBytes = before + (128 << 20)
        let received = Collected()
        let peer = try Peer(key: guarded, configuration: PeerConfiguration(members: members, limits: limits),
                            handlers: PeerHandlers(gossip: { received.append($0.message) }, request: { r in
                                if case .getStatus(let id) = r.message { return .status(requestID: id, []) }
                                return nil
                            }))
        peer.start()
        defer { peer.stop() }
        let neighbour = try startPeer(honest, members: members, neighbours: [Neighbour(endpoint: peer.endpoint, key: peer.publicKey)])
        defer { neighbour.stop() }
        #expect(neighbour.waitForLinks(to: [peer.publicKey], timeout: .seconds(10)))
        #expect(eventually { peer.counters.hellos == 1 })
        let silent = try RawLink(key: member, to: peer.endpoint, of: peer.publicKey)
        _ = silent
        Thread.sleep(forTimeInterval: 0.3)
        #expect(peer.counters.memoryGuardTrips == 0)

        // Past the limit: one trip, both connections cut.
        var ballast: [UInt8]? = [UInt8](repeating: 0x5A, count: 256 << 20)
        #expect(eventually { peer.counters.memoryGuardTrips == 1 })
        #expect(peer.counters.connectionsCut >= 2, "\(peer.counters.connectionsCut) cut")

        // The neighbour's link dialled again and said hello; its gossip arrives.
        #expect(eventually { peer.counters.hellos >= 2 })
        #expect(neighbour.waitForLinks(to: [peer.publicKey], timeout: .seconds(10)))
        let tx = Transaction(channel: .boe, kind: .requestList, author: honest, nonce: 1, timestamp: 1_700_000_000,
                             payload: [1, 2, 3])
        neighbour.gossip(tx)
        #expect(eventually { received.all.contains(.transaction(tx)) })

        // The memory is not the network's: no second trip while it stays.
        Thread.sleep(forTimeInterval: 1.5)
        #expect(peer.counters.memoryGuardTrips == 1)
        #expect(ballast?.count == 256 << 20)

        // Once it has fallen below the limit, the guard is back.
        ballast = nil
        ProcessMemory.releaseFreed()
        Thread.sleep(forTimeInterval: 1)
        ballast = [UInt8](repeating: 0xA5, count: 256 << 20)
        #expect(eventually { peer.counters.memoryGuardTrips == 2 })
        #expect(ballast?.count == 256 << 20)
        ballast = nil
    }
}

/// Messages collected from a peer's thread.
private final class Collected: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [GossipMessage] = []
    func append(_ m: GossipMessage) { lock.withLock { items.append(m) } }
    var all: [GossipMessage] { lock.withLock { items } }
}
