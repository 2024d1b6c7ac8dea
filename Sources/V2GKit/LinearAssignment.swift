internal import CV2G

/// A dense row-major matrix of costs (or benefits).
public struct CostMatrix<Element: Hashable & Sendable>: Hashable, Sendable {
    public let rows: Int
    public let columns: Int
    /// Row-major, `rows * columns` entries.
    public var values: [Element]

    public init(rows: Int, columns: Int, values: [Element]) {
        precondition(rows >= 0 && columns >= 0 && values.count == rows * columns, "values must hold rows * columns entries")
        self.rows = rows
        self.columns = columns
        self.values = values
    }

    public subscript(row: Int, column: Int) -> Element {
        get { values[row * columns + column] }
        set { values[row * columns + column] = newValue }
    }
}

/// A sparse cost matrix: each row lists its allowed columns (compressed sparse rows).
public struct SparseCostMatrix: Hashable, Sendable {
    public let rows: Int
    public let columns: Int
    /// `rows + 1` offsets into `columnIndices` and `costs`.
    public var rowStart: [Int64]
    public var columnIndices: [Int64]
    public var costs: [Int64]

    public init(rows: Int, columns: Int, rowStart: [Int64], columnIndices: [Int64], costs: [Int64]) {
        self.rows = rows
        self.columns = columns
        self.rowStart = rowStart
        self.columnIndices = columnIndices
        self.costs = costs
    }
}

/// Exact linear sum assignment with a dual certificate (SPEC §3.2), run by the C core.
///
/// If rows ≤ columns every row is assigned, else every column. A cost of
/// `Int64.max` (or `+infinity`) forbids a pair, when minimising and when maximising.
public enum LinearAssignment {
    /// An optimal assignment and the duals that prove it.
    public struct Solution<Element: Hashable & Sendable>: Hashable, Sendable {
        /// The column of each row, nil when the row is unassigned.
        public var rowToColumn: [Int?]
        public var total: Element
        /// Row duals u.
        public var u: [Element]
        /// Column duals v.
        public var v: [Element]

        public init(rowToColumn: [Int?], total: Element, u: [Element], v: [Element]) {
            self.rowToColumn = rowToColumn
            self.total = total
            self.u = u
            self.v = v
        }

        var cAssignment: [Int64] { rowToColumn.map { $0.map(Int64.init) ?? -1 } }
    }

    /// Solves an LSAP on integer costs exactly.
    ///
    /// The corresponding C function is `v2g_lsap_solve_i64`.
    public static func solve(_ costs: CostMatrix<Int64>, maximize: Bool = false) throws(V2GError) -> Solution<Int64> {
        try solveDense(costs, zero: 0) { assignment, total, u, v, workspace, bytes in
            v2g_lsap_solve_i64(costs.rows, costs.columns, costs.values, maximize ? 1 : 0, assignment, total,
                               u, v, workspace, bytes)
        }
    }

    /// Solves an LSAP on floating-point costs (not for ledger results).
    ///
    /// The corresponding C function is `v2g_lsap_solve_f64`.
    public static func solve(_ costs: CostMatrix<Double>, maximize: Bool = false) throws(V2GError) -> Solution<Double> {
        try solveDense(costs, zero: 0) { assignment, total, u, v, workspace, bytes in
            v2g_lsap_solve_f64(costs.rows, costs.columns, costs.values, maximize ? 1 : 0, assignment, total,
                               u, v, workspace, bytes)
        }
    }

    /// Sizes the outputs and workspace of a dense solve, and calls the C solver once with them.
    private static func solveDense<T>(
        _ costs: CostMatrix<T>, zero: T,
        _ solver: (UnsafeMutablePointer<Int64>, UnsafeMutablePointer<T>, UnsafeMutablePointer<T>,
                   UnsafeMutablePointer<T>, UnsafeMutableRawPointer, Int) -> Int32
    ) throws(V2GError) -> Solution<T> {
        var assignment = [Int64](repeating: -1, count: costs.rows)
        var u = [T](repeating: zero, count: costs.rows)
        var v = [T](repeating: zero, count: costs.columns)
        var total = zero
        let size = try workspaceSize(v2g_lsap_workspace_size(costs.rows, costs.columns), costs.rows, costs.columns)
        let status = withWorkspace(size: size) { workspace, bytes in
            solver(&assignment, &total, &u, &v, workspace, bytes)
        }
        try check(status, "linear sum assignment (\(costs.rows)x\(costs.columns))")
        return Solution(rowToColumn: assignment.map { $0 >= 0 ? Int($0) : nil }, total: total, u: u, v: v)
    }

    /// Solves a sparse LSAP on integer costs exactly.
    ///
    /// The corresponding C function is `v2g_lsap_solve_sparse_i64`.
    public static func solve(_ costs: SparseCostMatrix, maximize: Bool = false) throws(V2GError) -> Solution<Int64> {
        try checkShape(costs)
        var assignment = [Int64](repeating: -1, count: costs.rows)
        var u = [Int64](repeating: 0, count: costs.rows)
        var v = [Int64](repeating: 0, count: costs.columns)
        var total: Int64 = 0
        let size = try workspaceSize(v2g_lsap_sparse_workspace_size(costs.rows, costs.columns, costs.costs.count),
                                     costs.rows, costs.columns)
        let status = withWorkspace(size: size) { workspace, bytes in
            v2g_lsap_solve_sparse_i64(costs.rows, costs.columns, costs.rowStart, costs.columnIndices, costs.costs,
                                      maximize ? 1 : 0, &assignment, &total, &u, &v, workspace, bytes)
        }
        try check(status, "sparse linear sum assignment (\(costs.rows)x\(costs.columns))")
        return Solution(rowToColumn: assignment.map { $0 >= 0 ? Int($0) : nil }, total: total, u: u, v: v)
    }

    /// Checks, without solving, that the duals prove the assignment optimal; throws `.certificate` if not.
    ///
    /// The corresponding C function is `v2g_lsap_check_i64`.
    public static func verify(_ solution: Solution<Int64>, costs: CostMatrix<Int64>, maximize: Bool = false) throws(V2GError) {
        guard solution.rowToColumn.count == costs.rows, solution.u.count == costs.rows,
              solution.v.count == costs.columns else {
            throw V2GError(code: .certificate, message: "certificate: sizes do not match the \(costs.rows)x\(costs.columns) costs")
        }
        try check(v2g_lsap_check_i64(costs.rows, costs.columns, costs.values, maximize ? 1 : 0,
                                     solution.cAssignment, solution.u, solution.v),
                  "certificate of a \(costs.rows)x\(costs.columns) assignment")
    }

    /// Checks a floating-point certificate within an absolute tolerance.
    ///
    /// The corresponding C function is `v2g_lsap_check_f64`.
    public static func verify(_ solution: Solution<Double>, costs: CostMatrix<Double>, maximize: Bool = false,
                              tolerance: Double = 1e-9) throws(V2GError) {
        guard solution.rowToColumn.count == costs.rows, solution.u.count == costs.rows,
              solution.v.count == costs.columns else {
            throw V2GError(code: .certificate, message: "certificate: sizes do not match the \(costs.rows)x\(costs.columns) costs")
        }
        try check(v2g_lsap_check_f64(costs.rows, costs.columns, costs.values, maximize ? 1 : 0,
                                     solution.cAssignment, solution.u, solution.v, tolerance),
                  "certificate of a \(costs.rows)x\(costs.columns) assignment")
    }

    private static func workspaceSize(_ size: Int, _ rows: Int, _ columns: Int) throws(V2GError) -> Int {
        if size == 0 && rows > 0 && columns > 0 {
            throw V2GError(code: .overflow, message: "linear sum assignment: \(rows)x\(columns) is too large")
        }
        return size
    }

    private static func checkShape(_ costs: SparseCostMatrix) throws(V2GError) {
        guard costs.rowStart.count == costs.rows + 1, costs.columnIndices.count == costs.costs.count,
              costs.rowStart.last.map({ $0 == Int64(costs.costs.count) }) ?? false else {
            throw V2GError(code: .invalid, message: "sparse costs: rowStart must have rows + 1 entries ending at the number of costs")
        }
    }
}
