import Foundation
import Logging
import Testing
import V2GKit
import V2GLedger
@testable import V2GNode
import V2GTransport

/// The network thread never waits for validation (docs/architecture.md, "Threads").
@Suite("The network loop stays responsive", .serialized)
struct ResponsivenessTests {
    /// While a node validates and stores a block of 1,000 endorsed transactions (3,000 signatures to verify, a
    /// thousand rows to fsync), a neighbour's status requests are answered within `bound`, with the heads
    /// before the block.
    ///
    /// The bound: answering a status is a copy of the heads under a lock held only for assignments, so a reply
    /// costs a loopback round trip and two thread wake-ups (tens of microseconds). 50 ms leaves room for the
    /// scheduler of a shared two-core machine while the validation keeps both cores busy; the validation itself
    /// takes several times longer, and before this design the status waited for all of it.
    @Test func statusIsAnsweredWhileAThousandTransactionBlockIsValidated() throws {
        let bound: Duration = .milliseconds(50)
        let evs = (1...100).map { "EV\($0)" }
        let campus = try CampusNetwork(exchanges: ["E1"], evs: evs, endorsers: 3, endorsementsRequired: 2)
        let genesis = try campus.start()
        var transactions: [Transaction] = []
        for i in 0..<1000 {
            let ev = evs[i % evs.count]
            transactions.append(campus.transaction(.boev, .offer, author: campus.evs[ev]!, payload:
                OfferPayload(ev: ev, round: UInt64(1 + i / evs.count), energyWh: 1000 + Int64(i)).encoded))
        }
        let boev = genesis.first { $0.channel == .boev }!
        let big = Block(channel: .boev, height: 1, previous: boev.hash, timestamp: campus.now(), orderer: campus.orderer,
                        transactions: transactions)

        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("responsive-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let validator = campus.endorsers[0], sender = campus.endorsers[1], asker = campus.endorsers[2]
        let members = [validator.publicKey, sender.publicKey, asker.publicKey]
        let node = try LedgerNode(key: validator, configuration: LedgerNodeConfiguration(
            peer: PeerConfiguration(members: members, limits: Fixtures.fastLimits),
            storePath: scratch.appendingPathComponent("ledger.db").path, catchUpInterval: .seconds(60)))
        for b in genesis { #expect(node.core.chain.receive(b, from: nil, source: .gossip) == .committed) }
        node.start()
        defer { node.stop() }
        let neighbour = [Neighbour(endpoint: node.endpoint, key: node.publicKey)]
        let gossiper = try startPeer(sender, members: members, neighbours: neighbour)
        defer { gossiper.stop() }
        let probe = try startPeer(asker, members: members, neighbours: neighbour)
        defer { probe.stop() }
        #expect(gossiper.waitForLinks(to: [node.publicKey], timeout: .seconds(10)))
        #expect(probe.waitForLinks(to: [node.publicKey], timeout: .seconds(10)))

        let clock = ContinuousClock()
        let sent = clock.now
        gossiper.gossip(big)
        var samples: [(latency: Duration, height: UInt64)] = []
        while node.heads[.boev]?.height != 1, clock.now - sent < .seconds(30) {
            let t = clock.now
            let heads = try probe.requestStatus(neighbour: node.publicKey, timeout: .seconds(5))
            let height = heads.first { $0.channel == .boev }?.height ?? 0
            if node.heads[.boev]?.height != 1 { samples.append((clock.now - t, height)) }
        }
        let window = clock.now - sent
        #expect(node.heads[.boev]?.height == 1, "the block was not committed")
        let during = samples.filter { $0.height == 0 }
        let worst = during.map(\.latency).max() ?? .zero
        print("validated a 1,000-transaction block in \(window); \(during.count) status requests answered meanwhile, slowest \(worst)")
        #expect(window > bound, "the validation was too short to show anything")
        #expect(during.count >= 3)
        // A loop blocked by the validation would keep a request waiting for a good part of the window; the
        // machine is shared, so the bound grows with the window when it is slow.
        #expect(worst < max(bound, window / 4), "slowest \(worst) of a \(window) validation")
    }
}
