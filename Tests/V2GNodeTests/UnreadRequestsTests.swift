import Foundation
import Testing
import V2GKit
import V2GLedger
@testable import V2GNode
import V2GTransport

/// A member that asks for blocks on many connections and never reads the replies costs the node a bounded
/// amount of memory (NetworkLimits: `maxOutstandingRequests`, `replyHighWaterMark`, `maxReplyFrame`).
@Suite("Unread block requests", .serialized)
struct UnreadRequestsTests {
    /// Whether this process runs the memory tests alone (`make swift-test` does, after the others): resident
    /// memory is the whole process's, so in a parallel run the tests beside these can push it past any bound.
    static var runAlone: Bool { ProcessInfo.processInfo.environment["V2G_MEMORY_TESTS_ALONE"] != nil }

    static func residentBytes() -> Int {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return (Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) * 1024
    }

    @Test func manyConnectionsOfUnreadRepliesStayBounded() throws {
        let evs = (1...100).map { "EV\($0)" }
        let campus = try CampusNetwork(exchanges: ["E1"], evs: evs, endorsers: 2, endorsementsRequired: 2)
        var blocks = try campus.start()
        // 20 BoEV blocks of 100 offers: about 40 KB each, 800 KB for a request of every block.
        var previous = blocks.first { $0.channel == .boev }!
        for h in 1...20 {
            let txs = evs.map { ev in
                campus.transaction(.boev, .offer, author: campus.evs[ev]!, payload:
                    OfferPayload(ev: ev, round: UInt64(h), energyWh: 1000).encoded)
            }
            previous = Block(channel: .boev, height: UInt64(h), previous: previous.hash, timestamp: campus.now(),
                             orderer: campus.orderer, transactions: txs)
            blocks.append(previous)
        }
        let attacker = campus.endorsers[1]
        let node = try LedgerNode(key: campus.endorsers[0], configuration: LedgerNodeConfiguration(
            peer: PeerConfiguration(members: [attacker.publicKey]), catchUpInterval: .seconds(60)))
        for b in blocks { #expect(node.core.chain.receive(b, from: nil, source: .gossip) == .committed) }
        node.start()
        defer { node.stop() }

        let before = Self.residentBytes()
        var links: [RawLink] = []
        for _ in 0..<10 { links.append(try RawLink(key: attacker, to: node.endpoint, of: node.publicKey)) }
        for link in links {
            for i in 0..<500 {
                _ = try link.send(GossipMessage.getBlocks(requestID: UInt64(i), channel: .boev, fromHeight: 0, maxCount: 64).encoded,
                                  timeout: .seconds(1))
            }
        }
        Thread.sleep(forTimeInterval: 2)
        let during = Self.residentBytes()
        let counters = node.counters, network = node.peer.counters
        print("10 connections × 500 unread requests of 800 KB: node RSS \(before >> 20) → \(during >> 20) MB; "
              + "\(counters.queueDropped) requests dropped, \(network.requestsServed) served, \(network.sendsDropped) replies dropped, "
              + "\(network.connectionsCut) connections cut")
        #expect(counters.queueDropped + network.sendsDropped > 4000)
        #expect(!Self.runAlone || during - before < 400 << 20)   // 5,000 replies of 800 KB would be 4 GB
        // Ten connections of one member: all but `maxConnectionsPerMember` were cut (they redial, and count again).
        #expect(network.connectionsCut >= 10 - NetworkLimits().maxConnectionsPerMember)
        links.removeAll()
        // The node goes on answering an honest neighbour.
        let probe = try RawLink(key: attacker, to: node.endpoint, of: node.publicKey)
        #expect(try probe.ask(.getStatus(requestID: 1), timeout: .seconds(5)) != nil)
    }
}
