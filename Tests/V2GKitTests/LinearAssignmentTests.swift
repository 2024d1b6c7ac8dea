import Testing
@testable import V2GKit

@Suite("Linear sum assignment through the Swift API")
struct LinearAssignmentTests {
    static func bruteForce(_ c: CostMatrix<Int64>, maximize: Bool) -> Int64? {
        let transpose = c.rows > c.columns
        let n = min(c.rows, c.columns), m = max(c.rows, c.columns)
        func cost(_ i: Int, _ j: Int) -> Int64 { transpose ? c[j, i] : c[i, j] }
        func go(_ i: Int, _ used: Set<Int>) -> Int64? {
            guard i < n else { return 0 }
            var best: Int64?
            for j in 0..<m where !used.contains(j) && cost(i, j) != .max {
                if let rest = go(i + 1, used.union([j])) {
                    let total = rest + cost(i, j)
                    if best == nil || (maximize ? total > best! : total < best!) { best = total }
                }
            }
            return best
        }
        return go(0, [])
    }

    @Test func equalsBruteForceAndProvesIt() throws {
        var rng = TestRNG(seed: 11)
        for _ in 0..<400 {
            let rows = rng.int(1...5), columns = rng.int(1...5)
            let values = (0..<rows * columns).map { _ in rng.int(0...9) == 0 ? Int64.max : Int64(rng.int(-5...5)) }
            let costs = CostMatrix(rows: rows, columns: columns, values: values)
            for maximize in [false, true] {
                let expected = Self.bruteForce(costs, maximize: maximize)
                do {
                    let solution = try LinearAssignment.solve(costs, maximize: maximize)
                    #expect(solution.total == expected)
                    try LinearAssignment.verify(solution, costs: costs, maximize: maximize)
                    var forged = solution
                    forged.u[0] += 1
                    #expect(throws: V2GError.self) { try LinearAssignment.verify(forged, costs: costs, maximize: maximize) }
                } catch {
                    #expect(error.code == .infeasible)
                    #expect(expected == nil)
                }
            }
        }
    }

    @Test func floatingPointAndSparseAgree() throws {
        var rng = TestRNG(seed: 12)
        for _ in 0..<100 {
            let rows = rng.int(1...8), columns = rng.int(rows...10)
            let ints = (0..<rows * columns).map { _ in Int64(rng.int(0...100)) }
            let dense = try LinearAssignment.solve(CostMatrix(rows: rows, columns: columns, values: ints))
            let doubles = CostMatrix(rows: rows, columns: columns, values: ints.map(Double.init))
            let floating = try LinearAssignment.solve(doubles)
            #expect(floating.total == Double(dense.total))
            try LinearAssignment.verify(floating, costs: doubles)
            let sparse = SparseCostMatrix(rows: rows, columns: columns,
                                          rowStart: (0...rows).map { Int64($0 * columns) },
                                          columnIndices: (0..<rows * columns).map { Int64($0 % columns) }, costs: ints)
            #expect(try LinearAssignment.solve(sparse).total == dense.total)
        }
    }

    @Test func refusesNaN() {
        let costs = CostMatrix(rows: 2, columns: 2, values: [1, .nan, 3, 4])
        do {
            _ = try LinearAssignment.solve(costs)
            Issue.record("NaN accepted")
        } catch {
            #expect(error.code == .nan)
        }
    }
}
