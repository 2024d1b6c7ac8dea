import Foundation
import Testing
import V2GKit
import V2GLedger
@testable import V2GNode
import V2GTransport

@Suite("The orderer's pool")
struct PoolTests {
    /// A full pool refuses with its own reason, not as a store error, and admits again once sealed.
    @Test func aFullPoolSaysSo() throws {
        let campus = try CampusNetwork(exchanges: ["E1"], evs: ["EV1", "EV2", "EV3"], endorsers: 2, endorsementsRequired: 2)
        let genesis = try campus.start()
        let node = try LedgerNode(key: campus.orderer, configuration: LedgerNodeConfiguration(
            peer: PeerConfiguration(members: [campus.orderer.publicKey]), maxPool: 2))
        defer { node.stop() }
        for b in genesis { #expect(node.core.chain.receive(b, from: nil, source: .gossip) == .committed) }
        let offers = ["EV1", "EV2", "EV3"].map { ev in
            campus.transaction(.boev, .offer, author: campus.evs[ev]!, payload: OfferPayload(ev: ev, round: 1, energyWh: 1000).encoded)
        }
        #expect(node.offerToPool(offers[0]) == nil)
        #expect(node.offerToPool(offers[1]) == nil)
        #expect(node.offerToPool(offers[2]) == .full(capacity: 2))
        #expect(node.offerToPool(offers[0])?.reason == "replay")
        #expect(node.counters.poolRefusals == ["pool_full": 1, "replay": 1])
        _ = try node.seal(.boev, node.pooled(.boev), orderer: campus.orderer)
        #expect(node.offerToPool(offers[2]) == nil)
        #expect(node.pooled(.boev) == [offers[2]])
        // A committed transaction offered again is a replay, found without touching the pool.
        #expect(node.offerToPool(offers[0])?.reason == "replay")
    }

    /// A round's inputs go into blocks of at most `maxBytes` (found with `v2g bench gateway`: one block of 10,000
    /// offers was 4 MB that every node held whole, and the orderer encrypted once per neighbour at once).
    @Test func inputsAreSealedInBlocksUnderTheSizeBound() throws {
        let evs = (10...19).map { "EV\($0)" }   // names of one length: offers of one size
        let campus = try CampusNetwork(exchanges: ["E1"], evs: evs, endorsers: 2, endorsementsRequired: 2)
        let genesis = try campus.start()
        let node = try LedgerNode(key: campus.orderer, configuration: LedgerNodeConfiguration(
            peer: PeerConfiguration(members: [campus.orderer.publicKey])))
        defer { node.stop() }
        for b in genesis { #expect(node.core.chain.receive(b, from: nil, source: .gossip) == .committed) }
        let offers = evs.map { ev in
            campus.transaction(.boev, .offer, author: campus.evs[ev]!, payload: OfferPayload(ev: ev, round: 1, energyWh: 1000).encoded)
        }
        let size = offers[0].encoded.count
        #expect(offers.allSatisfy { $0.encoded.count == size })
        // Three offers fit under the bound, a fourth would not: 3 + 3 + 3 + 1.
        let (blocks, dropped) = try node.sealInBlocks(.boev, offers, orderer: campus.orderer, maxBytes: 3 * size + size / 2)
        #expect(dropped.isEmpty)
        #expect(blocks.map(\.transactions.count) == [3, 3, 3, 1])
        #expect(blocks.flatMap(\.transactions) == offers)
        #expect(blocks.map(\.height) == [1, 2, 3, 4])
        #expect(node.heads[.boev]?.height == 4)
        // Nothing to seal: one empty block, as a round with no offers always had.
        let (empty, _) = try node.sealInBlocks(.boev, [], orderer: campus.orderer)
        #expect(empty.map(\.transactions.count) == [0])
    }
}
