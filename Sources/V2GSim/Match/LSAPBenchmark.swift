import FoundationEssentials
import V2GKit
import Glibc

/// The exact LSAP solvers timed alone (`v2g bench match`): dense at gateway sizes, where call overhead matters,
/// and sparse at 2,000 and 20,000 rows with 32 candidate columns each, on the cost families of
/// bench/lsap_sparse_bench.py. Every dense int64 solve's dual certificate is checked, every sparse assignment's
/// completeness.
public enum LSAPBenchmark {
    /// How costs are drawn: uniform in 1...10^6, integer ties in 1...9, or metres between points on a 10 km square
    /// (each row reaching its nearest columns).
    public enum Family: String, CaseIterable, Sendable {
        case uniform, ties, geometric
    }

    public enum Solver: String, Sendable {
        case denseI64 = "dense i64", denseF64 = "dense f64", sparseI64 = "sparse i64"
    }

    /// One timed case and its median.
    public struct Cell: Sendable {
        public var solver: Solver, family: Family, rows: Int, columns: Int
        /// Candidate columns per row (all of them for dense).
        public var perRow: Int
        public var repetitions = 0
        public var medianSeconds = 0.0
    }

    /// The cases, smallest first.
    public static var cells: [Cell] {
        var cells: [Cell] = []
        for family in Family.allCases {
            for n in [50, 200, 500] {
                cells.append(Cell(solver: .denseI64, family: family, rows: n, columns: n, perRow: n))
                if family == .uniform { cells.append(Cell(solver: .denseF64, family: family, rows: n, columns: n, perRow: n)) }
            }
            for n in [2000, 20_000] { cells.append(Cell(solver: .sparseI64, family: family, rows: n, columns: n, perRow: 32)) }
            cells.append(Cell(solver: .sparseI64, family: family, rows: 1000, columns: 2000, perRow: 32))
        }
        return cells
    }

    /// Times every cell `repetitions` times (3 at most from 20,000 rows) on fresh costs and returns the medians.
    /// - Throws: `SimulationError` if a solver returns an incomplete assignment or a certificate fails (a bug).
    public static func run(repetitions: Int, seed: UInt64, progress: Progress? = nil) throws -> [Cell] {
        var rng = SplitMix64(seed: seed)
        var done: [Cell] = []
        for var cell in cells {
            cell.repetitions = cell.rows >= 20_000 ? min(3, repetitions) : repetitions
            var times: [Double] = []
            for _ in 0..<cell.repetitions {
                times.append(try time(cell, costs(cell.family, rows: cell.rows, columns: cell.columns, perRow: cell.perRow, rng: &rng)))
            }
            cell.medianSeconds = times.median()
            done.append(cell)
            progress?.update(done.count, of: cells.count)
        }
        return done
    }

    private static func time(_ cell: Cell, _ entries: [[(Int, Int64)]]) throws -> Double {
        switch cell.solver {
        case .sparseI64:
            var start: [Int64] = [0], columns: [Int64] = [], values: [Int64] = []
            for row in entries {
                for (j, c) in row { columns.append(Int64(j)); values.append(c) }
                start.append(Int64(columns.count))
            }
            let m = SparseCostMatrix(rows: cell.rows, columns: cell.columns, rowStart: start, columnIndices: columns, costs: values)
            var s: LinearAssignment.Solution<Int64>?
            let t = try ContinuousClock().measure { s = try LinearAssignment.solve(m) }.inSeconds
            guard Set(s!.rowToColumn.compactMap { $0 }).count == min(cell.rows, cell.columns) else {
                throw SimulationError("bench match: an incomplete sparse assignment (a solver bug)")
            }
            return t
        case .denseF64:
            let m = CostMatrix(rows: cell.rows, columns: cell.columns, values: entries.flatMap { $0.map { Double($0.1) / 7 } })
            return try ContinuousClock().measure { _ = try LinearAssignment.solve(m) }.inSeconds
        case .denseI64:
            let m = CostMatrix(rows: cell.rows, columns: cell.columns, values: entries.flatMap { $0.map(\.1) })
            var s: LinearAssignment.Solution<Int64>?
            let t = try ContinuousClock().measure { s = try LinearAssignment.solve(m) }.inSeconds
            try LinearAssignment.verify(s!, costs: m)
            return t
        }
    }

    /// Costs of a rows × columns problem in which each row reaches `perRow` columns (all of them when perRow >=
    /// columns), as (column, cost) pairs in column order; a full matching always exists.
    public static func costs(_ family: Family, rows: Int, columns cols: Int, perRow k: Int, rng: inout SplitMix64) -> [[(Int, Int64)]] {
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
            if k < cols { columns.append(i % cols) }
            return Set(columns).sorted().map { j in
                switch family {
                case .uniform: (j, rng.int(Int64(1)...1_000_000))
                case .ties: (j, rng.int(Int64(1)...9))
                case .geometric: (j, metres(i, j))
                }
            }
        }
    }
}
