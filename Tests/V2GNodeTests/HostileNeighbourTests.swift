import Foundation
import Logging
import Testing
import V2GKit
import V2GLedger
@testable import V2GNode
import V2GTransport

/// What one hostile neighbour can send a node, found in review: none of it may crash the node or hold its lock.
@Suite("A hostile neighbour", .serialized)
struct HostileNeighbourTests {
    /// A neighbour's status claims height UInt64.max on a channel the node has no genesis for: the catch-up's
    /// batch size overflowed and trapped.
    @Test func aClaimedHeightOfUInt64MaxDoesNotCrashTheCatchUp() throws {
        let victimKey = try SigningKey(), rogueKey = try SigningKey()
        let members = [victimKey.publicKey, rogueKey.publicKey]
        let rogue = try Peer(key: rogueKey, configuration: PeerConfiguration(members: members, limits: Fixtures.fastLimits),
                             handlers: PeerHandlers(request: { r in
                                 guard case .getStatus(let id) = r.message else { return nil }
                                 return .status(requestID: id, [ChannelHead(channel: .bocs, height: .max, head: .zero)])
                             }))
        rogue.start()
        defer { rogue.stop() }
        let node = try startNode(victimKey, members: members)
        defer { node.stop() }
        node.connect(to: Neighbour(endpoint: rogue.endpoint, key: rogueKey.publicKey))
        #expect(eventually(.seconds(10)) { node.counters.catchUps > 2 })
        #expect(node.heads.isEmpty)
    }

    /// A member's block whose transaction carries 60,000 copies of a forged endorsement: refused on its
    /// structure before a single signature is verified, and without the ledger's lock.
    @Test func aJunkBlockIsRefusedWithoutWork() throws {
        let campus = try CampusNetwork(exchanges: ["E1"], evs: ["EV1"], endorsers: 2, endorsementsRequired: 2)
        let genesis = try campus.start()
        let node = try LedgerNode(key: campus.endorsers[0], configuration: LedgerNodeConfiguration(
            peer: PeerConfiguration(members: [campus.endorsers[0].publicKey])))
        defer { node.stop() }
        for b in genesis { #expect(node.core.chain.receive(b, from: nil, source: .gossip) == .committed) }
        var tx = campus.transaction(.boev, .offer, author: campus.evs["EV1"]!, payload: OfferPayload(ev: "EV1", round: 1, energyWh: 1).encoded)
        let forged = Endorsement(endorser: campus.endorsers[1].publicKey, signature: tx.signature)
        tx.endorsements = Array(repeating: forged, count: 60_000)
        let boev = genesis.first { $0.channel == .boev }!
        let junk = Block(channel: .boev, height: 1, previous: boev.hash, timestamp: 1, orderer: campus.orderer, transactions: [tx])
        let clock = ContinuousClock()
        let t0 = clock.now
        guard case .rejected(let error) = node.core.chain.receive(junk, from: campus.evs["EV1"]!.publicKey, source: .gossip) else {
            Issue.record("the junk block was not rejected")
            return
        }
        #expect(clock.now - t0 < .milliseconds(500))
        #expect(error.code == .endorsement)
        // Two forged endorsements, sorted and by the endorsers: refused for the signature, before the lock.
        tx.endorsements = campus.endorsers.map { Endorsement(endorser: $0.publicKey, signature: tx.signature) }
            .sorted { $0.endorser < $1.endorser }
        let forgedTwo = Block(channel: .boev, height: 1, previous: boev.hash, timestamp: 1, orderer: campus.orderer, transactions: [tx])
        guard case .rejected(let second) = node.core.chain.receive(forgedTwo, from: nil, source: .gossip) else {
            Issue.record("the forged block was not rejected")
            return
        }
        #expect(second.code == .badSignature)
        #expect(node.counters.rejections == ["endorsement": 1, "badSignature": 1])
    }
}
