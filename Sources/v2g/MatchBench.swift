import ArgumentParser
import FoundationEssentials
import V2GKit
import V2GSim

/// `v2g bench match`: the LSAP solvers alone, on this machine, at gateway sizes and on the cost families of
/// bench/lsap_sparse_bench.py, with no Python (docs/lsap.md).
struct MatchBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "match",
        abstract: "Time the exact LSAP solvers (dense int64 and double, sparse int64) on uniform, tie-heavy and geometric costs.",
        discussion: """
            Dense at 50, 200 and 500 (solves per second: what a gateway's round needs), sparse at 2,000 and \
            20,000 rows with 32 candidate columns each. Every dense int64 solve's dual certificate is checked, every \
            sparse assignment's completeness; medians are reported and written as JSON.
            """)

    @Option(help: "Solves per cell (3 for the largest); the median is reported.")
    var repetitions = 7

    @Option(help: "Seed for the generated costs.")
    var seed: UInt64 = 13

    @Option(help: "Where to write the JSON results.")
    var out = "bench/results/match.json"

    func run() throws {
        guard repetitions > 0 else { throw CommandFailure.badInput("--repetitions must be at least 1") }
        let progress = Progress("bench match")
        let cells = try LSAPBenchmark.run(repetitions: repetitions, seed: seed, progress: progress)
        progress.finish()
        print("solver      costs        rows x cols         median         solves")
        for c in cells {
            print(c.solver.rawValue.padded(to: 11) + " "
                  + c.family.rawValue.padded(to: 10)
                  + String(cFormat: " %6d x %-6d %10.3f ms %12.1f /s", c.rows, c.columns, c.medianSeconds * 1000, 1 / c.medianSeconds))
        }
        let rows: [[String: Any]] = cells.map { c in
            ["solver": c.solver.rawValue, "costs": c.family.rawValue, "rows": c.rows, "cols": c.columns, "perRow": c.perRow,
             "repetitions": c.repetitions, "medianMs": c.medianSeconds * 1000, "solvesPerSecond": 1 / c.medianSeconds]
        }
        try BenchResults.write(["benchmark": "match", "seed": seed, "results": rows,
                                "note": "LinearAssignment.solve through the Swift API (debug or release as built); dense int64 certificates checked"],
                               to: out)
    }
}
