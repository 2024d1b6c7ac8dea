import ArgumentParser
import Foundation
import V2GKit
import V2GLedger
import V2GNode

/// `v2g bench network`: one campus's trading round over the network on loopback, every party with its own key.
struct NetworkBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "network",
        abstract: "Time trading rounds over ZeroMQ on loopback (3 exchanges, EV agents, 2 endorsers, 1 CS) and gossip throughput.")

    @Option(help: "Requests per exchange (3 exchanges).")
    var requestsPerExchange = 200

    @Option(help: "EVs, spread over --ev-nodes nodes.")
    var evs = 270

    @Option(help: "Nodes hosting the EV agents.")
    var evNodes = 6

    @Option(help: "Rounds; medians are reported.")
    var rounds = 3

    @Option(help: "Where to write the JSON results.")
    var out = "bench/results/network.json"

    func run() throws {
        guard requestsPerExchange > 0, evs > 0, evNodes > 0, rounds > 0 else {
            throw CommandFailure.badInput("every count must be at least 1")
        }
        var rng = SplitMix64(seed: 5)
        let exchangeNames = ["E1", "E2", "E3"]
        let evNames = (1...evs).map { "EV\($0)" }
        let csKey = try SigningKey()
        let endorserKeys = try (0..<2).map { _ in try SigningKey() }
        var exchangeKeys: [String: SigningKey] = [:], evKeys: [String: SigningKey] = [:]
        for name in exchangeNames { exchangeKeys[name] = try SigningKey() }
        for name in evNames { evKeys[name] = try SigningKey() }
        let roster = CampusRoster(orderer: csKey.publicKey, endorsers: endorserKeys.map(\.publicKey), endorsementsRequired: 2,
                                  exchanges: exchangeKeys.mapValues(\.publicKey), evs: evKeys.mapValues(\.publicKey))
        // An EV node is the transport of several EV agents; its own key is its first EV's.
        let groups = stride(from: 0, to: evs, by: (evs + evNodes - 1) / evNodes).map { Array(evNames[$0..<min($0 + (evs + evNodes - 1) / evNodes, evs)]) }
        func node(_ key: SigningKey) throws -> LedgerNode {
            let n = try LedgerNode(key: key, configuration: LedgerNodeConfiguration(
                peer: PeerConfiguration(members: roster.members), catchUpInterval: .seconds(1), requestTimeout: .seconds(5)))
            n.start()
            return n
        }
        let csNode = try node(csKey)
        let endorserNodes = try endorserKeys.map { try node($0) }
        let exchangeNodes = try exchangeNames.map { try node(exchangeKeys[$0]!) }
        let evHostNodes = try groups.map { try node(evKeys[$0[0]]!) }
        let nodes = [csNode] + endorserNodes + exchangeNodes + evHostNodes
        defer { for n in nodes { n.stop() } }
        for a in nodes { for b in nodes where a !== b { a.connect(to: Neighbour(endpoint: b.endpoint, key: b.publicKey)) } }
        for n in nodes where !n.peer.waitForLinks(to: Set(nodes.filter { $0 !== n }.map(\.publicKey)), timeout: .seconds(20)) {
            throw CommandFailure.badInput("the \(nodes.count) nodes did not all link within 20 s")
        }
        let cs = ControlSystem(key: csKey, node: csNode, roster: roster, chargerCapacityWh: 10_000, timeout: .seconds(10))
        _ = try cs.start()
        _ = try Endorser(node: endorserNodes[0], key: endorserKeys[0])
        _ = try Endorser(node: endorserNodes[1], key: endorserKeys[1])
        // Endorsers check members against the channel configs: every node must hold the genesis blocks first.
        let genesisBy = ContinuousClock.now + .seconds(20)
        while nodes.contains(where: { $0.heads.count < 2 }) {
            guard ContinuousClock.now < genesisBy else { throw CommandFailure.badInput("genesis did not reach every node") }
            Thread.sleep(forTimeInterval: 0.005)
        }
        let exchangeAgents = exchangeNames.enumerated().map { i, name in
            ExchangeAgent(name: name, key: exchangeKeys[name]!, node: exchangeNodes[i], endorsers: roster.endorsers,
                          endorsementsRequired: 2, timeout: .seconds(10))
        }
        let evAgents: [EVAgent] = groups.enumerated().flatMap { g, group in
            group.map { name in
                EVAgent(name: name, key: evKeys[name]!, node: evHostNodes[g], endorsers: roster.endorsers,
                        endorsementsRequired: 2, timeout: .seconds(10))
            }
        }
        print("\(nodes.count) nodes on loopback: 1 CS, 2 endorsers (2 of 2), 3 exchanges × \(requestsPerExchange) requests, "
              + "\(evs) EVs on \(evHostNodes.count) nodes")

        var rows: [[String: Any]] = []
        for round in UInt64(1)...UInt64(rounds) {
            let requests = exchangeNames.map { name in
                (0..<requestsPerExchange).map { c in
                    RequestListPayload.Entry(consumer: "\(name)-C\(c)", bid: rng.int(Int64(22_390_000)...42_840_000),
                                             submittedAt: Int64(round), energyWh: rng.int(Int64(1)...20) * 1000)
                }
            }
            let offers = evNames.map { _ in rng.int(Int64(0)...10) * 1000 }
            let started = ContinuousClock.now
            let reportBox = ResultBox<RoundReport>()
            let done = DispatchSemaphore(value: 0)
            DispatchQueue.global().async {
                do throws(RoundError) {
                    let report = try cs.runRound(round, exchanges: Set(exchangeNames), evs: Set(evNames),
                                                 deadline: .seconds(60)) { $0.allocatedWh }
                    reportBox.set(Result<RoundReport, RoundError>.success(report))
                } catch {
                    reportBox.set(Result<RoundReport, RoundError>.failure(error))
                }
                done.signal()
            }
            let failures = ResultBox<Int>()
            failures.set(Result<Int, RoundError>.success(0))
            DispatchQueue.concurrentPerform(iterations: exchangeAgents.count + evAgents.count) { i in
                do {
                    if i < exchangeAgents.count {
                        try exchangeAgents[i].submit(round: round, requests: requests[i])
                    } else {
                        try evAgents[i - exchangeAgents.count].submit(round: round, energyWh: offers[i - exchangeAgents.count])
                    }
                } catch {
                    failures.update { $0 + 1 }
                }
            }
            done.wait()
            let report = try reportBox.get()
            let head = csNode.heads
            // Converged: every node holds the CS's heads.
            let deadline = ContinuousClock.now + .seconds(30)
            while nodes.contains(where: { $0.heads != head }), ContinuousClock.now < deadline { Thread.sleep(forTimeInterval: 0.002) }
            let converged = ContinuousClock.now - started
            let transactions = exchangeNames.count + evs + 5
            let t = report.times
            let row: [String: Any] = [
                "round": round, "collect_ms": ms(t.collect), "seal_inputs_ms": ms(t.sealInputs), "allocate_ms": ms(t.allocate),
                "record_ms": ms(t.record), "cs_round_ms": ms(t.total), "all_nodes_converged_ms": ms(converged),
                "transactions": transactions, "transactions_per_s_reaching_every_node": Double(transactions) / (ms(converged) / 1000),
                "allocations": report.result?.allocations.count ?? 0, "failed_submissions": (try? failures.get()) ?? -1,
                "missing_inputs": report.missingExchanges.count + report.missingEVs.count,
            ]
            rows.append(row)
            print(String(format: "round %llu: collect %.1f ms, seal inputs %.1f ms, allocate %.1f ms, record %.1f ms; CS round %.1f ms; "
                         + "every node converged after %.1f ms (%.0f signed transactions/s reaching every node); %d allocations",
                         round, ms(t.collect), ms(t.sealInputs), ms(t.allocate), ms(t.record), ms(t.total), ms(converged),
                         Double(transactions) / (ms(converged) / 1000), report.result?.allocations.count ?? 0))
        }
        func median(_ key: String) -> Double {
            let v = rows.compactMap { $0[key] as? Double }.sorted()
            return v.isEmpty ? 0 : v[v.count / 2]
        }
        let summary: [String: Any] = [
            "benchmark": "network", "nodes": nodes.count, "requests": 3 * requestsPerExchange, "evs": evs,
            "endorsement_policy": "2 of 2", "note": "one process, every party its own LedgerNode or agent key, CurveZMQ on loopback",
            "median_cs_round_ms": median("cs_round_ms"), "median_all_nodes_converged_ms": median("all_nodes_converged_ms"),
            "median_transactions_per_s_reaching_every_node": median("transactions_per_s_reaching_every_node"), "rounds": rows,
        ]
        print(String(format: "median: CS round %.1f ms, all nodes converged %.1f ms (goal for a full round: under 200 ms)",
                     median("cs_round_ms"), median("all_nodes_converged_ms")))
        let data = try JSONSerialization.data(withJSONObject: summary, options: [.prettyPrinted, .sortedKeys])
        try FileManager.default.createDirectory(atPath: (out as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try data.write(to: URL(fileURLWithPath: out), options: .atomic)
        print("wrote \(out)")
    }

    private func ms(_ d: Duration) -> Double { Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15 }
}

/// A result written by one thread and read by another.
final class ResultBox<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Result<T, Error>?

    func set<E: Error>(_ result: Result<T, E>) { lock.withLock { value = result.mapError { $0 as Error } } }
    func update(_ body: (T) -> T) { lock.withLock { if case .success(let v) = value { value = .success(body(v)) } } }
    func get() throws -> T {
        guard let value = lock.withLock({ value }) else { throw CommandFailure.badInput("no result") }
        return try value.get()
    }
}
