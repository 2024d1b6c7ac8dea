import ArgumentParser
import Foundation
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
        guard requests >= 3, evs >= 1, rounds >= 2, intervalMs >= 1000 else {
            throw CommandFailure.badInput("--requests at least 3, --evs at least 1, --rounds at least 2, --interval-ms at least 1000")
        }
        var options = LocalNetworkLayout.Options()
        options.campuses = 1
        options.requestsPerCampus = requests
        // One exchange per 4,000 consumers, as a campus this size would run them (a request list is one
        // transaction; the frame limit would take about 80,000).
        options.exchanges = max(3, (requests + 3_999) / 4_000)
        options.consumersPerExchange = max(20, (requests + options.exchanges - 1) / options.exchanges)
        options.maxPool = evs + 2 * options.exchanges + 1_024
        options.vehicles = [evs]
        options.gatewaysPerCampus = 1
        options.rounds = rounds
        options.intervalMs = intervalMs
        options.collectMs = intervalMs * 4 / 5
        options.shortfallPPM = 0
        options.startAfterMs = 10_000   // 10,000 vehicle keys to load before the first round
        let root = try DemoDirectory.prepare(dataDir)
        options.startAtMs = Int64(Date().timeIntervalSince1970 * 1000) + Int64(options.startAfterMs)
        let progress = Progress("bench gateway")
        let layout = try LocalNetworkLayout(options: options, root: root)
        let run = LocalNetwork(layout: layout, executable: try nodeExecutable ?? NetworkDemoCommand.executable())
        print("\(layout.nodes.count) node processes: 1 CS, 2 endorsers, \(options.exchanges) exchanges (\(requests) requests per round), "
              + "1 EV gateway with \(evs) vehicles")
        try run.startAll()
        defer { _ = run.stopAll() }
        var peak: [String: Int] = [:]
        let deadline = ContinuousClock.now + .milliseconds(options.startAfterMs + (rounds + 2) * intervalMs) + .seconds(60)
        var lines: [RoundLine] = []
        while lines.count < rounds, ContinuousClock.now < deadline {
            Thread.sleep(forTimeInterval: 0.2)
            for n in layout.nodes { if let r = run.residentBytes(n.name) { peak[n.name] = max(peak[n.name] ?? 0, r) } }
            let now = run.rounds(layout.campusNames[0])
            for line in now.dropFirst(lines.count) {
                print(String(format: "round %llu: %d requests, %d offers, %d allocations, total %.0f ms (collect %.0f, seal %.0f, allocate %.0f, record %.0f)",
                             line.round, line.market.requests, line.market.offers, line.market.allocations, line.phases.total, line.phases.collect,
                             line.phases.sealInputs, line.phases.allocate, line.phases.record))
            }
            lines = now
            progress.update(lines.count, of: rounds)
        }
        progress.finish()
        guard lines.count >= rounds else { throw CommandFailure.badInput("only \(lines.count) of \(rounds) rounds finished in time") }
        var failures = lines.compactMap(\.error)
        // A round that did not carry the whole load measures something else: say so, and fail the run.
        for line in lines where line.market.requests < requests || line.market.offers < evs {
            failures.append("round \(line.round) carried \(line.market.requests) of \(requests) requests and "
                            + "\(line.market.offers) of \(evs) offers")
        }
        let measured = lines.dropFirst()
        let phases: [String: Double] = [
            "collect": measured.map(\.phases.collect).median(), "sealInputs": measured.map(\.phases.sealInputs).median(),
            "allocate": measured.map(\.phases.allocate).median(), "record": measured.map(\.phases.record).median(),
            "total": measured.map(\.phases.total).median(),
        ]
        print("\npeak resident memory per node (goal: under \(goalMib) MiB):")
        var over: [String] = []
        for n in layout.nodes {
            let mib = Double(peak[n.name] ?? 0) / 1_048_576
            if mib >= Double(goalMib) { over.append(n.name) }
            print("  " + n.name.padding(toLength: 14, withPad: " ", startingAt: 0)
                  + n.role.rawValue.padding(toLength: 16, withPad: " ", startingAt: 0) + String(format: "%7.1f MiB", mib))
        }
        print(String(format: "round, median of rounds 2...%d: total %.0f ms; collect %.0f, seal inputs %.0f, allocate %.0f, record %.0f",
                     rounds, phases["total"]!, phases["collect"]!, phases["sealInputs"]!, phases["allocate"]!, phases["record"]!))
        print(over.isEmpty ? "every node stayed under \(goalMib) MiB" : "over \(goalMib) MiB: " + over.joined(separator: ", "))
        let result: [String: Any] = [
            "benchmark": "gateway", "requests": requests, "evs": evs, "rounds": rounds, "goalMiB": goalMib,
            "peakResidentMiB": Dictionary(uniqueKeysWithValues: layout.nodes.map { ($0.name, Double(peak[$0.name] ?? 0) / 1_048_576) }),
            "medianPhasesMs": phases, "nodesOverGoal": over, "failures": failures,
            "note": "every node a separate v2g node process on loopback; resident memory sampled every 200 ms, the peak kept",
        ]
        try BenchResults.write(result, to: out)
        if !failures.isEmpty { throw CommandFailure.badInput("rounds failed: \(failures.prefix(3).joined(separator: "; "))") }
    }
}
