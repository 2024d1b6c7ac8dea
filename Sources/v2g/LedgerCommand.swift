import ArgumentParser
import FoundationEssentials
import V2GKit
import V2GLedger
import V2GSim
import Glibc

/// `v2g ledger`: a peer's block store — verify, export, show, and a demo that writes one.
struct LedgerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger",
        abstract: "Inspect and check a ledger store (SQLite): verify, export, show; `demo` writes one.",
        subcommands: [LedgerVerifyCommand.self, LedgerExportCommand.self, LedgerShowCommand.self, LedgerDemoCommand.self, LedgerCrashWriterCommand.self])
}

/// Opens an existing store read-only; any failure is bad input (exit 2).
private func openStore(_ path: String) throws -> LedgerStore {
    do { return try LedgerStore.existing(path) } catch { throw CommandFailure.badInput(error.message) }
}

/// Opens a store for writing a new chain; any failure is bad input (exit 2).
private func openEmptyStore(_ path: String) throws -> LedgerStore {
    do { return try LedgerStore.empty(path) } catch { throw CommandFailure.badInput(error.message) }
}

struct LedgerVerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Replay every stored block through a fresh validator.",
        discussion: """
            Checks every block in commit order: it decodes, matches its row and the transactions table byte for byte,
            and passes full validation (signatures, endorsement policy, replay protection, hash chain, Merkle root,
            re-execution of allocation results, settlements and penalty updates). Prints "ok: N blocks (…)" and exits
            0, or prints the first bad block and the reason to standard error and exits 1.
            """)

    @Argument(help: "The ledger store (SQLite file).")
    var database: String

    @Flag(help: "Print the result as one JSON object (valid, blocksVerified, heights, failure) instead of a line.")
    var json = false

    func run() throws {
        let report = try openStore(database).verify()
        if json {
            print(Self.record(report).rendered(indent: nil))
            if !report.isValid { throw ExitCode(1) }
            return
        }
        if report.isValid {
            print(report)
        } else {
            StandardStreams.writeError("v2g: ledger verify: \(report) (\(report.blocks) blocks before it verified)\n")
            throw ExitCode(1)
        }
    }
}

extension LedgerVerifyCommand {
    /// The report as JSON: `valid`, `blocksVerified`, `heights` per channel, and the first `failure` (its channel,
    /// height, transaction, code and message), or null.
    static func record(_ report: VerificationReport) -> JSONValue {
        var heights = JSONObject()
        for c in Channel.allCases { if let h = report.heights[c] { heights[BlockSummary.label(c)] = .int(Int(h)) } }
        var failure = JSONValue.null
        if let f = report.failure {
            var o = JSONObject()
            o["channel"] = f.channel.map { .string(BlockSummary.label($0)) } ?? .null
            o["height"] = f.height.map { .int(Int($0)) } ?? .null
            o["transaction"] = f.transaction.map { .int($0) } ?? .null
            o["code"] = .string(f.error.code.rawValue)
            o["message"] = .string(f.error.message)
            failure = .object(o)
        }
        return .object(["valid": .bool(report.isValid), "blocksVerified": .int(report.blocks),
                        "heights": .object(heights), "failure": failure])
    }
}

struct LedgerExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the chain in the export format of docs/wire-format.md §7, for any third-party verifier.")

    @Argument(help: "The ledger store (SQLite file).")
    var database: String

    @Argument(help: "The export file to write.")
    var file: String

    func run() throws {
        let store = try openStore(database)
        do { try store.export(to: file) } catch { throw CommandFailure.badInput(error.message) }
        print("wrote \(try store.count) blocks to \(file)")
    }
}

struct LedgerShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print stored blocks: header fields and a one-line summary of each transaction.")

    @Argument(help: "The ledger store (SQLite file).")
    var database: String

    @Option(help: "Only this channel: boe, boev or bocs.")
    var channel: String?

    @Option(help: "Only blocks at this height.")
    var height: UInt64?

    @Flag(help: "Print one JSON object per block, one per line, instead of text.")
    var json = false

    func run() throws {
        let names = ["boe": Channel.boe, "boev": .boev, "bocs": .bocs]
        var only: Channel?
        if let channel {
            guard let c = names[channel.lowercased()] else { throw CommandFailure.badInput("--channel must be boe, boev or bocs") }
            only = c
        }
        let store = try openStore(database)
        let blocks: [Block]
        do { blocks = try store.blocks() } catch { throw CommandFailure.badInput("\(database): \(error)") }
        // Names come from the channels' configs, which every genesis block carries.
        var members: [PublicKey: String] = [:]
        for block in blocks where block.height == 0 {
            for tx in block.transactions where tx.kind == .config {
                for m in (try? ChannelConfig.decode(tx.payload))?.members ?? [] where members[m.key] == nil { members[m.key] = m.name }
            }
        }
        let selected = blocks.filter { (only == nil || $0.channel == only) && (height == nil || $0.height == height) }
        guard !selected.isEmpty else {
            throw CommandFailure.badInput("no such block in \(database)")
        }
        for block in selected {
            print(json ? BlockSummary.record(block, names: members).rendered(indent: nil) : BlockSummary.render(block, names: members))
        }
    }
}

/// The readable form of a block for `v2g ledger show`.
enum BlockSummary {
    static func render(_ block: Block, names: [PublicKey: String]) -> String {
        let time = Date(timeIntervalSince1970: TimeInterval(block.timestamp)).formatted(.iso8601)
        var lines = ["\(block.channel) block \(block.height)  hash \(block.hash)",
                     "  time \(time)  orderer \(name(block.orderer, names))  \(block.transactions.count) transactions"]
        for (i, tx) in block.transactions.enumerated() {
            lines.append("  [\(i)] \(tx.kind) by \(name(tx.author, names)) nonce \(tx.nonce), "
                         + "\(tx.endorsements.count) endorsements: \(tx.summary)")
        }
        return lines.joined(separator: "\n")
    }

    /// The channel as the CLI and the metrics spell it.
    static func label(_ channel: Channel) -> String { "\(channel)".lowercased() }

    /// A block as JSON: header fields, and per transaction its kind, author (key and member name), nonce,
    /// endorsement count and the one-line summary `render` prints.
    static func record(_ block: Block, names: [PublicKey: String]) -> JSONValue {
        let txs: [JSONValue] = block.transactions.enumerated().map { i, tx in
            .object(["index": .int(i), "kind": .string("\(tx.kind)"), "author": .string(tx.author.description),
                     "authorName": names[tx.author].map { .string($0) } ?? .null, "nonce": .int(Int(clamping: tx.nonce)),
                     "endorsements": .int(tx.endorsements.count), "summary": .string(tx.summary)])
        }
        return .object(["channel": .string(label(block.channel)), "height": .int(Int(block.height)),
                        "hash": .string(block.hash.description), "timestampUnixS": .int(Int(clamping: block.timestamp)),
                        "orderer": .string(block.orderer.description),
                        "ordererName": names[block.orderer].map { .string($0) } ?? .null,
                        "transactions": .array(txs)])
    }

    private static func name(_ key: PublicKey, _ names: [PublicKey: String]) -> String {
        let short = String(key.description.prefix(12))
        return names[key].map { "\($0) (\(short)…)" } ?? short + "…"
    }

}

struct LedgerDemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run RET trading rounds on a campus ledger and store every block (the store must be new or empty).")

    @Argument(help: "The ledger store to create (SQLite file).")
    var database: String

    @Option(help: "Number of RET rounds.")
    var rounds = 3

    @Option(help: "Seed for the generated requests, offers and deliveries.")
    var seed: UInt64 = 2024

    func run() throws {
        guard rounds > 0 else { throw CommandFailure.badInput("--rounds must be at least 1") }
        let store = try openEmptyStore(database)
        let campus = try SyntheticCampus(seed: seed)
        try campus.run(rounds: rounds, into: store, round: { round, result in
            print("round \(round): \(result.allocations.count) allocations, \(result.allocatedWh) of \(result.demandWh) Wh, "
                  + "\(result.fulfilledCount)/\(result.outcomes.count) requests fulfilled")
        })
        let penalised = campus.network.ledger.penalties.consumers.keys.map { "\($0.exchange.rawValue)/\($0.consumer.rawValue)" }.sorted()
        print("penalised consumers: " + (penalised.isEmpty ? "none" : penalised.joined(separator: ", ")))
        print("stored \(try store.count) blocks in \(database)")
    }
}

/// For the crash-safety test: the demo, printing "committed SEQ" the moment each block's append returns.
struct LedgerCrashWriterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crash-writer", abstract: "Write rounds, reporting each committed block (for crash tests).",
        shouldDisplay: false)

    @Argument(help: "The ledger store to create (SQLite file).")
    var database: String

    @Option(help: "Number of RET rounds.")
    var rounds = 1000

    @Option(help: "Seed for the generated requests, offers and deliveries.")
    var seed: UInt64 = 7

    func run() throws {
        guard rounds > 0 else { throw CommandFailure.badInput("--rounds must be at least 1") }
        let store = try openEmptyStore(database)
        let campus = try SyntheticCampus(seed: seed)
        try campus.run(rounds: rounds, into: store, committed: { seq in
            // One write(2) per line, nothing buffered: once the reader sees the line, the append has returned.
            StandardStreams.writeOutput("committed \(seq)\n")
        })
    }
}
