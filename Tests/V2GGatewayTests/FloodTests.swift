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
}
