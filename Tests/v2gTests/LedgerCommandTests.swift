import Foundation
import Testing
@testable import V2GLedger

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
}
