import Foundation
import Testing
import V2GKit
@testable import V2GLedger

/// A fresh directory for one test's files, removed when the test ends.
final class TemporaryDirectory {
    let path: String
    init() throws {
        path = NSTemporaryDirectory() + "v2g-store-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// A campus chain of genesis blocks and `rounds` rounds (one fake consumer), and a store holding all of it.
func storedCampus(rounds: UInt64, in directory: TemporaryDirectory) throws -> (CampusNetwork, LedgerStore) {
    let campus = try makeCampus()
    for round in 1...rounds {
        try campus.runRound(round, requests: roundRequests(round), offers: roundOffers(round)) { request, allocated in
            request.entry.consumer == "F1" ? 0 : allocated
        }
    }
    let store = try LedgerStore(path: directory.file("ledger.db"))
    for (i, block) in campus.blocks.enumerated() {
        #expect(try store.append(block) == Int64(i + 1))
    }
    return (campus, store)
}

@Suite("Ledger store: SQLite persistence, verification and export")
struct StoreTests {
    /// A node replays its store at start: block by block, so a store months long never sits in memory whole
    /// (it did, through `blocks()`), and a block that does not replay stops the reading there.
    @Test func blocksStreamInCommitOrderAndStopAtTheFirstFailure() throws {
        let directory = try TemporaryDirectory()
        let (campus, store) = try storedCampus(rounds: 3, in: directory)
        var seen: [Digest] = []
        try store.forEachBlock { seen.append($0.hash) }
        #expect(seen == campus.blocks.map(\.hash))
        var read = 0
        #expect(throws: LedgerError.self) {
            try store.forEachBlock { (_) throws(LedgerError) in
                read += 1
                if read == 4 { throw LedgerError(.store, "stop") }
            }
        }
        #expect(read == 4)
        // The read transaction ended with the failure: the store reads again from the start.
        let replay = Ledger()
        try store.forEachBlock { (b) throws(LedgerError) in try replay.append(b) }
        #expect(replay.balances == campus.ledger.balances)
    }

    @Test func blocksSurviveReopening() throws {
        let directory = try TemporaryDirectory()
        let (campus, store) = try storedCampus(rounds: 3, in: directory)
        #expect(try store.count == campus.blocks.count)
        let reopened = try LedgerStore(path: directory.file("ledger.db"))
        #expect(try reopened.count == campus.blocks.count)
        #expect(try reopened.blocks() == campus.blocks)
        for block in campus.blocks {
            #expect(try reopened.block(channel: block.channel, height: block.height) == block)
        }
        #expect(try reopened.block(channel: .bocs, height: 0) == nil)
        let report = reopened.verify()
        #expect(report.isValid, "\(report)")
        #expect(report.blocks == campus.blocks.count)
        #expect(report.heights == [.boe: 6, .boev: 3])
        #expect(report.description == "ok: \(campus.blocks.count) blocks (BoE h=6, BoEV h=3)")
    }

    @Test func duplicateHeightIsRefusedAndNothingPartialIsLeft() throws {
        let directory = try TemporaryDirectory()
        let (campus, store) = try storedCampus(rounds: 1, in: directory)
        let count = try store.count
        #expect(throws: LedgerError.self) { try store.append(campus.blocks[3]) }
        // A new height whose transaction is already stored: the block row goes in, the transaction row fails,
        // and the whole SQL transaction is rolled back.
        let last = campus.blocks.last!
        let again = Block(channel: last.channel, height: last.height + 1, previous: last.hash, timestamp: last.timestamp,
                          orderer: campus.orderer, transactions: [last.transactions[0]])
        do {
            try store.append(again)
            Issue.record("a block repeating a stored transaction was stored")
        } catch {
            #expect(error.code == .store)
        }
        #expect(try store.count == count)
        #expect(try store.block(channel: again.channel, height: again.height) == nil)
        #expect(try store.integers("SELECT count(*) FROM transactions", columns: 1)[0][0]
                == Int64(campus.blocks.reduce(0) { $0 + $1.transactions.count }))
        #expect(store.verify().isValid)
    }

    /// One byte flipped anywhere in a stored block or transaction is found, at the right block.
    @Test func tamperingIsFoundAtTheRightBlock() throws {
        let directory = try TemporaryDirectory()
        let (campus, store) = try storedCampus(rounds: 3, in: directory)
        var rng = SplitMix64(seed: 42)
        for sample in 0..<40 {
            let seq = rng.int(1...campus.blocks.count)
            let block = campus.blocks[seq - 1]
            var tampered: [UInt8]
            var transaction: Int?
            if sample % 2 == 0 {
                tampered = block.encoded
                tampered[rng.int(0...tampered.count - 1)] ^= UInt8(1) << rng.int(0...7)
                try store.execute("UPDATE blocks SET bytes = ?1 WHERE seq = ?2", [.blob(tampered), .integer(Int64(seq))])
            } else {
                let index = rng.int(0...block.transactions.count - 1)
                transaction = index
                tampered = block.transactions[index].encoded
                tampered[rng.int(0...tampered.count - 1)] ^= rng.int(1...255)
                try store.execute("UPDATE transactions SET bytes = ?1 WHERE seq = ?2 AND idx = ?3",
                                  [.blob(tampered), .integer(Int64(seq)), .integer(Int64(index))])
            }
            let report = store.verify()
            let failure = try #require(report.failure, "sample \(sample): a flipped byte went unnoticed")
            #expect(failure.seq == Int64(seq))
            #expect(failure.channel == block.channel)
            #expect(failure.height == block.height)
            #expect(report.blocks == seq - 1)
            if let transaction { #expect(failure.transaction == transaction) }
            #expect(failure.description.hasPrefix("\(block.channel) block \(block.height)"))
            // Put the bytes back.
            if let transaction {
                try store.execute("UPDATE transactions SET bytes = ?1 WHERE seq = ?2 AND idx = ?3",
                                  [.blob(block.transactions[transaction].encoded), .integer(Int64(seq)), .integer(Int64(transaction))])
            } else {
                try store.execute("UPDATE blocks SET bytes = ?1 WHERE seq = ?2", [.blob(block.encoded), .integer(Int64(seq))])
            }
            #expect(store.verify().isValid)
        }
    }

    @Test func missingTransactionRowIsFound() throws {
        let directory = try TemporaryDirectory()
        let (campus, store) = try storedCampus(rounds: 1, in: directory)
        try store.execute("DELETE FROM transactions WHERE seq = 4 AND idx = 1")
        let failure = try #require(store.verify().failure)
        #expect(failure.channel == campus.blocks[3].channel && failure.height == campus.blocks[3].height)
        #expect(failure.transaction == 1)
    }

    @Test func undecodableBlockIsNamed() throws {
        let directory = try TemporaryDirectory()
        let (campus, store) = try storedCampus(rounds: 2, in: directory)
        let block = campus.blocks[5]
        try store.execute("UPDATE blocks SET bytes = ?1 WHERE seq = 6", [.blob(Array(block.encoded.prefix(60)))])
        let failure = try #require(store.verify().failure)
        #expect(failure.channel == block.channel && failure.height == block.height && failure.error.code == .malformed)
        do {
            _ = try store.blocks()
            Issue.record("a truncated block was decoded")
        } catch {
            #expect(error.height == block.height)
            #expect(error.message.hasPrefix("\(block.channel): "))
        }
    }

    /// The export file is docs/wire-format.md §7, read here with nothing but the byte reader.
    @Test func exportFollowsTheWireFormat() throws {
        let directory = try TemporaryDirectory()
        let (campus, store) = try storedCampus(rounds: 2, in: directory)
        let path = directory.file("chain.v2gexp")
        try store.export(to: path)
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(bytes.starts(with: Array("V2GEXP01".utf8)))
        var r = ByteReader(bytes)
        try r.tag("V2GEXP01")
        let chains = try r.list("chains") { (r) throws(LedgerError) -> (UInt8, [Block]) in
            let channel = try r.u8("channel")
            let blocks = try r.list("blocks") { (r) throws(LedgerError) in try Block(decoding: r.bytes("block")) }
            return (channel, blocks)
        }
        try r.finish("export")
        #expect(chains.map(\.0) == [Channel.boe.rawValue, Channel.boev.rawValue])
        for (channel, blocks) in chains {
            #expect(blocks == campus.blocks.filter { $0.channel.rawValue == channel })
            #expect(blocks.map(\.height) == Array(0..<UInt64(blocks.count)))
        }
    }

    @Test func newerSchemaIsRefused() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("ledger.db")
        do {
            let store = try LedgerStore(path: path)
            #expect(try store.integers("PRAGMA user_version", columns: 1) == [[Int64(LedgerStore.schemaVersion)]])
            try store.execute("PRAGMA user_version = \(LedgerStore.schemaVersion + 1)")
        }
        do {
            _ = try LedgerStore(path: path)
            Issue.record("a store of a newer schema was opened")
        } catch {
            #expect(error.code == .store)
            #expect(error.message.contains("schema version \(LedgerStore.schemaVersion + 1)"))
        }
    }

    @Test func otherDatabasesAreRefused() throws {
        let directory = try TemporaryDirectory()
        let foreign = directory.file("other.db")
        do { try Connection.open(foreign).get().execute("CREATE TABLE notes(text TEXT)").get() }
        #expect(throws: LedgerError.self) { try LedgerStore(path: foreign) }
        let text = directory.file("text.db")
        try "not a database, just text that is long enough to have a header".write(toFile: text, atomically: true, encoding: .utf8)
        do {
            _ = try LedgerStore(path: text)
            Issue.record("a text file was opened as a store")
        } catch {
            #expect(error.code == .store)
            #expect(error.message.contains("not a database"))
        }
    }
}

@Suite("Read-only stores")
struct ReadOnlyStoreTests {
    @Test func aReaderSeesCommitsAndChangesNothing() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ro-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("ledger.db").path
        // Nothing is created for a reader.
        #expect(throws: LedgerError.self) { try LedgerStore(path: path, access: .readOnly) }
        #expect(!FileManager.default.fileExists(atPath: path))

        let campus = try SyntheticCampus(seed: 3)
        try campus.run(rounds: 2, into: try LedgerStore(path: dir.appendingPathComponent("source.db").path))
        let blocks = campus.network.blocks
        let writer = try LedgerStore(path: path)
        for b in blocks.prefix(3) { try writer.append(b) }
        let reader = try LedgerStore(path: path, access: .readOnly)
        #expect(try reader.count == 3)
        // The writer goes on; the reader sees each block once it is committed.
        for (i, b) in blocks.enumerated().dropFirst(3) {
            try writer.append(b)
            #expect(try reader.count == i + 1)
        }
        let last = blocks.last!
        #expect(try reader.block(channel: last.channel, height: last.height) == last)
        #expect(reader.verify().isValid)
        // And may not write.
        let stray = blocks[0]
        #expect(throws: LedgerError.self) { try reader.append(stray) }
    }
}

@Suite("One name per matcher on the ledger")
struct MatchAlgorithmWireTests {
    @Test func everyAlgorithmHasItsOwnCodeAndRoundTrips() throws {
        let codes = MatchAlgorithm.allCases.map(\.wireCode)
        #expect(Set(codes).count == codes.count)
        #expect(codes.sorted() == Array(1...8))
        #expect(MatchAlgorithm(wireCode: 0) == nil && MatchAlgorithm(wireCode: 9) == nil)
        for a in MatchAlgorithm.allCases { #expect(MatchAlgorithm(wireCode: a.wireCode) == a) }
        // The codes recorded before the double auction had one are unchanged.
        #expect([MatchAlgorithm.ret, .sretDouble, .sretSingleEnergy, .sretSingleCount, .greedy, .hungarian].map(\.wireCode) == [1, 2, 3, 4, 5, 6])
        #expect(MatchAlgorithm.sretDoubleBestFit.wireCode == 8)
    }
}
