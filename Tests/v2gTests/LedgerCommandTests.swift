import Foundation
import Testing
@testable import V2GLedger
@testable import V2GGateway

/// A fresh directory for one test's files, removed when the test ends.
final class ScratchDirectory {
    let path: String
    init() throws {
        path = NSTemporaryDirectory() + "v2g-cli-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}

@Suite("v2g ledger")
struct LedgerCommandTests {
    @Test func demoVerifyExportShow() throws {
        let dir = try ScratchDirectory()
        let db = dir.file("campus.db")
        let demo = try CLI.run(["ledger", "demo", db, "--rounds", "3", "--seed", "5"])
        #expect(demo.status == 0, "\(demo.stderr)")
        #expect(demo.stdout.contains("stored 11 blocks"))   // 2 genesis blocks, then 3 per round

        let verify = try CLI.run(["ledger", "verify", db])
        #expect(verify.status == 0)
        #expect(verify.stdout == "ok: 11 blocks (BoE h=6, BoEV h=3)\n")
        #expect(verify.stderr.isEmpty)

        let file = dir.file("campus.v2gexp")
        let export = try CLI.run(["ledger", "export", db, file])
        #expect(export.status == 0, "\(export.stderr)")
        let bytes = try #require(FileManager.default.contents(atPath: file))
        #expect(bytes.starts(with: Array("V2GEXP01".utf8)))

        let show = try CLI.run(["ledger", "show", db, "--channel", "boe", "--height", "2"])
        #expect(show.status == 0)
        #expect(show.stdout.hasPrefix("BoE block 2  hash "))
        #expect(show.stdout.contains("allocationResult by CS"))
        #expect(show.stdout.contains("2 endorsements"))

        // --json: one object per block, the same facts as the text.
        let shown = try CLI.run(["ledger", "show", db, "--channel", "boe", "--json"])
        #expect(shown.status == 0, "\(shown.stderr)")
        let records = try shown.stdout.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        #expect(records.map { $0["height"] as? Int } == Array(0..<records.count).map { $0 })
        #expect(records.allSatisfy { $0["channel"] as? String == "boe" && ($0["hash"] as? String)?.count == 64 })
        let third = try #require(records[2]["transactions"] as? [[String: Any]])
        #expect(third.contains { $0["kind"] as? String == "allocationResult" && $0["authorName"] as? String == "CS"
                                 && $0["endorsements"] as? Int == 2 })
        let verified = try CLI.run(["ledger", "verify", db, "--json"])
        let report = try #require(try JSONSerialization.jsonObject(with: Data(verified.stdout.utf8)) as? [String: Any])
        #expect(verified.status == 0 && report["valid"] as? Bool == true && report["blocksVerified"] as? Int == 11)
        #expect(report["failure"] is NSNull)

        // The demo writes only into a new store.
        let again = try CLI.run(["ledger", "demo", db, "--rounds", "1"])
        #expect(again.status == 2)
        #expect(again.stderr.contains("already holds 11 blocks"))
    }

    @Test func tamperedStoreFailsNamingTheBlock() throws {
        let dir = try ScratchDirectory()
        let db = dir.file("campus.db")
        #expect(try CLI.run(["ledger", "demo", db, "--rounds", "2"]).status == 0)
        // Flip one byte of BoEV block 2's orderer signature (bytes 125..<189, after the header).
        do {
            let store = try LedgerStore(path: db)
            var block = try #require(try store.block(channel: .boev, height: 2)).encoded
            block[140] ^= 0x20
            try store.execute("UPDATE blocks SET bytes = ?1 WHERE channel = 2 AND height = 2", [.blob(block)])
        }
        let verify = try CLI.run(["ledger", "verify", db])
        #expect(verify.status == 1)
        #expect(verify.stdout.isEmpty)
        #expect(verify.stderr.contains("BoEV block 2: badSignature"), "\(verify.stderr)")
        let json = try CLI.run(["ledger", "verify", db, "--json"])
        #expect(json.status == 1)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let failure = try #require(report["failure"] as? [String: Any])
        #expect(report["valid"] as? Bool == false)
        #expect(failure["channel"] as? String == "boev" && failure["height"] as? Int == 2 && failure["code"] as? String == "badSignature")
    }

    @Test func badInputExitsWithStatus2() throws {
        let dir = try ScratchDirectory()
        let missing = try CLI.run(["ledger", "verify", dir.file("nothing.db")])
        #expect(missing.status == 2)
        #expect(missing.stderr.hasPrefix("v2g: error: no ledger store at"))
        #expect(missing.stderr.split(separator: "\n").count == 1)

        let text = dir.file("notes.txt")
        try "these are notes, not a ledger store; long enough to be read as a header".write(toFile: text, atomically: true, encoding: .utf8)
        for arguments in [["ledger", "verify", text], ["ledger", "export", text, dir.file("x")], ["ledger", "show", text]] {
            let run = try CLI.run(arguments)
            #expect(run.status == 2, "\(arguments)")
            #expect(run.stderr.contains("not a usable ledger store"))
            #expect(run.stderr.split(separator: "\n").count == 1)
        }
        let channel = try CLI.run(["ledger", "show", text, "--channel", "bogus"])
        #expect(channel.status == 2)
    }

    @Test func inspectionNeverWritesAndNamesWhatIsWrong() throws {
        let dir = try ScratchDirectory()
        let db = dir.file("campus.db")
        #expect(try CLI.run(["ledger", "demo", db, "--rounds", "2"]).status == 0)
        let good = try #require(FileManager.default.contents(atPath: db))
        // An empty, a one-byte and a cut-off copy: each is an error naming the file, and stays as it was.
        let cases: [(String, Data, String)] = [
            ("empty.db", Data(), "is empty"), ("one.db", Data([0x53]), "is 1 bytes, shorter than any SQLite database"),
            ("cut.db", good.prefix(3000), "malformed"),
        ]
        for (name, bytes, expected) in cases {
            let path = dir.file(name)
            FileManager.default.createFile(atPath: path, contents: bytes)
            for arguments in [["ledger", "verify", path], ["ledger", "show", path], ["ledger", "export", path, dir.file("x")]] {
                let run = try CLI.run(arguments)
                #expect(run.status == 2, "\(arguments): \(run.stderr)")
                #expect(run.stderr.hasPrefix("v2g: error: \(path)") && run.stderr.contains(expected), "\(run.stderr)")
                #expect(run.stderr.split(separator: "\n").count == 1)
            }
            #expect(FileManager.default.contents(atPath: path) == bytes, "\(name) was changed")
        }
        #expect(!FileManager.default.fileExists(atPath: dir.file("x")))
        // Inspection of the good store changes nothing either.
        #expect(try CLI.run(["ledger", "verify", db]).status == 0)
        #expect(try CLI.run(["ledger", "show", db]).status == 0)
        #expect(FileManager.default.contents(atPath: db) == good)
    }

    /// Found by the crash test under load: a writer killed mid-transaction leaves a hot journal, which SQLite
    /// must roll back before reading, so a read-only open failed ("attempt to write a readonly database").
    /// Inspection now reads a recovered private copy and leaves the evidence as it was.
    @Test func aStoreWithAHotJournalIsInspectedWithoutTouchingIt() throws {
        let dir = try ScratchDirectory()
        let db = dir.file("campus.db")
        #expect(try CLI.run(["ledger", "demo", db, "--rounds", "2"]).status == 0)
        let python = try ChildProcess("/usr/bin/env", ["python3", "-c", """
            import os, signal, sqlite3
            c = sqlite3.connect(\(String(reflecting: db)), isolation_level=None)
            c.execute('PRAGMA journal_mode=DELETE'); c.execute('PRAGMA cache_size=1')
            c.execute('BEGIN IMMEDIATE'); c.execute('CREATE TABLE junk(x)')
            c.execute('INSERT INTO junk VALUES (randomblob(200000))')
            os.kill(os.getpid(), signal.SIGKILL)
            """])
        #expect(python.wait() == .signalled(SIGKILL))
        let journal = db + "-journal"
        let before = (FileManager.default.contents(atPath: db), FileManager.default.contents(atPath: journal))
        #expect(before.1 != nil, "no hot journal was left")
        let verify = try CLI.run(["ledger", "verify", db])
        #expect(verify.status == 0 && verify.stdout.hasPrefix("ok: 8 blocks"), "\(verify.stdout)\(verify.stderr)")
        #expect(try CLI.run(["ledger", "export", db, dir.file("chain.v2g")]).status == 0)
        #expect(FileManager.default.contents(atPath: db) == before.0)
        #expect(FileManager.default.contents(atPath: journal) == before.1)
    }

    @Test func aDamagedIndexFailsTheIntegrityCheck() throws {
        let dir = try ScratchDirectory()
        let db = dir.file("campus.db")
        #expect(try CLI.run(["ledger", "demo", db, "--rounds", "2"]).status == 0)
        // The (channel, height) index's first entry is (BoE, 0, row 1): turn its height into 1. The file stays
        // well-formed, the blocks table is intact, and only the index lies.
        var bytes = [UInt8](try #require(FileManager.default.contents(atPath: db)))
        let root = try #require(try LedgerStore(path: db).integers(
            "SELECT rootpage FROM sqlite_schema WHERE name = 'sqlite_autoindex_blocks_1'", columns: 1).first?.first)
        let page = (Int(root) - 1) * 4096
        let cell = page + (Int(bytes[page + 8]) << 8 | Int(bytes[page + 9]))
        #expect(Array(bytes[cell..<cell + 5]) == [4, 4, 9, 8, 9])   // payload 4, header 4: channel 1, height 0, row 1
        bytes[cell + 3] = 9
        FileManager.default.createFile(atPath: db, contents: Data(bytes))
        let verify = try CLI.run(["ledger", "verify", db])
        #expect(verify.status == 1)
        #expect(verify.stderr.contains("SQLite integrity check: row 1 missing from index"), "\(verify.stderr)")
    }
}
