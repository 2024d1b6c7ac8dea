import Foundation
import Logging
import Testing
import V2GKit
import V2GLedger
@testable import V2GNode
import V2GTransport

/// A campus run cut into what is published when: genesis, then each round's blocks.
struct CampusRun {
    let campus: CampusNetwork
    /// `stages[0]` is the two genesis blocks, `stages[r]` round r's blocks (BoEV offers, BoE request lists,
    /// BoE results), in commit order.
    let stages: [[Block]]
    var all: [Block] { stages.flatMap { $0 } }

    /// Genesis and `rounds` trading rounds; consumer E3/F1 takes nothing, so penalties move.
    init(rounds: Int = 3) throws {
        campus = try CampusNetwork(exchanges: ["E1", "E2", "E3"], evs: ["EV1", "EV2", "EV3", "EV4"], now: { 1_700_000_000 })
        var stages = [try campus.start()]
        for round in UInt64(1)...UInt64(rounds) {
            let before = campus.blocks.count
            let requests: [String: [RequestListPayload.Entry]] = [
                "E1": [.init(consumer: "C1", bid: 300_000, submittedAt: Int64(round), energyWh: 4000),
                       .init(consumer: "C2", bid: 250_000, submittedAt: Int64(round), energyWh: 3000)],
                "E2": [.init(consumer: "C3", bid: 280_000, submittedAt: Int64(round), energyWh: 5000)],
                "E3": [.init(consumer: "F1", bid: 420_000, submittedAt: Int64(round), energyWh: 6000)]]
            let offers = [OfferPayload(ev: "EV1", round: round, energyWh: 6000), OfferPayload(ev: "EV2", round: round, energyWh: 4000),
                          OfferPayload(ev: "EV3", round: round, energyWh: 3000), OfferPayload(ev: "EV4", round: round, energyWh: 5000)]
            try campus.runRound(round, requests: requests, offers: offers) { request, allocated in
                request.entry.consumer == "F1" ? 0 : allocated
            }
            stages.append(Array(campus.blocks[before...]))
        }
        self.stages = stages
    }

    /// Every key named in either channel's config: what each node's ZAP handler admits.
    var members: [PublicKey] {
        Array(Set((campus.config(.boe).members + campus.config(.boev).members).map(\.key))).sorted()
    }

    /// The heads the campus ledger reached.
    var heads: [Channel: ChannelHead] {
        var heads: [Channel: ChannelHead] = [:]
        for (channel, chain) in campus.ledger.chains {
            if let h = chain.height { heads[channel] = ChannelHead(channel: channel, height: h, head: chain.head) }
        }
        return heads
    }
}

/// A started ledger node on loopback with a short catch-up interval.
func startNode(_ key: SigningKey, members: [PublicKey], neighbours: [LedgerNode] = [], storePath: String? = nil,
               bind: String = "tcp://127.0.0.1:*", log: LogLines? = nil) throws -> LedgerNode {
    let peer = PeerConfiguration(bindEndpoint: bind, members: members,
                                 neighbours: neighbours.map { Neighbour(endpoint: $0.endpoint, key: $0.publicKey) },
                                 limits: Fixtures.fastLimits)
    let node = try LedgerNode(key: key, configuration: LedgerNodeConfiguration(
        peer: peer, storePath: storePath, catchUpInterval: .milliseconds(300), requestTimeout: .seconds(2),
        batchSize: 4, logger: log?.logger ?? Logger(label: "test")))
    node.start()
    return node
}

/// Links every pair both ways (each side connects to the other) and waits for the handshakes.
func mesh(_ nodes: [LedgerNode]) -> Bool {
    for a in nodes {
        for b in nodes where a !== b { a.connect(to: Neighbour(endpoint: b.endpoint, key: b.publicKey)) }
    }
    return nodes.allSatisfy { n in
        n.peer.waitForLinks(to: Set(nodes.filter { $0 !== n }.map(\.publicKey)), timeout: .seconds(10))
    }
}

/// A fresh path for a SQLite store, in a directory removed by `cleanUp`.
final class ScratchDirectory {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-node-\(UUID().uuidString)")
    init() throws { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) }
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    deinit { try? FileManager.default.removeItem(at: url) }
}

/// Ledger nodes on loopback with system-chosen ports; every wait is bounded. Serialized: the timings assume
/// the two cores are not shared with another network test.
@Suite("Ledger nodes: gossip and catch-up", .serialized)
struct LedgerNodeTests {
    @Test func threeNodesConvergeOnACampusRun() throws {
        let run = try CampusRun()
        let dir = try ScratchDirectory()
        let orderer = try startNode(run.campus.orderer, members: run.members)
        defer { orderer.stop() }
        let a = try startNode(run.campus.endorsers[0], members: run.members, storePath: dir.path("a.sqlite"))
        defer { a.stop() }
        let b = try startNode(run.campus.endorsers[1], members: run.members, storePath: dir.path("b.sqlite"))
        defer { b.stop() }
        #expect(mesh([orderer, a, b]))

        for block in run.all { try orderer.publish(block) }
        #expect(orderer.heads == run.heads)
        #expect(orderer.counters.published == run.all.count)
        #expect(eventually(.seconds(20)) { a.heads == run.heads && b.heads == run.heads })

        for node in [a, b] {
            let c = node.counters
            #expect(c.committedFromGossip + c.committedFromCatchUp + c.committedFromPending == run.all.count)
            #expect(c.committedFromGossip > 0)          // the push path carried blocks, not only pulls
            #expect(c.rejections.isEmpty)
            #expect(node.committedBlocks == run.all.count)
            let report = try #require(node.verifyStore())
            #expect(report.isValid, "\(report)")
            #expect(report.blocks == run.all.count)
            node.withLedger { ledger in
                #expect(ledger.balances == run.campus.ledger.balances)
                #expect(ledger.penalties == run.campus.ledger.penalties)
            }
        }
        // Round 1 penalised the fake consumer, and money moved: the state compared is not trivially empty.
        #expect(a.withLedger { !$0.penalties.consumers.isEmpty && !$0.balances.isEmpty })
        #expect(a.catchUp().converged)
    }

    @Test func aLateJoinerCatchesUpByPulling() throws {
        let run = try CampusRun()
        let orderer = try startNode(run.campus.orderer, members: run.members)
        defer { orderer.stop() }
        let a = try startNode(run.campus.endorsers[0], members: run.members)
        defer { a.stop() }
        #expect(mesh([orderer, a]))
        for block in run.all { try orderer.publish(block) }
        #expect(eventually(.seconds(20)) { a.heads == run.heads })

        // Connects to both, nobody connects to it: nothing is pushed to it, it pulls everything.
        let late = try startNode(run.campus.endorsers[2], members: run.members, neighbours: [orderer, a])
        defer { late.stop() }
        #expect(eventually(.seconds(20)) { late.heads == run.heads })
        let c = late.counters
        #expect(c.committedFromGossip == 0)
        #expect(c.committedFromCatchUp + c.committedFromPending == run.all.count)
        #expect(c.rejections.isEmpty)
        #expect(late.withLedger { $0.balances } == run.campus.ledger.balances)
        #expect(late.withLedger { $0.penalties } == run.campus.ledger.penalties)
        let report = late.catchUp()
        #expect(report.converged)
        #expect(report.committed == 0)
        #expect(report.asked == [orderer.publicKey, a.publicKey])
    }

    @Test func aRestartedNodeResumesFromItsStoreAndCatchesUp() throws {
        let run = try CampusRun()
        let dir = try ScratchDirectory()
        let storePath = dir.path("b.sqlite")
        let orderer = try startNode(run.campus.orderer, members: run.members)
        defer { orderer.stop() }
        var b = try startNode(run.campus.endorsers[1], members: run.members, storePath: storePath)
        #expect(mesh([orderer, b]))
        for block in run.stages[0] + run.stages[1] { try orderer.publish(block) }
        #expect(eventually(.seconds(20)) { b.heads == orderer.heads })
        let headsAtStop = b.heads
        let endpoint = b.endpoint
        b.stop()

        // Published while B is down: the orderer's pushes to it fail.
        for block in run.stages[2] { try orderer.publish(block) }

        // Back at the same address (the orderer's link redials it), from the same file.
        let reopened: LedgerNode
        do {
            reopened = try LedgerNode(key: run.campus.endorsers[1], configuration: LedgerNodeConfiguration(
                peer: PeerConfiguration(bindEndpoint: endpoint, members: run.members,
                                        neighbours: [Neighbour(endpoint: orderer.endpoint, key: orderer.publicKey)],
                                        limits: Fixtures.fastLimits),
                storePath: storePath, catchUpInterval: .milliseconds(300), batchSize: 4))
        } catch {
            // The port was taken meanwhile: any port will do, B pulls from the orderer.
            reopened = try LedgerNode(key: run.campus.endorsers[1], configuration: LedgerNodeConfiguration(
                peer: PeerConfiguration(members: run.members,
                                        neighbours: [Neighbour(endpoint: orderer.endpoint, key: orderer.publicKey)],
                                        limits: Fixtures.fastLimits),
                storePath: storePath, catchUpInterval: .milliseconds(300), batchSize: 4))
        }
        b = reopened
        defer { b.stop() }
        #expect(b.heads == headsAtStop)               // replayed from the store before it starts
        #expect(b.committedBlocks == run.stages[0].count + run.stages[1].count)
        b.start()
        #expect(eventually(.seconds(20)) { b.heads == orderer.heads })
        #expect(b.counters.committedFromCatchUp + b.counters.committedFromPending >= run.stages[2].count)

        // And it keeps up with what comes next.
        let rebound = b.endpoint == endpoint
        if rebound { #expect(orderer.peer.waitForLinks(to: [b.publicKey], timeout: .seconds(10))) }
        let gossipBefore = b.counters.committedFromGossip
        for block in run.stages[3] { try orderer.publish(block) }
        #expect(eventually(.seconds(20)) { b.heads == run.heads })
        if rebound { #expect(b.counters.committedFromGossip > gossipBefore) }   // pushed again over the redialed link
        #expect(b.counters.rejections.isEmpty)
        let report = try #require(b.verifyStore())
        #expect(report.isValid, "\(report)")
        #expect(report.blocks == run.all.count)
        #expect(b.withLedger { $0.balances } == run.campus.ledger.balances)
        #expect(b.withLedger { $0.penalties } == run.campus.ledger.penalties)
    }

    @Test func forgedBlocksAreRejectedCountedAndNotStored() throws {
        let run = try CampusRun()
        let dir = try ScratchDirectory()
        let orderer = try startNode(run.campus.orderer, members: run.members)
        defer { orderer.stop() }
        let a = try startNode(run.campus.endorsers[0], members: run.members, storePath: dir.path("a.sqlite"))
        defer { a.stop() }
        #expect(mesh([orderer, a]))
        for block in run.stages[0] + run.stages[1] { try orderer.publish(block) }
        #expect(eventually(.seconds(20)) { a.heads == orderer.heads })
        let before = a.heads

        // A member (an endorser) gossips forgeries of the next blocks of both channels.
        let forger = run.campus.endorsers[1]
        let member = try startPeer(forger, members: run.members, neighbours: [Neighbour(endpoint: a.endpoint, key: a.publicKey)])
        defer { member.stop() }
        #expect(member.waitForLinks(to: [a.publicKey], timeout: .seconds(10)))
        let nextOffers = try #require(run.stages[2].first { $0.channel == .boev })
        let nextRequests = try #require(run.stages[2].first { $0.channel == .boe })
        var resigned = nextOffers                          // the orderer's block, signed by someone else
        resigned.signature = forger.sign(resigned.hash.bytes)
        var tampered = nextRequests                        // a request list changed after sealing
        tampered.transactions[0].payload[tampered.transactions[0].payload.count - 1] ^= 1
        let repacked = Block(channel: .boe, height: nextRequests.height, previous: nextRequests.previous,
                             timestamp: nextRequests.timestamp, orderer: forger, transactions: nextRequests.transactions)
        for forged in [resigned, tampered, repacked] { member.gossip(forged) }

        #expect(eventually(.seconds(10)) { a.counters.totalRejections == 3 })
        let c = a.counters
        #expect(c.rejections(.badSignature) == 1)
        #expect(c.rejections(.merkle) == 1)
        #expect(c.rejections(.chain) == 1)
        #expect(c.misbehaviour == [forger.publicKey: 3])
        #expect(a.heads == before)                         // nothing of them was committed
        #expect(a.verifyStore()?.blocks == run.stages[0].count + run.stages[1].count)

        // The honest blocks at the forgeries' heights still commit (by gossip, or by catch-up when gossip lost
        // the race; which one is a matter of timing), and the chain converges.
        let committedBefore = a.counters.committedFromGossip + a.counters.committedFromCatchUp
        for block in run.stages[2] + run.stages[3] { try orderer.publish(block) }
        #expect(eventually(.seconds(20)) { a.heads == run.heads })
        #expect(a.counters.committedFromGossip + a.counters.committedFromCatchUp - committedBefore
                == run.stages[2].count + run.stages[3].count)
        #expect(a.counters.totalRejections == 3)
        let report = try #require(a.verifyStore())
        #expect(report.isValid, "\(report)")
        #expect(report.blocks == run.all.count)
        #expect(a.withLedger { $0.balances } == run.campus.ledger.balances)
    }

    @Test func anAllocationWaitsForTheOffersItNames() throws {
        // Without a network: the BoE results block offered before the BoEV offers it names is kept, not
        // rejected, and commits as soon as the offers do.
        let run = try CampusRun(rounds: 1)
        let node = try LedgerNode(key: run.campus.endorsers[0], configuration: LedgerNodeConfiguration(
            peer: PeerConfiguration(members: run.members)))
        defer { node.stop() }
        let genesis = run.stages[0], round = run.stages[1]
        for block in genesis { #expect(node.core.chain.receive(block, from: nil, source: .gossip) == .committed) }
        let offers = round[0], requests = round[1], results = round[2]
        #expect(offers.channel == .boev && results.channel == .boe)
        // A block ahead of its channel is kept only if the channel's orderer sealed it.
        var junk = results
        junk.signature = run.campus.endorsers[1].sign(junk.hash.bytes)
        guard case .rejected(let e) = node.core.chain.receive(junk, from: run.campus.endorsers[1].publicKey, source: .gossip) else {
            Issue.record("a block ahead, not signed by the orderer, was kept")
            return
        }
        #expect(e.code == .badSignature)
        #expect(node.pendingBlocks == 0)
        #expect(node.core.chain.receive(results, from: nil, source: .gossip) == .ahead)
        #expect(node.pendingBlocks == 1)
        #expect(node.core.chain.receive(requests, from: nil, source: .gossip) == .committed)
        #expect(node.core.chain.receive(results, from: nil, source: .gossip) == .waiting)
        #expect(node.pendingBlocks == 1)
        #expect(node.core.chain.receive(offers, from: nil, source: .gossip) == .committed)
        #expect(node.pendingBlocks == 0)
        #expect(node.heads == run.heads)
        #expect(node.counters.committedFromPending == 1)
        #expect(node.rejections == ["badSignature": 1])
        #expect(node.counters.gaps == 1)   // the junk block was refused before it counted as one
        // Served from memory without a store.
        #expect(node.core.chain.memoryBlocks(.boe, from: 0, maxCount: 10) == [genesis[0], requests, results])
    }
}
