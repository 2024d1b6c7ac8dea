import Foundation
import Testing
import V2GLedger

/// A store and an exported chain written by an earlier release (Vectors/README.md) still open, verify and
/// replay: the wire format and the store's schema did not change under them.
@Suite("Stores and chains of earlier releases")
struct CompatibilityTests {
    static let vectors = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Vectors")

    @Test func anEarlierStoreAndItsExportStillVerify() throws {
        // A copy: SQLite keeps a WAL index beside any database it opens, even read-only.
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("compat-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let copy = scratch.appendingPathComponent("ledger.db")
        try FileManager.default.copyItem(at: Self.vectors.appendingPathComponent("store-33a3707.db"), to: copy)
        let store = try LedgerStore(path: copy.path, access: .readOnly)
        let report = store.verify()
        #expect(report.isValid, "\(report)")
        #expect(report.blocks == 8)
        let blocks = try store.blocks()

        // The export of the same store: every channel's blocks, byte for byte those of the store.
        let bytes = try [UInt8](Data(contentsOf: Self.vectors.appendingPathComponent("chain-33a3707.v2g")))
        var r = ByteReader(bytes)
        try r.tag("V2GEXP01")
        let chains = try r.list("chains") { (r) throws(LedgerError) -> (Channel, [Block]) in
            guard let channel = Channel(rawValue: try r.u8("channel")) else { throw LedgerError(.malformed, "channel") }
            return (channel, try r.list("blocks") { (r) throws(LedgerError) in try Block(decoding: try r.bytes("block")) })
        }
        try r.finish("export")
        for (channel, exported) in chains {
            #expect(exported == blocks.filter { $0.channel == channel }.sorted { $0.height < $1.height })
        }
        #expect(chains.reduce(0) { $0 + $1.1.count } == blocks.count)

        // And a ledger of this release replays it: signatures, policy, re-execution, settlement.
        let ledger = Ledger()
        for b in blocks { try ledger.append(b) }
        #expect(ledger.balances.values.reduce(0, +) == 0)
    }
}
