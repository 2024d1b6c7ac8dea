import Foundation
import Testing
import V2GKit

/// The libc adapters that replaced Foundation's `NSLock`, `NSCondition`, `Thread`, `FileHandle`, `NSString`
/// paths and `String(format:)`, each against what it replaced or against the kernel's own answer.
struct SystemTests {
    @Test func cFormatMatchesFoundationsFormatting() {
        let cases: [(String, [CVarArg])] = [
            ("%.1f", [3.14159]), ("%8.2f ms", [12.345]), ("%d/%d", [7, 42]), ("%5.1f%%", [99.94]),
            ("%.3e", [6.02e23]), ("%llu", [UInt64.max]), ("%.0f", [-0.4]), ("%-6d|", [12]),
        ]
        for (format, arguments) in cases {
            #expect(String(cFormat: format, arguments: arguments) == String(format: format, arguments: arguments), "\(format)")
        }
        // Longer than the first buffer: the second pass sizes it.
        let long = String(cFormat: "%0300d", 1)
        #expect(long.count == 300 && long.hasSuffix("1") && long.hasPrefix("000"))
    }

    @Test func paddingAndTrimming() {
        #expect("ab".padded(to: 4) == "ab  " && "abcdef".padded(to: 4) == "abcdef")
        #expect(" \t x y \n".trimmingWhitespace() == "x y" && "   ".trimmingWhitespace() == "")
    }

    @Test func pathsAsNSStringJoinedThem() {
        #expect(Path.join("/a/b", "c") == "/a/b/c" && Path.join("/a/b/", "c") == "/a/b/c")
        #expect(Path.join("a", "/abs") == "/abs" && Path.join("", "c") == "c")
        // What NSString's deletingLastPathComponent answers, written out: Foundation's (6.3.1) traps on a bare
        // name ("a"), which is how `v2g node --config node.toml` crashed before the config loader used Path.
        for (path, expected) in [("/a/b/c", "/a/b"), ("/a/b/", "/a"), ("a", ""), ("/a", "/"), ("/", "/"), ("a/b", "a")] {
            #expect(Path.parent(of: path) == expected, "\(path)")
        }
        #expect(Path.expandingTilde("~/x") == (("~/x" as NSString).expandingTildeInPath))
        #expect(Path.expandingTilde("a~/x") == "a~/x")
        #expect(Path.fileSize("/proc/self/does-not-exist") == nil)
    }

    @Test func readToEndStopsAtTheLimit() throws {
        let path = NSTemporaryDirectory() + "v2g-system-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(repeating: 7, count: 100_000).write(to: URL(fileURLWithPath: path))
        #expect(Path.fileSize(path) == 100_000)
        #expect(try FileDescriptorHandle(forReadingAtPath: path)!.readToEnd(limit: 100_000).count == 100_000)
        #expect(throws: FileReadError.longerThan(99_999)) { try FileDescriptorHandle(forReadingAtPath: path)!.readToEnd(limit: 99_999) }
        #expect(FileDescriptorHandle(forReadingAtPath: path + "-missing") == nil)

        let log = FileDescriptorHandle(forAppendingAtPath: path)!
        #expect(log.write("tail"))
        log.close()
        #expect(Path.fileSize(path) == 100_004)
    }

    @Test func aTimedWaitEndsAtItsDeadlineAndASignalEndsItEarlier() {
        let condition = Condition()
        condition.lock()
        let start = ContinuousClock.now
        #expect(!condition.wait(until: start + .milliseconds(50)))
        #expect(ContinuousClock.now - start >= .milliseconds(50))
        #expect(!condition.wait(until: start))   // a passed deadline returns at once
        condition.unlock()

        let flag = Lock()
        nonisolated(unsafe) var set = false
        Threads.detach(name: "v2g-test-signal") {
            Threads.sleep(for: .milliseconds(20))
            condition.lock()
            flag.withLock { set = true }
            condition.signal()
            condition.unlock()
        }
        condition.lock()
        let deadline = ContinuousClock.now + .seconds(10)
        while !flag.withLock({ set }), condition.wait(until: deadline) {}
        condition.unlock()
        #expect(flag.withLock { set })
        #expect(ContinuousClock.now < deadline)
    }

    @Test func aDetachedThreadRunsUnderItsName() throws {
        let done = Condition()
        nonisolated(unsafe) var name = ""
        Threads.detach(name: "v2g-test-thread-with-a-long-name") {
            let comm = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? ""
            done.lock()
            name = comm.trimmingWhitespace()
            done.signal()
            done.unlock()
        }
        done.lock()
        let deadline = ContinuousClock.now + .seconds(10)
        while name.isEmpty, done.wait(until: deadline) {}
        done.unlock()
        #expect(name == "v2g-test-thread")   // the kernel keeps 15 bytes
    }

    @Test func aLockExcludes() {
        let lock = Lock()
        nonisolated(unsafe) var counter = 0
        let finished = Condition()
        nonisolated(unsafe) var running = 4
        for t in 0..<4 {
            Threads.detach(name: "v2g-test-\(t)") {
                for _ in 0..<10_000 { lock.withLock { counter += 1 } }
                finished.lock()
                running -= 1
                finished.signal()
                finished.unlock()
            }
        }
        finished.lock()
        let deadline = ContinuousClock.now + .seconds(30)
        while running > 0, finished.wait(until: deadline) {}
        finished.unlock()
        #expect(lock.withLock { counter } == 40_000)
    }
}
