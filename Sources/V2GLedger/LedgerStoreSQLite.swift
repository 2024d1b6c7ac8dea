internal import CSQLite

// The store's only contact with SQLite: one small adapter per sqlite3 call, each returning a `Result` whose
// failure carries SQLite's own message. `Connection` and `Statement` own the C handles and free them in `deinit`;
// a statement keeps its connection alive, so `sqlite3_close_v2` runs only after every statement is finalised.

/// What a failed sqlite3 call leaves: `LedgerError(.store, "context: sqlite's message")`.
private func storeError(_ db: OpaquePointer?, _ code: Int32, _ context: String) -> LedgerError {
    let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(code))
    return LedgerError(.store, "\(context): \(message)")
}

/// SQLite's "copy the bytes now" destructor, `SQLITE_TRANSIENT`, which the C macro hides behind a cast.
private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// An open database connection.
final class Connection {
    let handle: OpaquePointer

    private init(handle: OpaquePointer) { self.handle = handle }

    /// Opens the database file at `path`: read-write, creating it if missing, or read-only (never creating).
    ///
    /// The corresponding C function is `sqlite3_open_v2`.
    static func open(_ path: String, readOnly: Bool = false) -> Result<Connection, LedgerError> {
        var db: OpaquePointer?
        let mode = readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
        let code = sqlite3_open_v2(path, &db, mode | SQLITE_OPEN_NOMUTEX, nil)
        guard code == SQLITE_OK, let db else {
            let error = storeError(db, code, "cannot open \(path)")
            sqlite3_close_v2(db)  // a handle is returned even on failure and must be released
            return .failure(error)
        }
        return .success(Connection(handle: db))
    }

    /// The corresponding C function is `sqlite3_close_v2`.
    deinit { sqlite3_close_v2(handle) }

    /// Whether the last failure was SQLite refusing to write through a read-only connection (a hot journal
    /// or a WAL that needs recovery, left by a writer that was killed).
    ///
    /// The corresponding C function is `sqlite3_extended_errcode`.
    var lastFailureNeedsWrite: Bool { sqlite3_extended_errcode(handle) & 0xff == SQLITE_READONLY }

    /// How long a statement waits for another connection's lock before failing with SQLITE_BUSY.
    ///
    /// The corresponding C function is `sqlite3_busy_timeout`.
    func busyTimeout(milliseconds: Int32) -> Result<Void, LedgerError> {
        let code = sqlite3_busy_timeout(handle, milliseconds)
        return code == SQLITE_OK ? .success(()) : .failure(storeError(handle, code, "busy timeout"))
    }

    /// Runs one or more SQL statements that take no parameters and whose rows are not needed.
    ///
    /// The corresponding C function is `sqlite3_exec`.
    func execute(_ sql: String) -> Result<Void, LedgerError> {
        let code = sqlite3_exec(handle, sql, nil, nil, nil)
        return code == SQLITE_OK ? .success(()) : .failure(storeError(handle, code, sql))
    }

    /// Compiles one statement, to be kept and reused.
    ///
    /// The corresponding C function is `sqlite3_prepare_v3` (with `SQLITE_PREPARE_PERSISTENT`).
    func prepare(_ sql: String) -> Result<Statement, LedgerError> {
        var statement: OpaquePointer?
        let code = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard code == SQLITE_OK, let statement else { return .failure(storeError(handle, code, "prepare \(sql)")) }
        return .success(Statement(handle: statement, connection: self, sql: sql))
    }
}

/// A compiled statement, reset after each use so it can run again.
final class Statement {
    let handle: OpaquePointer
    let connection: Connection
    let sql: String

    fileprivate init(handle: OpaquePointer, connection: Connection, sql: String) {
        self.handle = handle
        self.connection = connection
        self.sql = sql
    }

    /// The corresponding C function is `sqlite3_finalize`.
    deinit { sqlite3_finalize(handle) }

    /// Binds a 64-bit integer to parameter `index` (1-based).
    ///
    /// The corresponding C function is `sqlite3_bind_int64`.
    func bind(_ index: Int32, _ value: Int64) -> Result<Void, LedgerError> {
        let code = sqlite3_bind_int64(handle, index, value)
        return code == SQLITE_OK ? .success(()) : .failure(storeError(connection.handle, code, "bind ?\(index) of \(sql)"))
    }

    /// Binds a copy of `bytes` as a BLOB to parameter `index` (1-based).
    ///
    /// The corresponding C functions are `sqlite3_bind_blob64` and, for no bytes (which SQLite would otherwise
    /// read as NULL), `sqlite3_bind_zeroblob`.
    func bind(_ index: Int32, _ bytes: ArraySlice<UInt8>) -> Result<Void, LedgerError> {
        let code = bytes.withUnsafeBytes { buffer in
            guard let start = buffer.baseAddress, !buffer.isEmpty else { return sqlite3_bind_zeroblob(handle, index, 0) }
            return sqlite3_bind_blob64(handle, index, start, UInt64(buffer.count), transient)
        }
        return code == SQLITE_OK ? .success(()) : .failure(storeError(connection.handle, code, "bind ?\(index) of \(sql)"))
    }

    /// Advances to the next row: `true` if there is one, `false` when the statement is done.
    ///
    /// The corresponding C function is `sqlite3_step`.
    func step() -> Result<Bool, LedgerError> {
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return .success(true)
        case SQLITE_DONE: return .success(false)
        case let code: return .failure(storeError(connection.handle, code, sql))
        }
    }

    /// Rewinds the statement and forgets its bindings, ready for the next use. Errors of the last step were
    /// already reported by `step`, so the result of `sqlite3_reset` is not.
    ///
    /// The corresponding C functions are `sqlite3_reset` and `sqlite3_clear_bindings`.
    func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    /// Column `index` (0-based) of the current row as a 64-bit integer.
    ///
    /// The corresponding C function is `sqlite3_column_int64`.
    func int64(_ index: Int32) -> Int64 { sqlite3_column_int64(handle, index) }

    /// Column `index` (0-based) of the current row as bytes (a copy; empty for NULL).
    ///
    /// The corresponding C functions are `sqlite3_column_blob` and `sqlite3_column_bytes`.
    func blob(_ index: Int32) -> [UInt8] {
        guard let start = sqlite3_column_blob(handle, index) else { return [] }
        let count = Int(sqlite3_column_bytes(handle, index))
        return [UInt8](UnsafeRawBufferPointer(start: start, count: count))
    }

    /// Column `index` (0-based) of the current row as text (empty for NULL).
    ///
    /// The corresponding C function is `sqlite3_column_text`.
    func text(_ index: Int32) -> String {
        guard let start = sqlite3_column_text(handle, index) else { return "" }
        return String(cString: start)
    }
}

/// A parameter of an ad-hoc statement.
enum SQLValue {
    case integer(Int64)
    /// Bound as a copy: a slice of a larger buffer binds without copying it first.
    case blob(ArraySlice<UInt8>)

    static func blob(_ bytes: [UInt8]) -> SQLValue { .blob(bytes[...]) }
}

extension Statement {
    /// Binds `parameters` to ?1, ?2, …, runs `body` over each row, and resets the statement, whatever happens.
    func run(_ parameters: [SQLValue] = [], row body: (Statement) throws(LedgerError) -> Void = { _ in }) throws(LedgerError) {
        defer { reset() }
        for (i, parameter) in parameters.enumerated() {
            switch parameter {
            case .integer(let value): try bind(Int32(i + 1), value).get()
            case .blob(let bytes): try bind(Int32(i + 1), bytes).get()
            }
        }
        while try step().get() { try body(self) }
    }

    /// Runs the statement and returns column 0 of its first row as an integer (nil if there is no row).
    func integer(_ parameters: [SQLValue] = []) throws(LedgerError) -> Int64? {
        var value: Int64?
        try run(parameters) { (s) throws(LedgerError) in if value == nil { value = s.int64(0) } }
        return value
    }
}
