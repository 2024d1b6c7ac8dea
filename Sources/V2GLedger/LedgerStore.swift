import FoundationEssentials
import V2GKit

/// A durable store of committed blocks: a peer's copy of the ledger in one SQLite file (SPEC §6 "Storage").
///
/// Each block is kept as its canonical encoding (docs/wire-format.md §4) with a global commit sequence, and each of
/// its transactions as its own row, so that blocks come back in exactly the order they were committed across
/// channels (an allocation result on BoE refers to offers on BoEV, so replay must follow that order).
///
/// The database runs in WAL mode with `synchronous=FULL`, and every block is written in one SQL transaction:
/// once `append` returns the block survives a crash or power loss, and a crash at any earlier instant leaves no
/// trace of it. The store does not validate: a peer checks a block with `Ledger.append` before storing it, and
/// `verify()` checks the whole file again.
///
/// A store is not safe to use from several threads at once; several processes may open the same file.
public final class LedgerStore {
    /// The newest schema this code knows; `PRAGMA user_version` of a store it has opened.
    public static var schemaVersion: Int { migrations.count }

    /// `PRAGMA application_id` of a store: "V2GL".
    static let applicationID: Int64 = 0x5632_474C

    /// Schema migrations: applying `migrations[v]` to a version-v store makes it version v + 1.
    static let migrations: [String] = [
        // 1: blocks with their global commit sequence, and every block's transactions.
        """
        CREATE TABLE blocks(
            seq     INTEGER PRIMARY KEY,
            channel INTEGER NOT NULL,
            height  INTEGER NOT NULL,
            hash    BLOB NOT NULL,
            bytes   BLOB NOT NULL,
            UNIQUE(channel, height));
        CREATE TABLE transactions(
            id    BLOB PRIMARY KEY,
            seq   INTEGER NOT NULL REFERENCES blocks(seq),
            idx   INTEGER NOT NULL,
            bytes BLOB NOT NULL,
            UNIQUE(seq, idx));
        PRAGMA application_id = \(applicationID);
        """,
    ]

    /// How a store is opened.
    public enum Access: Sendable {
        /// Creates the file if missing and brings an older schema up to date.
        case readWrite
        /// Changes nothing: the file must exist with the current schema. In WAL mode a reader sees every block
        /// committed before each read began, while another connection (or process) writes.
        case readOnly
    }

    /// Where the store lives.
    public let path: String
    /// How it was opened.
    public let access: Access

    private let connection: Connection
    private let begin: Statement, beginRead: Statement, commit: Statement, rollback: Statement
    private let insertBlock: Statement, insertTransaction: Statement
    private let countBlocks: Statement, countTransactions: Statement, integrityCheck: Statement
    private let selectBlocks: Statement, selectBlock: Statement, selectChannel: Statement, selectTransactions: Statement

    /// An existing store, opened read-only for inspection: nothing is created, migrated or written.
    /// - Throws: `LedgerError(.store, …)` naming `path`: no file there, a directory, or not a usable store.
    public static func existing(_ path: String) throws(LedgerError) -> LedgerStore {
        var isDirectory = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory else {
            throw LedgerError(.store, "no ledger store at \(path)")
        }
        do { return try LedgerStore(path: path, access: .readOnly) } catch {
            throw LedgerError(.store, "\(path) is not a usable ledger store: \(error.message)")
        }
    }

    /// A store for a new chain: created if missing, refused if it already holds blocks.
    /// - Throws: `LedgerError(.store, …)` naming `path`.
    public static func empty(_ path: String) throws(LedgerError) -> LedgerStore {
        let store: LedgerStore
        do { store = try LedgerStore(path: path) } catch {
            throw LedgerError(.store, "cannot create a ledger store at \(path): \(error.message)")
        }
        let count = try store.count
        guard count == 0 else { throw LedgerError(.store, "\(path) already holds \(count) blocks") }
        return store
    }

    /// Opens the store at `path`; read-write, it creates the file if it does not exist and brings an older
    /// schema up to date.
    ///
    /// - Parameters:
    ///   - path: The SQLite file.
    ///   - access: `.readOnly` writes nothing, not even a missing file or a schema migration.
    /// - Throws: `LedgerError(.store, …)` with SQLite's message if the file cannot be opened, is not a SQLite
    ///   database or not a V2GKit store, or was written by a newer version of this code (or, read-only, by an
    ///   older one).
    public init(path: String, access: Access = .readWrite) throws(LedgerError) {
        self.path = path
        self.access = access
        if access == .readOnly {
            // SQLite reads an empty or cut-off file as an empty database: name what it really is.
            guard let size = Path.fileSize(path) else {
                throw LedgerError(.store, "no ledger store at \(path)")
            }
            guard size > 0 else { throw LedgerError(.store, "\(path) is empty: not a ledger store") }
            guard size >= 512 else {
                throw LedgerError(.store, "\(path) is \(size) bytes, shorter than any SQLite database: truncated or not a store")
            }
        }
        var connection = try Connection.open(path, readOnly: access == .readOnly).get()
        try connection.busyTimeout(milliseconds: 10_000).get()

        // Look before writing anything: another application's database is left exactly as it was.
        var version: Int64
        do {
            version = try connection.prepare("PRAGMA user_version").get().integer() ?? 0
        } catch where access == .readOnly && connection.lastFailureNeedsWrite {
            connection = try Self.recoveredCopy(of: path)
            version = try connection.prepare("PRAGMA user_version").get().integer() ?? 0
        }
        self.connection = connection
        let application = try connection.prepare("PRAGMA application_id").get().integer() ?? 0
        let objects = try connection.prepare("SELECT count(*) FROM sqlite_schema").get().integer() ?? 0
        guard version <= Int64(Self.schemaVersion) else {
            throw LedgerError(.store, "\(path) has schema version \(version); this V2GKit knows up to \(Self.schemaVersion)")
        }
        guard version == 0 ? objects == 0 : application == Self.applicationID else {
            throw LedgerError(.store, "\(path) is a SQLite database but not a V2GKit ledger store")
        }

        if access == .readOnly {
            guard version != 0 || objects != 0 else { throw LedgerError(.store, "\(path) holds no ledger store (an empty database)") }
            guard version == Int64(Self.schemaVersion) else {
                throw LedgerError(.store, "\(path) has schema version \(version), not \(Self.schemaVersion); open it read-write once to migrate it")
            }
        } else {
            let mode = try connection.prepare("PRAGMA journal_mode=WAL").get()
            var journal = ""
            try mode.run { s in journal = s.text(0) }
            guard journal.lowercased() == "wal" else { throw LedgerError(.store, "\(path): cannot use WAL (journal mode \(journal))") }
            try connection.execute("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON").get()
        }

        begin = try connection.prepare("BEGIN IMMEDIATE").get()
        beginRead = try connection.prepare("BEGIN DEFERRED").get()
        commit = try connection.prepare("COMMIT").get()
        rollback = try connection.prepare("ROLLBACK").get()
        if access == .readWrite { try Self.migrate(connection, begin: begin, commit: commit, rollback: rollback) }

        insertBlock = try connection.prepare("INSERT INTO blocks(channel, height, hash, bytes) VALUES (?1, ?2, ?3, ?4) RETURNING seq").get()
        insertTransaction = try connection.prepare("INSERT INTO transactions(id, seq, idx, bytes) VALUES (?1, ?2, ?3, ?4)").get()
        countBlocks = try connection.prepare("SELECT count(*) FROM blocks").get()
        integrityCheck = try connection.prepare("PRAGMA integrity_check").get()
        countTransactions = try connection.prepare("SELECT count(*) FROM transactions").get()
        selectBlocks = try connection.prepare("SELECT seq, channel, height, hash, bytes FROM blocks ORDER BY seq").get()
        selectBlock = try connection.prepare("SELECT bytes FROM blocks WHERE channel = ?1 AND height = ?2").get()
        selectChannel = try connection.prepare("SELECT height, bytes FROM blocks WHERE channel = ?1 ORDER BY height").get()
        selectTransactions = try connection.prepare("SELECT id, idx, bytes FROM transactions WHERE seq = ?1 ORDER BY idx").get()
    }

    /// A read-only connection to a recovered private copy of `path`, for a store that a killed writer left
    /// with a hot journal or a WAL needing recovery: SQLite must write to read it, and inspection never writes
    /// to the evidence. The copy (file, `-wal`, `-journal`) is recovered by a read-write connection, switched
    /// out of WAL so it stands alone, opened read-only and unlinked at once.
    private static func recoveredCopy(of path: String) throws(LedgerError) -> Connection {
        let files = FileManager.default
        let directory = files.temporaryDirectory.appendingPathComponent("v2g-inspect-\(UUID().uuidString)").path
        defer { try? files.removeItem(atPath: directory) }
        let copy = directory + "/store.db"
        do {
            try files.createDirectory(atPath: directory, withIntermediateDirectories: false,
                                      attributes: [.posixPermissions: 0o700])
            try files.copyItem(atPath: path, toPath: copy)
            for suffix in ["-wal", "-journal"] where files.fileExists(atPath: path + suffix) {
                try files.copyItem(atPath: path + suffix, toPath: copy + suffix)
            }
        } catch {
            throw LedgerError(.store, "\(path) needs recovery (its writer was interrupted) and cannot be copied to recover: \(error)")
        }
        do {
            let writer = try Connection.open(copy).get()
            try writer.busyTimeout(milliseconds: 10_000).get()
            _ = try writer.prepare("PRAGMA user_version").get().integer()
            try writer.execute("PRAGMA journal_mode=DELETE").get()
        }
        let reader = try Connection.open(copy, readOnly: true).get()
        try reader.busyTimeout(milliseconds: 10_000).get()
        return reader
    }

    /// Applies the migrations the file lacks, each in its own transaction together with its new `user_version`.
    private static func migrate(_ connection: Connection, begin: Statement, commit: Statement, rollback: Statement) throws(LedgerError) {
        let readVersion = try connection.prepare("PRAGMA user_version").get()
        while true {
            try begin.run()
            do {
                // Read again under the write lock: another process may have migrated in the meantime.
                let version = Int(try readVersion.integer() ?? 0)
                guard version < migrations.count else {
                    try commit.run()
                    return
                }
                try connection.execute(migrations[version]).get()
                try connection.execute("PRAGMA user_version = \(version + 1)").get()
                try commit.run()
            } catch {
                try? rollback.run()
                throw error
            }
        }
    }

    /// The number of blocks stored.
    public var count: Int {
        get throws(LedgerError) { Int(try countBlocks.integer() ?? 0) }
    }

    /// Persists `block` and its transactions in one SQL transaction, durably, after every block before it.
    ///
    /// The caller validates the block first (`Ledger.append`); the store only checks that no block of the same
    /// channel and height, and no transaction with the same ID, is stored already.
    ///
    /// - Parameter block: A validated block.
    /// - Returns: The block's commit sequence number: 1 for the first block stored, then 2, 3, ….
    /// - Throws: `LedgerError(.store, …)` with SQLite's message; nothing of the block is stored then.
    @discardableResult
    public func append(_ block: Block) throws(LedgerError) -> Int64 {
        // The block's encoding, each transaction's rows bound from a slice of it: a block of 10,000 offers is
        // held once (4 MB), not twice.
        var blockBytes = ByteWriter()
        blockBytes.raw(block.header)
        blockBytes.signature(block.signature)
        var transactions: [(id: Digest, range: Range<Int>)] = []
        transactions.reserveCapacity(block.transactions.count)
        for tx in block.transactions {
            let start = blockBytes.bytes.count + 4   // after the length prefix
            blockBytes.bytes(tx.encoded)
            transactions.append((tx.id, start..<blockBytes.bytes.count))
        }
        let encoded = blockBytes.bytes

        try begin.run()
        do throws(LedgerError) {
            guard let seq = try insertBlock.integer([.integer(Int64(block.channel.rawValue)),
                                                     .integer(Int64(bitPattern: block.height)),
                                                     .blob(block.hash.bytes), .blob(encoded)]) else {
                throw LedgerError(.store, "no sequence number for \(block.channel) block \(block.height)")
            }
            for (i, (id, range)) in transactions.enumerated() {
                try insertTransaction.run([.blob(id.bytes), .integer(seq), .integer(Int64(i)), .blob(encoded[range])])
            }
            try commit.run()
            return seq
        } catch {
            try? rollback.run()
            throw LedgerError(.store, "\(block.channel) block \(block.height): \(error.message)")
        }
    }

    /// Every stored block, decoded, in commit order.
    ///
    /// - Throws: `LedgerError(.store, …)` from SQLite, or the decoding error of the first block that does not
    ///   decode, naming its channel and height.
    public func blocks() throws(LedgerError) -> [Block] {
        var out: [Block] = []
        try forEachBlock { out.append($0) }
        return out
    }

    /// Hands every stored block, decoded, to `body` in commit order, one at a time: replaying a store holds one
    /// block in memory, not the chain (a gateway's store grows for months).
    ///
    /// - Throws: `LedgerError(.store, …)` from SQLite, the decoding error of the first block that does not decode
    ///   (naming its channel and height), or what `body` throws; no block after it is read.
    public func forEachBlock(_ body: (Block) throws(LedgerError) -> Void) throws(LedgerError) {
        try reading { () throws(LedgerError) in
            try selectBlocks.run { (s) throws(LedgerError) in try body(try StoredBlock(s).decoded()) }
        }
    }

    /// The block of `channel` at `height`, or nil if none is stored.
    ///
    /// - Throws: `LedgerError(.store, …)` from SQLite, or the block's decoding error.
    public func block(channel: Channel, height: UInt64) throws(LedgerError) -> Block? {
        var bytes: [UInt8]?
        try selectBlock.run([.integer(Int64(channel.rawValue)), .integer(Int64(bitPattern: height))]) { s in bytes = s.blob(0) }
        guard let bytes else { return nil }
        do { return try Block(decoding: bytes) } catch { throw error.placed(in: channel, height: height) }
    }

    /// Runs SQLite's `PRAGMA integrity_check` (tables, indexes, pages), then reads every block in commit order and
    /// checks it: that it decodes and matches its row, that the
    /// transactions table holds exactly its transactions byte for byte, and that a fresh `Ledger` accepts it after
    /// the blocks before it (signatures, endorsement policy, replay, hash chain, Merkle root, re-execution).
    ///
    /// - Returns: How many blocks passed and each channel's height, and the first bad block, if any, with its
    ///   channel, height, transaction index and the reason.
    public func verify() -> VerificationReport {
        var report = VerificationReport()
        let ledger = Ledger()
        var transactionRows: Int64 = 0
        do {
            // SQLite's own check first: a damaged index would otherwise serve blocks `verify` never read through it.
            var problems: [String] = []
            try integrityCheck.run { s in if problems.count < 3 { problems.append(s.text(0)) } }
            guard problems == ["ok"] else {
                report.failure = .init(error: LedgerError(.store, "SQLite integrity check: " + problems.joined(separator: "; ")))
                return report
            }
            try reading { () throws(LedgerError) in
                try selectBlocks.run { (s) throws(LedgerError) in
                    guard report.failure == nil else { return }
                    let row = StoredBlock(s)
                    if let failure = check(row, ledger: ledger, transactionRows: &transactionRows) {
                        report.failure = failure
                    } else {
                        report.blocks += 1
                        report.heights[row.channel!] = row.height
                    }
                }
                guard report.failure == nil else { return }
                let rows = try countTransactions.integer() ?? 0
                if rows != transactionRows {
                    report.failure = .init(error: LedgerError(.store, "\(rows - transactionRows) transaction rows belong to no block"))
                }
            }
        } catch {
            report.failure = report.failure ?? .init(error: error)
        }
        return report
    }

    /// The checks of `verify()` on one row, nil if it passes.
    private func check(_ row: StoredBlock, ledger: Ledger, transactionRows: inout Int64) -> VerificationReport.Failure? {
        func failure(_ error: LedgerError) -> VerificationReport.Failure {
            .init(seq: row.seq, channel: row.channel, height: row.height, transaction: error.transaction, error: error)
        }
        guard row.channel != nil else { return failure(LedgerError(.store, "the row's channel \(row.rawChannel) is unknown")) }
        let block: Block
        do { block = try Block(decoding: row.bytes) } catch { return failure(error) }
        guard block.channel == row.channel, block.height == row.height else {
            return failure(LedgerError(.chain, "the row is \(row.place) but the block is \(block.channel) block \(block.height)"))
        }
        guard block.hash.bytes == row.hash else { return failure(LedgerError(.chain, "the block's hash differs from its row's")) }
        do { try ledger.append(block) } catch { return failure(error) }

        var index = 0
        do {
            try selectTransactions.run([.integer(row.seq)]) { (s) throws(LedgerError) in
                let (id, idx, bytes) = (s.blob(0), s.int64(1), s.blob(2))
                guard index < block.transactions.count, idx == Int64(index) else {
                    throw LedgerError(.store, "transaction row \(idx) does not belong to the block", transaction: index)
                }
                let tx = block.transactions[index]
                guard bytes == tx.encoded, id == tx.id.bytes else {
                    throw LedgerError(.store, "transaction row differs from the block's transaction", transaction: index)
                }
                index += 1
            }
        } catch {
            return failure(error)
        }
        guard index == block.transactions.count else {
            return failure(LedgerError(.store, "transaction row missing", transaction: index))
        }
        transactionRows += Int64(index)
        return nil
    }

    /// Writes every block to `path` in the export format of docs/wire-format.md §7: the tag "V2GEXP01", then each
    /// channel in ascending order with its blocks in height order, exactly as stored.
    ///
    /// - Parameter path: The file to write (replaced atomically if it exists).
    /// - Throws: `LedgerError(.store, …)` if SQLite fails, a channel's heights have a gap, or the file cannot be
    ///   written.
    public func export(to path: String) throws(LedgerError) {
        var chains: [(Channel, [[UInt8]])] = []
        try reading { () throws(LedgerError) in
            for channel in Channel.allCases {
                var blocks: [[UInt8]] = []
                try selectChannel.run([.integer(Int64(channel.rawValue))]) { (s) throws(LedgerError) in
                    guard s.int64(0) == Int64(blocks.count) else {
                        throw LedgerError(.store, "\(channel) has no block at height \(blocks.count)")
                    }
                    blocks.append(s.blob(1))
                }
                if !blocks.isEmpty { chains.append((channel, blocks)) }
            }
        }
        var w = ByteWriter()
        w.tag("V2GEXP01")
        w.list(chains) { w, chain in
            w.u8(chain.0.rawValue)
            w.list(chain.1) { w, block in w.bytes(block) }
        }
        do {
            try Data(w.bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw LedgerError(.store, "cannot write \(path): \(error)")
        }
    }

    /// Runs `body` in one read transaction, so that it sees a single snapshot of the file.
    private func reading(_ body: () throws(LedgerError) -> Void) throws(LedgerError) {
        try beginRead.run()
        do {
            try body()
            try commit.run()
        } catch {
            try? rollback.run()
            throw error
        }
    }

    /// Runs an SQL statement on the store's connection: tests tamper with stored bytes through it.
    func execute(_ sql: String, _ parameters: [SQLValue] = []) throws(LedgerError) {
        try connection.prepare(sql).get().run(parameters)
    }

    /// Runs an SQL query and returns its rows' integer columns: tests find rows to tamper with through it.
    func integers(_ sql: String, _ parameters: [SQLValue] = [], columns: Int32) throws(LedgerError) -> [[Int64]] {
        var rows: [[Int64]] = []
        try connection.prepare(sql).get().run(parameters) { s in rows.append((0..<columns).map { s.int64($0) }) }
        return rows
    }
}

/// A row of the blocks table, as read.
private struct StoredBlock {
    var seq: Int64
    var channel: Channel?
    var rawChannel: Int64
    var height: UInt64
    var hash: [UInt8]
    var bytes: [UInt8]

    init(_ s: Statement) {
        seq = s.int64(0)
        rawChannel = s.int64(1)
        channel = UInt8(exactly: rawChannel).flatMap(Channel.init(rawValue:))
        height = UInt64(bitPattern: s.int64(2))
        hash = s.blob(3)
        bytes = s.blob(4)
    }

    var place: String { "\(channel.map { "\($0)" } ?? "channel \(rawChannel)") block \(height)" }

    func decoded() throws(LedgerError) -> Block {
        guard let channel else { throw LedgerError(.store, "row \(seq) has unknown channel \(rawChannel)", height: height) }
        do { return try Block(decoding: bytes) } catch { throw error.placed(in: channel, height: height) }
    }
}

extension LedgerError {
    /// The same error placed at a channel's block, the channel named in the message.
    func placed(in channel: Channel, height: UInt64) -> LedgerError {
        LedgerError(code, "\(channel): \(message)", height: height, transaction: transaction)
    }
}

/// What `LedgerStore.verify()` found.
public struct VerificationReport: Sendable, CustomStringConvertible {
    /// The first block that failed a check.
    public struct Failure: Sendable, CustomStringConvertible {
        /// The block's commit sequence number, if the failure concerns a block.
        public var seq: Int64?
        /// The block's channel, if the failure concerns a block (and its row names a known channel).
        public var channel: Channel?
        /// The block's height, if the failure concerns a block.
        public var height: UInt64?
        /// The index of the offending transaction in the block, if one is to blame.
        public var transaction: Int?
        /// The reason.
        public var error: LedgerError

        init(seq: Int64? = nil, channel: Channel? = nil, height: UInt64? = nil, transaction: Int? = nil, error: LedgerError) {
            self.seq = seq
            self.channel = channel
            self.height = height
            self.transaction = transaction
            self.error = error
        }

        /// "BoE block 4, transaction 2: badSignature: author signature does not verify".
        public var description: String {
            var place = ""
            if let height { place = "\(channel.map { "\($0)" } ?? "unknown channel") block \(height)" }
            if let transaction { place += (place.isEmpty ? "" : ", ") + "transaction \(transaction)" }
            return (place.isEmpty ? "" : place + ": ") + "\(error.code.rawValue): \(error.message)"
        }
    }

    /// Blocks that passed every check, in commit order before the first failure.
    public var blocks = 0
    /// The height of each channel's last good block.
    public var heights: [Channel: UInt64] = [:]
    /// The first failure; nil if the whole store verified.
    public var failure: Failure?

    /// Whether every block passed.
    public var isValid: Bool { failure == nil }

    /// "ok: 14 blocks (BoE h=8, BoEV h=4)", or the failure.
    public var description: String {
        if let failure { return failure.description }
        let heights = Channel.allCases.compactMap { c in self.heights[c].map { "\(c) h=\($0)" } }
        return "ok: \(blocks) blocks" + (heights.isEmpty ? "" : " (\(heights.joined(separator: ", ")))")
    }
}
