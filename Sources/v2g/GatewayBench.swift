import ArgumentParser
import FoundationEssentials
import V2GGateway
import V2GLedger
import V2GSim

/// `v2g bench gateway`: one campus at gateway scale (by default an EV gateway with 10,000 vehicles and a control
/// system allocating their 10,000 offers against 20,000 requests per round), every node a `v2g node` process;
/// reports each node's resident memory (sampled through the run, the peak kept) and the round's phase times.
struct GatewayBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gateway",
        abstract: "Resident memory and round time of one campus at gateway scale (10,000 vehicles, 20,000 requests).")

    @Option(help: "Requests per round, spread over the campus's exchanges.")
    var requests = 20_000
    @Option(help: "Vehicles behind the one EV gateway; each offers once per round.")
    var evs = 10_000
    @Option(help: "Rounds; the first is a warm-up, medians are over the rest.")
    var rounds = 3
    @Option(help: "Milliseconds between round starts.")
    var intervalMs = 30_000
    @Option(help: "Resident memory each node should stay under, in MiB (the goal the run is judged against).")
    var goalMib = 64
    @Option(help: "Where to write the JSON results.")
    var out = "bench/results/gateway.json"
    @Option(help: "Directory for the nodes' data (replaced).")
    var dataDir = ".build/bench-gateway"
    @Option(help: "The v2g binary the nodes run (default: this one); another build's, to compare builds side by side.")
    var nodeExecutable: String?

    func run() throws {
        var bench = GatewayFootprint(executable: try nodeExecutable ?? NetworkDemoCommand.executable())
        (bench.requests, bench.evs, bench.rounds, bench.intervalMs, bench.dataDirectory) = (requests, evs, rounds, intervalMs, dataDir)
        let progress = Progress("bench gateway")
        var seen = 0
        let r = try bench.run(started: { nodes, exchanges in
            print("\(nodes) node processes: 1 CS, 2 endorsers, \(exchanges) exchanges (\(requests) requests per round), "
                  + "1 EV gateway with \(evs) vehicles")
        }, round: { line in
            let p = line.phases
            print(String(cFormat: "round %llu: %d requests, %d offers, %d allocations, total %.0f ms (collect %.0f, seal %.0f, allocate %.0f, record %.0f)",
                         line.round, line.market.requests, line.market.offers, line.market.allocations, p.total, p.collect,
                         p.sealInputs, p.allocate, p.record))
            seen += 1
            progress.update(seen, of: rounds)
        })
        progress.finish()
        print("\npeak resident memory per node (goal: under \(goalMib) MiB):")
        for n in r.nodes {
            print("  " + n.name.padded(to: 14) + n.role.padded(to: 16)
                  + String(cFormat: "%7.1f MiB", n.peakMiB))
        }
        let phases = r.medianPhasesMs, over = r.nodes.filter { $0.peakMiB >= Double(goalMib) }.map(\.name)
        print(String(cFormat: "round, median of rounds 2...%d: total %.0f ms; collect %.0f, seal inputs %.0f, allocate %.0f, record %.0f",
                     rounds, phases["total"]!, phases["collect"]!, phases["sealInputs"]!, phases["allocate"]!, phases["record"]!))
        print(over.isEmpty ? "every node stayed under \(goalMib) MiB" : "over \(goalMib) MiB: " + over.joined(separator: ", "))
        try BenchResults.write([
            "benchmark": "gateway", "requests": requests, "evs": evs, "rounds": rounds, "goalMiB": goalMib,
            "peakResidentMiB": Dictionary(uniqueKeysWithValues: r.nodes.map { ($0.name, $0.peakMiB) }),
            "medianPhasesMs": phases, "nodesOverGoal": over, "failures": r.failures,
            "note": "every node a separate v2g node process on loopback; resident memory sampled every 200 ms, the peak kept",
        ], to: out)
        if !r.failures.isEmpty { throw CommandFailure.badInput("rounds failed: \(r.failures.prefix(3).joined(separator: "; "))") }
    }
}
