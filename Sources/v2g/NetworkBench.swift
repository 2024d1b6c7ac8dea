import ArgumentParser
import FoundationEssentials
import V2GGateway
import V2GKit
import V2GLedger
import V2GSim

/// `v2g bench network`: three campuses as separate node processes on loopback, timed phase by phase beside the
/// response-time model of [T] §5.2-5.4 with Table 5.1's parameters.
struct NetworkBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "network",
        abstract: "Time trading rounds of campuses running as separate `v2g node` processes on loopback, beside the response-time model.")

    @Option(help: "Campuses (each 1 CS, 2 endorsers, 3 exchanges, EV gateways); with 1 there is no BoCS.")
    var campuses = 3
    @Option(help: "Requests in all, spread evenly over the campuses and their exchanges.")
    var requests = 600
    @Option(help: "EVs in all, spread evenly over the campuses.")
    var evs = 270
    @Option(help: "EV gateway processes per campus.")
    var gateways = 3
    @Option(help: "Rounds; the first is a warm-up, medians are over the rest.")
    var rounds = 6
    @Option(help: "Milliseconds between round starts.")
    var intervalMs = 3000
    @Option(help: "Niceness of the exchanges' and EV gateways' processes: on a real campus each has its own CPU; here they share two cores with the control systems and endorsers (0 = equal priority).")
    var agentNice = 0
    @Option(help: "Where to write the JSON results.")
    var out = "bench/results/network.json"
    @Option(help: "Directory for the nodes' data (replaced).")
    var dataDir = ".build/bench-network"
    @Option(help: "The v2g binary the nodes run (default: this one); another build's, to compare builds side by side.")
    var nodeExecutable: String?

    func run() throws {
        var bench = NetworkRoundBenchmark(executable: try nodeExecutable ?? NetworkDemoCommand.executable())
        (bench.campuses, bench.requests, bench.evs, bench.gateways) = (campuses, requests, evs, gateways)
        (bench.rounds, bench.intervalMs, bench.agentNice, bench.dataDirectory) = (rounds, intervalMs, agentNice, dataDir)
        let run = try bench.run(started: { processes in
            print("\(processes) node processes on loopback: \(campuses) campuses × (1 CS, 2 endorsers (2 of 2), 3 exchanges, "
                  + "\(gateways) EV gateways); \(requests / campuses * campuses) requests and \(evs / campuses * campuses) EVs per round in all")
        }, round: { number, lines, r in
            let totals = lines.keys.sorted().map { String(cFormat: "%.0f", lines[$0]!.phases.total) }.joined(separator: "/")
            print("round \(number): campus rounds \(totals) ms; "
                  + String(cFormat: "cross-campus %.1f ms; full round %.1f ms; every node converged %.1f ms, %.0f signed tx/s reaching every node",
                           r.cross, r.full, r.converged, r.throughput))
        })
        let (measured, failures) = (run.measured, run.failures)

        // The model with Table 5.1's parameters, sized to this network.
        let predicted = try ResponseTimeModel.networkPhasesMs(campuses: campuses, requests: requests, evs: evs)
        let med: [String: Double] = [
            "collectAndSealInputs": measured.map(\.collectAndSeal).median(), "allocate": measured.map(\.allocate).median(),
            "record": measured.map(\.record).median(), "crossCampus": measured.map(\.cross).median(),
            "fullRound": measured.map(\.full).median(), "converged": measured.map(\.converged).median(),
            "txPerSecondReachingEveryNode": measured.map(\.throughput).median(),
        ]
        print("\nmedians over rounds 2...\(rounds) (the slowest campus per phase), beside the model with Table 5.1's parameters:")
        print("  phase                      measured ms    model ms")
        for (key, label) in [("collectAndSealInputs", "collect and seal inputs"), ("allocate", "allocate"), ("record", "record"),
                             ("crossCampus", "cross-campus"), ("fullRound", "full round")] {
            print("  " + label.padded(to: 26) + String(cFormat: " %11.1f %11.0f", med[key]!, predicted[key]!))
        }
        print(String(cFormat: "  every node converged %.1f ms after the round started; %.0f signed transactions/s reached every node",
                     med["converged"]!, med["txPerSecondReachingEveryNode"]!))
        let cpuPerRound = run.cpuSecondsPerRound
        if let cpuPerRound {
            print(String(cFormat: "  CPU: %.2f s per round, summed over the %d node processes (rounds 2...%d)", cpuPerRound,
                         run.processes, rounds))
        }
        print(String(cFormat: "goal: a full round under 200 ms — measured %.1f ms", med["fullRound"]!))

        let result = Result(
            benchmark: "network", processes: run.processes, campuses: campuses, requests: requests / campuses * campuses,
            evs: evs / campuses * campuses, endorsementPolicy: "2 of 2 per campus; all control systems on the BoCS",
            note: "every node a separate v2g node process, CurveZMQ on loopback, SQLite synchronous=FULL; 2 shared cores; round 1 is a warm-up",
            medianMs: med, modelTable51Ms: predicted, cpuSecondsPerRound: cpuPerRound, failures: failures,
            rounds: run.lines.flatMap { lines in run.campusNames.compactMap { lines[$0] } })
        try BenchResults.write(result, to: out)
        if !failures.isEmpty { throw CommandFailure.badInput("rounds failed: \(failures.prefix(3).joined(separator: "; "))") }
    }

    struct Result: Encodable {
        var benchmark: String
        var processes, campuses, requests, evs: Int
        var endorsementPolicy, note: String
        var medianMs: [String: Double]
        var modelTable51Ms: [String: Double]
        /// CPU seconds (user and system) per round, summed over every node process, rounds 2 and after.
        var cpuSecondsPerRound: Double?
        var failures: [String]
        var rounds: [RoundLine]
    }
}
