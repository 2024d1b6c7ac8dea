import Foundation
import Testing
import V2GLedger
@testable import V2GTransport

@Suite("Endorsement frames")
struct EndorsementFrameTests {
    @Test func roundTripAndLimits() throws {
        let author = try SigningKey(), endorser = try SigningKey()
        let tx = Fixtures.transaction(author)
        let e = Endorsement(of: tx.id, by: endorser)
        #expect(e.endorser == endorser.publicKey && endorser.publicKey.verifies(e.signature, of: tx.id.bytes))
        for m in [GossipMessage.endorse(tx), .endorsement(txID: tx.id, e)] {
            #expect(try GossipMessage(decoding: m.encoded) == m)
            #expect(m.gossipID == nil)
        }
        var small = NetworkLimits()
        small.maxEndorsementFrame = 100
        small.maxEndorseFrame = 50
        for m in [GossipMessage.endorse(tx), .endorsement(txID: tx.id, e)] {
            #expect(throws: FrameError.self) { try GossipMessage(decoding: m.encoded, limits: small) }
            #expect((try? GossipMessage.kind(of: m.encoded, limits: small)) == nil)
        }
        #expect(throws: FrameError.self) { try GossipMessage(decoding: Array(GossipMessage.endorsement(txID: tx.id, e).encoded.dropLast())) }
    }

    @Test func anUnaskedEndorsementIsDroppedAsUnexpected() throws {
        let a = try SigningKey(), b = try SigningKey()
        let members = [a.publicKey, b.publicKey]
        // b endorses everything; a asks it for one transaction, and b's ROUTER gets an endorsement it never asked for.
        let server = try Peer(key: b, configuration: PeerConfiguration(members: members, limits: Fixtures.fastLimits),
                              handlers: PeerHandlers(request: { r in
                                  guard case .endorse(let tx) = r.message else { return nil }
                                  return .endorsement(txID: tx.id, Endorsement(of: tx.id, by: b))
                              }))
        server.start()
        defer { server.stop() }
        let client = try startPeer(a, members: members, neighbours: [Neighbour(endpoint: server.endpoint, key: b.publicKey)])
        defer { client.stop() }
        #expect(client.waitForLinks(to: [b.publicKey], timeout: .seconds(10)))
        let tx = Fixtures.transaction(a)
        let got = try client.requestEndorsements(tx, from: [b.publicKey], required: 1, timeout: .seconds(5))
        #expect(got.map(\.endorser) == [b.publicKey])

        let context = try ZMQContext()
        let raw = try rawClient(a, to: server, context: context)
        _ = try raw.send([GossipMessage.endorsement(txID: tx.id, got[0]).encoded], timeout: .seconds(5))
        #expect(eventually { server.counters.dropped(.unexpected) == 1 })
    }
}
