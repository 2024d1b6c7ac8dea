import Foundation
import Testing
import V2GKit
import V2GLedger
import V2GGateway
import V2GNode
import V2GTransport

/// One campus, each party a separate `LedgerNode` with its own key, all on loopback and fully meshed.
final class NetworkedCampus {
    let csKey: SigningKey
    let endorserKeys: [SigningKey]
    let exchangeKeys: [String: SigningKey]
    let evKeys: [String: SigningKey]
    let roster: CampusRoster
    let cs: ControlSystem
    let endorsers: [Endorser]
    let exchanges: [String: ExchangeAgent]
    let evs: [String: EVAgent]
    let nodes: [LedgerNode]

    static let exchangeNames = ["E1", "E2", "E3"]
    static let evNames = ["EV1", "EV2", "EV3", "EV4"]
    /// The campus's EVs: those `offers` names.
    let evNames: [String]

    /// The energy each EV offers in every round.
    let offers: [String: Int64]

    init(endorsers n: Int, required k: Int, timeout: Duration = .seconds(2), offers: [String: Int64] = NetworkedCampus.offers) throws {
        self.offers = offers
        evNames = offers.keys.sorted()
        csKey = try SigningKey()
        endorserKeys = try (0..<n).map { _ in try SigningKey() }
        var xk: [String: SigningKey] = [:], ek: [String: SigningKey] = [:]
        for name in Self.exchangeNames { xk[name] = try SigningKey() }
        for name in evNames { ek[name] = try SigningKey() }
        exchangeKeys = xk
        evKeys = ek
        roster = CampusRoster(orderer: csKey.publicKey, endorsers: endorserKeys.map(\.publicKey), endorsementsRequired: k,
                              exchanges: xk.mapValues(\.publicKey), evs: ek.mapValues(\.publicKey))
        let members = roster.members
        let csNode = try startNode(csKey, members: members)
        let endorserNodes = try endorserKeys.map { try startNode($0, members: members) }
        var exchangeNodes: [String: LedgerNode] = [:], evNodes: [String: LedgerNode] = [:]
        for name in Self.exchangeNames { exchangeNodes[name] = try startNode(xk[name]!, members: members) }
        for name in evNames { evNodes[name] = try startNode(ek[name]!, members: members) }
        nodes = [csNode] + endorserNodes + Self.exchangeNames.map { exchangeNodes[$0]! } + evNames.map { evNodes[$0]! }
        cs = ControlSystem(key: csKey, node: csNode, roster: roster, timeout: timeout)
        cs.now = { 1_700_000_000 }
        endorsers = try zip(endorserNodes, endorserKeys).map { try Endorser(node: $0, key: $1) }
        let endorserList = roster.endorsers
        exchanges = Dictionary(uniqueKeysWithValues: Self.exchangeNames.map {
            ($0, ExchangeAgent(name: $0, key: xk[$0]!, node: exchangeNodes[$0]!, endorsers: endorserList,
                               endorsementsRequired: k, timeout: timeout))
        })
        evs = Dictionary(uniqueKeysWithValues: evNames.map {
            ($0, EVAgent(name: $0, key: ek[$0]!, node: evNodes[$0]!, endorsers: endorserList, endorsementsRequired: k,
                         timeout: timeout))
        })
    }

    func stop() { for n in nodes { n.stop() } }

    /// Links every pair, seals genesis and waits until every node holds it.
    func open() throws -> Bool {
        guard mesh(nodes) else { return false }
        try cs.start()
        return eventually(.seconds(10)) { self.nodes.allSatisfy { $0.heads.count == 2 } }
    }

    /// Round `round`'s inputs: F1 (at E3) asks for energy it will never take. Requests and offers carry the
    /// round's hour as their window, for SRET.
    static func requests(_ round: UInt64) -> [String: [RequestListPayload.Entry]] {
        let w = window(round)
        return ["E1": [.init(consumer: "C1", bid: 300_000, submittedAt: Int64(round), energyWh: 4000, window: w),
                       .init(consumer: "C2", bid: 250_000, submittedAt: Int64(round), energyWh: 3000, window: w)],
                "E2": [.init(consumer: "C3", bid: 280_000, submittedAt: Int64(round), energyWh: 5000, window: w)],
                "E3": [.init(consumer: "F1", bid: 420_000, submittedAt: Int64(round), energyWh: 6000, window: w)]]
    }
    static func window(_ round: UInt64) -> Range<Int64> { Int64(round) * 3600..<Int64(round + 1) * 3600 }
    static let offers: [String: Int64] = ["EV1": 6000, "EV2": 4000, "EV3": 3000, "EV4": 5000]

    /// Runs one round: the CS waits on its own thread while every agent submits concurrently.
    func runRound(_ round: UInt64, deadline: Duration = .seconds(10)) throws -> RoundReport {
        let outcome = Locked<Result<RoundReport, RoundError>?>(nil)
        let done = DispatchSemaphore(value: 0)
        let cs = self.cs
        let evNames = self.evNames
        DispatchQueue.global().async {
            do throws(RoundError) {
                let report = try cs.runRound(round, exchanges: Set(Self.exchangeNames), evs: Set(evNames),
                                             deadline: deadline, meter: TestMeter { $0.consumer == "F1" ? 0 : $0.allocatedWh })
                outcome.set(.success(report))
            } catch {
                outcome.set(.failure(error))
            }
            done.signal()
        }
        let submitted = Locked<[String]>([])
        let requests = Self.requests(round)
        let exchangeAgents = Self.exchangeNames.map { exchanges[$0]! }
        let evAgents = evNames.map { evs[$0]! }
        let offers = self.offers
        DispatchQueue.concurrentPerform(iterations: exchangeAgents.count + evAgents.count) { i in
            do {
                if i < exchangeAgents.count {
                    let a = exchangeAgents[i]
                    try a.submit(round: round, requests: requests[a.name]!)
                } else {
                    let a = evAgents[i - exchangeAgents.count]
                    try a.submit(round: round, energyWh: offers[a.name]!, window: Self.window(round))
                }
                submitted.update { $0.append("\(i)") }
            } catch {
                submitted.update { $0.append("failed \(i): \(error)") }
            }
        }
        #expect(submitted.value.count == exchangeAgents.count + evAgents.count && submitted.value.allSatisfy { !$0.hasPrefix("failed") }, "\(submitted.value)")
        #expect(done.wait(timeout: .now() + .seconds(30)) == .success)
        return try #require(outcome.value).get()
    }
}

private func ms(_ d: Duration) -> Double { Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15 }

/// The V2GNet round between separate parties over the network. Serialized, like the other network suites.
@Suite("Trading rounds between separate parties", .serialized)
struct TradingRoundTests {
    @Test(arguments: [(2, 2), (3, 2)])
    func threeRoundsConvergeOnEveryNode(endorsers: Int, required: Int) throws {
        let campus = try NetworkedCampus(endorsers: endorsers, required: required)
        defer { campus.stop() }
        #expect(try campus.open())
        for round in UInt64(1)...3 {
            let report = try campus.runRound(round)
            #expect(report.missingExchanges.isEmpty && report.missingEVs.isEmpty)
            #expect(report.exchanges == NetworkedCampus.exchangeNames && report.evs == NetworkedCampus.evNames)
            #expect(report.blocks.count == 3)
            #expect(report.result.map { !$0.allocations.isEmpty } == true)
            let t = report.times
            print(String(format: "round %llu (%d of %d endorsers): collect %.2f ms, seal inputs %.2f ms, allocate %.2f ms, record %.2f ms, total %.2f ms",
                         round, required, endorsers, ms(t.collect), ms(t.sealInputs), ms(t.allocate), ms(t.record), ms(t.total)))
        }
        let cs = campus.cs.node
        // Genesis plus, per round, one BoEV block and two BoE blocks.
        #expect(cs.heads[.boe]?.height == 6 && cs.heads[.boev]?.height == 3)
        #expect(eventually(.seconds(20)) { campus.nodes.allSatisfy { $0.heads == cs.heads } })
        let balances = cs.withLedger { $0.balances }
        let penalties = cs.withLedger { $0.penalties }
        #expect(!balances.isEmpty && balances.values.reduce(0, +) == 0)
        #expect(penalties.consumers[ConsumerKey(exchange: "E3", consumer: "F1")]?.isEmpty == false)
        for node in campus.nodes {
            #expect(node.withLedger { $0.balances } == balances)
            #expect(node.withLedger { $0.penalties } == penalties)
            #expect(node.rejections.isEmpty)
        }
        // With more endorsers than required, a request may reach the last one after the block it was for has
        // committed there: a replay, rightly refused. Nothing else is.
        #expect(campus.endorsers.allSatisfy { $0.given > 0 && $0.refused.keys.allSatisfy { $0 == "replay" } },
                "\(campus.endorsers.map(\.refused))")
        #expect(cs.counters.poolRefusals.isEmpty)
        #expect(cs.pooled(.boe).isEmpty && cs.pooled(.boev).isEmpty)
    }

    @Test func aTransactionWithTooFewEndorsementsIsNotSealed() throws {
        let campus = try NetworkedCampus(endorsers: 2, required: 2, timeout: .milliseconds(500))
        defer { campus.stop() }
        #expect(try campus.open())
        let e1 = campus.exchanges["E1"]!

        // Asking only one endorser cannot meet a 2-of-2 policy: the agent gives up after its timeout.
        let short = ExchangeAgent(name: "E1", key: campus.exchangeKeys["E1"]!, node: e1.node,
                                  endorsers: [campus.roster.endorsers[0]], endorsementsRequired: 2,
                                  timeout: .milliseconds(300))
        #expect(throws: NodeError.self) { try short.submit(round: 1, requests: NetworkedCampus.requests(1)["E1"]!) }

        // Gossiped anyway with one endorsement: the CS's pool refuses it.
        var tx = Transaction(channel: .boe, kind: .requestList, author: campus.exchangeKeys["E1"]!, nonce: 1_000,
                             timestamp: 1_700_000_000, payload: RequestListPayload(
                                exchange: "E1", round: 1, requests: NetworkedCampus.requests(1)["E1"]!).encoded)
        tx.endorse(by: campus.endorserKeys[0])
        e1.node.peer.gossip(tx)
        #expect(eventually { campus.cs.node.counters.poolRefusals["endorsement"] == 1 })
        #expect(campus.cs.node.pooled(.boe).isEmpty)

        // The round goes on with the properly endorsed inputs; the under-endorsed list is in no block.
        let report = try campus.runRound(1)
        #expect(report.exchanges == NetworkedCampus.exchangeNames)
        #expect(report.blocks.allSatisfy { !$0.transactions.map(\.id).contains(tx.id) })
    }

    @Test func anEndorsementRequestForANonMembersTransactionIsRefused() throws {
        let campus = try NetworkedCampus(endorsers: 2, required: 2)
        defer { campus.stop() }
        #expect(try campus.open())
        let outsider = try SigningKey()
        let tx = Transaction(channel: .boe, kind: .requestList, author: outsider, nonce: 1, timestamp: 1_700_000_000,
                             payload: RequestListPayload(exchange: "E1", round: 1, requests: []).encoded)
        // A member (E1's node) relays the outsider's transaction to the endorsers.
        let got = try campus.exchanges["E1"]!.node.peer.requestEndorsements(
            tx, from: campus.roster.endorsers, required: 1, timeout: .milliseconds(500))
        #expect(got.isEmpty)
        #expect(campus.endorsers.allSatisfy { $0.refused["notMember"] == 1 && $0.given == 0 })

        // And an EV may not write a request list: refused for its role.
        let wrongRole = Transaction(channel: .boe, kind: .requestList, author: campus.evKeys["EV1"]!, nonce: 1,
                                    timestamp: 1_700_000_000,
                                    payload: RequestListPayload(exchange: "E1", round: 1, requests: []).encoded)
        let none = try campus.evs["EV1"]!.node.peer.requestEndorsements(
            wrongRole, from: campus.roster.endorsers, required: 1, timeout: .milliseconds(500))
        #expect(none.isEmpty)
        #expect(campus.endorsers.allSatisfy { $0.refused["notMember", default: 0] + $0.refused["roleNotAllowed", default: 0] == 2 })
    }
}
