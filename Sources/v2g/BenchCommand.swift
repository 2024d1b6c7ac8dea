import ArgumentParser
import FoundationEssentials
import V2GKit
import V2GSim
import Glibc

/// `v2g bench`: throughput benchmarks that need the Swift layers (the C-only ones live in bench/).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks: `v2g bench sret` times SRET and RET at [T] Table 6.2's sizes.",
        subcommands: [SRETBench.self, MatchBench.self, LedgerBench.self, NetworkBench.self, GatewayBench.self, ForecastBench.self])
}

struct SRETBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sret",
        abstract: "Time RET and SRET (double, single least-energy, single least-EVs) at 200/400/600 requests × 60-270 EVs.")

    @Option(help: "Rounds per cell; the median is reported.")
    var repetitions = 7

    @Option(help: "Seed for the generated rounds.")
    var seed: UInt64 = 6

    @Option(help: "Where to write the JSON results.")
    var out = "bench/results/sret.json"

    func run() throws {
        guard repetitions > 0 else { throw CommandFailure.badInput("--repetitions must be at least 1") }
        var bench = SRETComparison(repetitions: repetitions, seed: seed)
        bench.requestCounts = [200, 400, 600]
        let progress = Progress("bench sret")
        // Each repetition draws one round and times all four strategies on it, side by side.
        let samples = try bench.run(progress: progress)
        progress.finish()
        let strategies = SRETComparison.algorithms
        var rows: [[String: Any]] = []
        print("Median milliseconds per round (\(repetitions) rounds per cell); [T] Table 6.2 seconds in brackets")
        print("requests  EVs" + strategies.map { " " + $0.title.padded(to: 26) }.joined())
        var worst = 0.0
        for requests in bench.requestCounts {
            for evs in bench.evCounts {
                var line = String(cFormat: "%8d %4d", requests, evs)
                var row: [String: Any] = ["requests": requests, "evs": evs]
                for strategy in strategies {
                    let times = samples.filter { $0.requests == requests && $0.evs == evs && $0.algorithm == strategy }
                        .map(\.seconds)
                    let median = times.median() * 1000
                    if strategy != .ret { worst = max(worst, median) }
                    let key = strategy == .sretSingleEnergy || strategy == .sretSingleCount ? "SRET single" : strategy.title
                    let published = Published.table6_2[requests]?[key]?.first { $0.evs == evs }?.seconds
                    let cell = String(cFormat: "%.3f ms", median) + (published.map { String(cFormat: " [%.2f s]", $0) } ?? "")
                    line += " " + cell.padded(to: 26)
                    row[strategy.title] = ["medianMs": median, "minMs": times.min()! * 1000,
                                              "publishedS": published.map { JSONValue.double($0) } ?? .null]
                }
                rows.append(row)
                print(line)
            }
        }
        print(String(cFormat: "slowest SRET cell: %.3f ms (goal: under 10 ms)", worst))
        let document: [String: Any] = [
            "benchmark": "sret", "unit": "ms", "repetitions": repetitions, "seed": seed,
            "note": "wall-clock time of the Swift API call (C core plus ID marshalling), one round per repetition",
            "slowestSretMs": worst, "results": rows,
        ]
        try BenchResults.write(document, to: out)
    }
}
