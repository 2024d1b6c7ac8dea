import Testing
import V2GLedger
@testable import V2GTransport

@Suite("Gossip frames")
struct GossipMessageTests {
    let key = try! SigningKey(seed: [UInt8](repeating: 7, count: 32))

    @Test func everyKindRoundTrips() throws {
        let chain = Fixtures.chain(key, count: 3)
        let heads = [ChannelHead(channel: .boe, height: 2, head: chain[2].hash),
                     ChannelHead(channel: .bocs, height: 0, head: .zero)]
        let messages: [GossipMessage] = [
            .transaction(Fixtures.transaction(key)),
            .block(chain[1]),
            .getBlocks(requestID: 9, channel: .boev, fromHeight: 12, maxCount: 5),
            .blocks(requestID: 9, channel: .boe, chain),
            .blocks(requestID: 10, channel: .boe, []),
            .getStatus(requestID: 3),
            .status(requestID: 3, heads),
        ]
        for m in messages {
            let frame = m.encoded
            #expect(Array(frame.prefix(8)) == Array("V2GMSG01".utf8))
            #expect(frame[8] == m.kind.rawValue)
            #expect(try GossipMessage(decoding: frame) == m)
            #expect(GossipMessage.gossipID(ofFrame: frame) == m.gossipID)   // read from the bytes, undecoded
        }
        let announcement = GossipMessage.announcement(RoundAnnouncement(round: 4, deadline: 99, key: key))
        #expect(GossipMessage.gossipID(ofFrame: announcement.encoded) == announcement.gossipID)
        let frame = GossipMessage.block(chain[0]).encoded
        #expect(GossipMessage.gossipID(ofFrame: Array(frame.dropLast())) == nil)   // the length does not fit
        #expect(GossipMessage.gossipID(ofFrame: Array(frame.prefix(11))) == nil)
        // De-duplication covers the whole encoding: a copy with another signature is another message.
        #expect(GossipMessage.block(chain[0]).gossipID == Digest.of(chain[0].encoded))
        var resigned = chain[0]
        resigned.signature = try SigningKey().sign(resigned.hash.bytes)
        #expect(GossipMessage.block(resigned).gossipID != GossipMessage.block(chain[0]).gossipID)
        #expect(GossipMessage.getStatus(requestID: 1).gossipID == nil)
    }

    @Test func badFramesNameTheirReason() {
        let tx = GossipMessage.transaction(Fixtures.transaction(key)).encoded
        func reason(_ frame: [UInt8], _ limits: NetworkLimits = NetworkLimits()) -> DropReason? {
            do {
                _ = try GossipMessage(decoding: frame, limits: limits)
                return nil
            } catch {
                return error.reason
            }
        }
        #expect(reason([]) == .malformed)
        #expect(reason(Array("V2GMSG0".utf8)) == .malformed)
        #expect(reason(Array("NOTATAG!".utf8) + [1]) == .malformed)
        #expect(reason(Array("V2GMSG01".utf8) + [0]) == .unknownType)
        #expect(reason(Array("V2GMSG01".utf8) + [200, 1, 2]) == .unknownType)
        #expect(reason(Array(tx.dropLast())) == .malformed)
        #expect(reason(tx + [0]) == .malformed)
        var small = NetworkLimits()
        small.maxTransactionFrame = tx.count - 1
        #expect(reason(tx, small) == .oversize)
        // Status heads must be in increasing channel order (one canonical encoding).
        let heads = [ChannelHead(channel: .bocs, height: 0, head: .zero), ChannelHead(channel: .boe, height: 0, head: .zero)]
        #expect(reason(GossipMessage.status(requestID: 1, heads).encoded) == .malformed)
        // A blocks reply longer than a request may ask for.
        var few = NetworkLimits()
        few.maxBlocksPerRequest = 1
        #expect(reason(GossipMessage.blocks(requestID: 1, channel: .boe, Fixtures.chain(key, count: 2)).encoded, few) == .malformed)
    }

    @Test func randomBytesNeverCrashTheDecoder() {
        var rng = SystemRandomNumberGenerator()
        let valid = GossipMessage.block(Fixtures.chain(key, count: 1)[0]).encoded
        for i in 0..<2000 {
            var frame = i % 2 == 0 ? (0..<Int.random(in: 0..<300, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
                                   : valid
            if i % 2 == 1 {  // a valid frame with a few bytes flipped past the header
                for _ in 0..<3 { frame[Int.random(in: 9..<frame.count, using: &rng)] ^= UInt8.random(in: 1...255, using: &rng) }
            }
            _ = try? GossipMessage(decoding: frame)
        }
    }
}

@Suite("Bounded LRU set")
struct LRUSetTests {
    @Test func forgetsTheLeastRecentlySeen() {
        var set = LRUSet<Int>(capacity: 3)
        let fresh = [set.insert(1), set.insert(2), set.insert(3)]
        #expect(fresh == [true, true, true])
        let again = set.insert(1)        // seen; now the most recent
        #expect(!again)
        let four = set.insert(4)         // evicts 2, the least recent
        #expect(four)
        #expect(set.contains(1) && !set.contains(2) && set.contains(3) && set.contains(4))
        #expect(set.count == 3)
    }

    @Test func memoryStaysBoundedUnderRepeats() {
        var set = LRUSet<Int>(capacity: 100)
        for i in 0..<100_000 { set.insert(i % 150) }
        #expect(set.count == 100)
        for i in 0..<100_000 { set.insert(i % 7) }  // re-seen elements only
        #expect(set.count == 100)
    }
}
