import Foundation
import Testing
@testable import V2GGateway

/// Reads a child's standard output line by line, waiting at most a given time for each chunk.
private struct LineReader {
    let fd: Int32
    private var pending: [UInt8] = []
    private(set) var lines: [String] = []
    private(set) var atEnd = false

    init(_ fd: Int32) { self.fd = fd }

    /// Reads what arrives within `milliseconds`; returns false once the writer has closed its end.
    mutating func read(waiting milliseconds: Int32) -> Bool {
        guard !atEnd else { return false }
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, milliseconds) > 0 else { return true }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        guard n > 0 else {
            atEnd = true
            return false
        }
        pending += buffer[0..<n]
        while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
            lines.append(String(decoding: pending[..<newline], as: UTF8.self))
            pending.removeSubrange(...newline)
        }
        return true
    }
}

@Suite("Crash safety of the ledger store")
struct CrashSafetyTests {
    /// A writer killed with SIGKILL at a random moment loses no block it reported committed, and leaves a store
    /// that verifies whole.
    @Test func killedWriterLosesNothingCommitted() throws {
        var rng = SystemRandomNumberGenerator()
        let started = Date()
        var killedBeforeOpening = 0, committedTotal = 0
        for trial in 0..<50 {
            let dir = try ScratchDirectory()
            let db = dir.file("ledger.db")
            let process = try ChildProcess(CLI.executable.path, ["ledger", "crash-writer", db, "--rounds", "1000"],
                                           standardOutput: .pipe, standardError: .file(dir.file("stderr")))
            var reader = LineReader(process.standardOutput!.fileDescriptor)
            let plan: String
            if Bool.random(using: &rng) {
                let wanted = Int.random(in: 0...30, using: &rng)
                plan = "after \(wanted) committed lines"
                let deadline = Date().addingTimeInterval(10)
                while reader.lines.count < wanted, Date() < deadline, reader.read(waiting: 100) {}
            } else {
                let delay = Int.random(in: 1...80, using: &rng)
                plan = "after \(delay) ms"
                usleep(useconds_t(delay * 1000))
            }
            process.signal(SIGKILL)
            let ended = process.wait()
            while reader.read(waiting: 1000) {}  // lines written before the kill were committed too
            let stderr = String(decoding: FileManager.default.contents(atPath: dir.file("stderr")) ?? Data(), as: UTF8.self)
            #expect(ended == .signalled(SIGKILL), "trial \(trial), \(plan): the writer exited: \(stderr)")

            let committed = reader.lines.compactMap { line in line.hasPrefix("committed ") ? Int(line.dropFirst(10)) : nil }
            #expect(committed.count == reader.lines.count, "trial \(trial): unexpected output \(reader.lines)")
            #expect(committed == (0..<committed.count).map { $0 + 1 },
                    "trial \(trial): sequence numbers \(committed)")
            committedTotal += committed.count
            guard FileManager.default.fileExists(atPath: db) else {
                // Killed before SQLite created the file: then nothing can have been reported.
                #expect(committed.isEmpty, "trial \(trial), \(plan): blocks reported but no file")
                killedBeforeOpening += 1
                continue
            }
            let verify = try CLI.run(["ledger", "verify", db])
            if verify.status == 2, verify.stderr.contains("holds no ledger store") || verify.stderr.contains("is empty") {
                // Killed before its schema was committed: a read-only inspection says so, and nothing was reported.
                #expect(committed.isEmpty, "trial \(trial), \(plan): blocks reported but no store")
                killedBeforeOpening += 1
                continue
            }
            #expect(verify.status == 0, "trial \(trial), \(plan): \(verify.stderr)")
            let blocks = verify.stdout.split(separator: " ").dropFirst().first.flatMap { Int($0) }
            let stored = try #require(blocks, "trial \(trial): \(verify.stdout)")
            #expect(stored >= (committed.max() ?? 0), "trial \(trial), \(plan): \(committed.count) reported, \(stored) stored")
        }
        let seconds = Date().timeIntervalSince(started)
        print("crash safety: 50 kills, \(committedTotal) committed blocks reported, \(killedBeforeOpening) kills before the "
              + "store had its schema, \(String(format: "%.1f", seconds)) s")
        #expect(seconds < 60)
    }
}
