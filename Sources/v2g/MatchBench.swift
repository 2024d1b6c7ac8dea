import ArgumentParser
import Foundation
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

    enum Family: String, CaseIterable {
        case uniform, ties, geometric
    }

    /// Costs of a rows x cols problem in which each row reaches `k` columns (all of them when k >= cols), as
    /// (column, cost) pairs in column order.
    static func costs(_ family: Family, rows: Int, cols: Int, k: Int, rng: inout SplitMix64) -> [[(Int, Int64)]] {
        let side = 10_000.0
        let consumers = (0..<rows).map { _ in (Double(rng.int(0...10_000)), Double(rng.int(0...10_000))) }
        let evs = (0..<cols).map { _ in (Double(rng.int(0...10_000)), Double(rng.int(0...10_000))) }
        func metres(_ i: Int, _ j: Int) -> Int64 { Int64(hypot(consumers[i].0 - evs[j].0, consumers[i].1 - evs[j].1)) + 1 }
        // Geometric: EVs bucketed in a grid of about k per cell; a consumer's k nearest come from its 3 x 3 cells.
        let grid = max(1, Int((Double(cols) / Double(max(k, 1))).squareRoot()))
        var cells = [[Int]](repeating: [], count: grid * grid)
        func cell(_ p: (Double, Double)) -> (Int, Int) { (min(grid - 1, Int(p.0 / side * Double(grid))), min(grid - 1, Int(p.1 / side * Double(grid)))) }
        if family == .geometric && k < cols { for (j, e) in evs.enumerated() { let (x, y) = cell(e); cells[y * grid + x].append(j) } }
        return (0..<rows).map { i in
            var columns: [Int]
            if k >= cols {
                columns = Array(0..<cols)
            } else if family == .geometric {
                let (x, y) = cell(consumers[i])
                var near: [Int] = []
                for yy in max(0, y - 1)...min(grid - 1, y + 1) { for xx in max(0, x - 1)...min(grid - 1, x + 1) { near += cells[yy * grid + xx] } }
                columns = Array(near.sorted { metres(i, $0) < metres(i, $1) }.prefix(k))
            } else {
                columns = (0..<k).map { _ in Int(rng.int(0...Int64(cols - 1))) }
            }
            if k < cols { columns.append(i % cols) }   // a full matching exists
            return Set(columns).sorted().map { j in
                switch family {
                case .uniform: (j, rng.int(Int64(1)...1_000_000))
                case .ties: (j, rng.int(Int64(1)...9))
                case .geometric: (j, metres(i, j))
                }
            }
        }
    }

    static func seconds(_ body: () throws -> Void) rethrows -> Double {
        let t = ContinuousClock.now
        try body()
        let d = ContinuousClock.now - t
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    func run() throws {
        guard repetitions > 0 else { throw CommandFailure.badInput("--repetitions must be at least 1") }
        struct Cell { var kind: String, family: Family, rows: Int, cols: Int, k: Int }
        var cells: [Cell] = []
        for family in Family.allCases {
            for n in [50, 200, 500] {
                cells.append(Cell(kind: "dense i64", family: family, rows: n, cols: n, k: n))
                if family == .uniform { cells.append(Cell(kind: "dense f64", family: family, rows: n, cols: n, k: n)) }
            }
            for n in [2000, 20_000] { cells.append(Cell(kind: "sparse i64", family: family, rows: n, cols: n, k: 32)) }
            cells.append(Cell(kind: "sparse i64", family: family, rows: 1000, cols: 2000, k: 32))
        }
        var rng = SplitMix64(seed: seed)
        let progress = Progress("bench match")
        var rows: [[String: Any]] = []
        var lines: [String] = []
        for (index, cell) in cells.enumerated() {
            let reps = cell.rows >= 20_000 ? min(3, repetitions) : repetitions
            var times: [Double] = []
            for _ in 0..<reps {
                let entries = Self.costs(cell.family, rows: cell.rows, cols: cell.cols, k: cell.k, rng: &rng)
                switch cell.kind {
                case "sparse i64":
                    var start: [Int64] = [0], columns: [Int64] = [], values: [Int64] = []
                    for row in entries {
                        for (j, c) in row { columns.append(Int64(j)); values.append(c) }
                        start.append(Int64(columns.count))
                    }
                    let m = SparseCostMatrix(rows: cell.rows, columns: cell.cols, rowStart: start, columnIndices: columns, costs: values)
                    var s: LinearAssignment.Solution<Int64>?
                    times.append(try Self.seconds { s = try LinearAssignment.solve(m) })
                    guard Set(s!.rowToColumn.compactMap { $0 }).count == min(cell.rows, cell.cols) else {
                        throw CommandFailure.badInput("bench match: an incomplete sparse assignment (a solver bug)")
                    }
                case "dense f64":
                    let m = CostMatrix(rows: cell.rows, columns: cell.cols, values: entries.flatMap { $0.map { Double($0.1) / 7 } })
                    times.append(try Self.seconds { _ = try LinearAssignment.solve(m) })
                default:
                    let m = CostMatrix(rows: cell.rows, columns: cell.cols, values: entries.flatMap { $0.map(\.1) })
                    var s: LinearAssignment.Solution<Int64>?
                    times.append(try Self.seconds { s = try LinearAssignment.solve(m) })
                    try LinearAssignment.verify(s!, costs: m)
                }
            }
            let median = times.median()
            rows.append(["solver": cell.kind, "costs": cell.family.rawValue, "rows": cell.rows, "cols": cell.cols,
                         "perRow": min(cell.k, cell.cols), "repetitions": reps, "medianMs": median * 1000,
                         "solvesPerSecond": 1 / median])
            lines.append(cell.kind.padding(toLength: 11, withPad: " ", startingAt: 0) + " "
                         + cell.family.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)
                         + String(format: " %6d x %-6d %10.3f ms %12.1f /s", cell.rows, cell.cols, median * 1000, 1 / median))
            progress.update(index + 1, of: cells.count)
        }
        progress.finish()
        print("solver      costs        rows x cols         median         solves")
        lines.forEach { print($0) }
        let document: [String: Any] = ["benchmark": "match", "seed": seed, "results": rows,
                                       "note": "LinearAssignment.solve through the Swift API (debug or release as built); dense int64 certificates checked"]
        let data = try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys])
        try FileManager.default.createDirectory(atPath: (out as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try data.write(to: URL(fileURLWithPath: out), options: .atomic)
        print("wrote \(out)")
    }
}
