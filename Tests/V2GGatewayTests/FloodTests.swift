import Foundation
import Testing
import V2GGateway
import V2GKit
import V2GLedger
import V2GNode
import V2GTransport

/// One member's flood of inputs cannot stop a campus (docs/network.md, "Admission").
@Suite("A member's flood", .serialized)
struct FloodTests {
    @Test func farFutureAndOverShareInputsLeaveEveryHonestInputCollected() throws {
        let campus = try NetworkedCampus(endorsers: 2, required: 2)
        defer { campus.stop() }
        #expect(try campus.open())
        let e3 = campus.exchangeKeys["E3"]!
        let e3Node = campus.exchanges["E3"]!.node
        let cs = campus.cs.node
        func list(round: UInt64, nonce: UInt64) -> Transaction {
            Transaction(channel: .boe, kind: .requestList, author: e3, nonce: nonce, timestamp: 1_700_000_000,
                        payload: RequestListPayload(exchange: "E3", round: round, requests: NetworkedCampus.requests(1)["E3"]!).encoded)
        }

        // Far-future lists: the endorsers refuse to endorse them...
        for i in 0..<10 {
            let got = try e3Node.peer.requestEndorsements(list(round: 1000 + UInt64(i), nonce: 10 + UInt64(i)),
                                                          from: campus.roster.endorsers, required: 2, timeout: .milliseconds(200))
            #expect(got.isEmpty)
        }
        #expect(campus.endorsers.allSatisfy { $0.refused["outOfWindow"] == 10 && $0.given == 0 })
        // ...and endorsed by compromised endorsers anyway, the control system's pool refuses them.
        func endorsed(_ tx: Transaction) -> Transaction {
            var t = tx
            for k in campus.endorserKeys { t.endorse(by: k) }
            return t
        }
        for i in 0..<500 { e3Node.peer.gossip(endorsed(list(round: 2000 + UInt64(i), nonce: 100 + UInt64(i)))) }
        // Inside the window but far more than its share: E3 crowds out only its own older lists.
        for i in 0..<500 { e3Node.peer.gossip(endorsed(list(round: 2, nonce: 1000 + UInt64(i)))) }
        // Each is refused (out of the window), pooled within E3's share (evicting its own older ones), or not even
        // queued: E3 may have only so many transactions waiting for the control system's admission.
        #expect(eventually(.seconds(20)) {
            let c = cs.counters
            return c.poolRefusals["outOfWindow", default: 0] + c.transactionsPooled + c.queueDropped == 1000
        })
        let c = cs.counters
        print("1,000 flood transactions at the control system: \(c.poolRefusals["outOfWindow", default: 0]) out of the window, "
              + "\(c.transactionsPooled) pooled (\(c.poolEvicted) evicted by E3's own), \(c.queueDropped) not queued")
        #expect(c.poolRefusals["outOfWindow", default: 0] > 0 && c.transactionsPooled >= 8)
        #expect(cs.pooled(.boe).count == 8)               // E3's share
        #expect(c.poolEvicted == c.transactionsPooled - 8)

        // The round collects every honest input, E3's own round-1 list among them.
        let report = try campus.runRound(1)
        #expect(report.missingExchanges.isEmpty && report.missingEVs.isEmpty)
        #expect(report.exchanges == NetworkedCampus.exchangeNames && report.evs == campus.evNames)
        // E3's honest round-1 list took one of its own slots and was sealed: 7 of its round-2 lists are left.
        #expect(cs.pooled(.boe).count == 7 && cs.pooled(.boe).allSatisfy { $0.author == e3.publicKey })
        // And the next round too: the leftovers are E3's round-2 lists, one of which it may use; the others go.
        let next = try campus.runRound(2)
        #expect(next.missingExchanges.isEmpty && next.missingEVs.isEmpty)
        #expect(cs.pooled(.boe).isEmpty && cs.pooled(.boev).isEmpty)
    }

    /// While one member (E3's key) floods the control system with forged endorsements, messages of many large
    /// frames and unread block requests on many connections, every round still collects every honest input.
    @Test func forgeriesManyFramesAndManyConnectionsLeaveEveryHonestInputCollected() throws {
        let campus = try NetworkedCampus(endorsers: 2, required: 2)
        defer { campus.stop() }
        #expect(try campus.open())
        let e3 = campus.exchangeKeys["E3"]!
        let cs = campus.cs.node
        let stop = Stopper()
        let attacker = Thread {
            var links: [RawLink] = []
            var i: UInt64 = 0
            let mebibyte = [UInt8](repeating: 0xAB, count: 1 << 20)
            while !stop.isSet {
                do {
                    if links.count < 12 { links.append(try RawLink(key: e3, to: cs.endpoint, of: cs.publicKey)) }
                    let link = links[Int(i % UInt64(links.count))]
                    let forged = GossipMessage.endorsement(
                        txID: try Digest(bytes: [UInt8](repeating: UInt8(truncatingIfNeeded: i), count: 32)),
                        Endorsement(endorser: e3.publicKey, signature: try Signature(bytes: [UInt8](repeating: 7, count: 64))))
                    _ = try link.trySend(forged.encoded)
                    _ = try link.trySend(GossipMessage.getBlocks(requestID: i, channel: .boe, fromHeight: 0, maxCount: 64).encoded)
                    if i % 50 == 0 { _ = try link.send(frames: Array(repeating: mebibyte, count: 4), timeout: .milliseconds(100)) }
                } catch {}
                i += 1
                if i % 100 == 0 { Thread.sleep(forTimeInterval: 0.001) }
            }
        }
        attacker.start()
        defer { stop.set() }
        var e3Missed = 0
        for round in UInt64(1)...3 {
            let report = try campus.runRound(round)
            // E3's key is the attacker's: its own inputs may suffer (its connections are the ones cut); no one else's.
            #expect(report.missingExchanges.allSatisfy { $0 == "E3" } && report.missingEVs.isEmpty,
                    "round \(round): missing \(report.missingExchanges) \(report.missingEVs)")
            #expect(report.exchanges.filter { $0 != "E3" } == NetworkedCampus.exchangeNames.filter { $0 != "E3" })
            #expect(report.evs == campus.evNames)
            if !report.missingExchanges.isEmpty { e3Missed += 1 }
        }
        stop.set()
        let network = cs.peer.counters
        print("3 rounds under forged endorsements, 4 MiB multipart messages and 12 connections of unread requests: "
              + "every other member's input collected (the attacker's own E3 missed \(e3Missed)); dropped \(network.dropped), \(network.connectionsCut) connections cut, "
              + "\(cs.counters.queueDropped) requests not queued")
        #expect(network.dropped(.unexpected) > 0 && network.dropped(.badEnvelope) > 0 && network.connectionsCut > 0)
    }
}

/// A flag one thread sets and another polls.
final class Stopper: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}
