import Foundation
import Testing
@testable import V2GGateway
#if canImport(Glibc)
import Glibc
#endif

@Suite("Child processes")
struct ChildProcessTests {
    private static func scratch() throws -> String {
        let dir = NSTemporaryDirectory() + "v2g-child-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func exitStatusSignalAndTimeout() throws {
        #expect(try ChildProcess("/bin/sh", ["-c", "exit 7"]).wait() == .exited(7))
        // Blocked in the parent (as `v2g node` and the demo block SIGTERM to sigwait for it), not in the child.
        var term = sigset_t(), previous = sigset_t()
        sigemptyset(&term)
        sigaddset(&term, SIGTERM)
        pthread_sigmask(SIG_BLOCK, &term, &previous)
        let sleeper = try ChildProcess("/bin/sleep", ["30"])
        pthread_sigmask(SIG_SETMASK, &previous, nil)
        #expect(sleeper.wait(timeout: .milliseconds(50)) == nil)
        #expect(sleeper.isRunning)
        sleeper.signal(SIGTERM)
        #expect(sleeper.wait(timeout: .seconds(10)) == .signalled(SIGTERM))
        sleeper.signal(SIGKILL)                            // reaped: no signal goes to a reused pid
        #expect(sleeper.termination == .signalled(SIGTERM))
        #expect(try ChildProcess("/bin/sleep", ["30"]).kill(after: .milliseconds(10)) == .signalled(SIGKILL))
        #expect(throws: LocalNetworkError.self) { try ChildProcess("/nonexistent/v2g", []) }
    }

    @Test func streamsGoToFilesAndPipes() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let input = dir + "/in", log = dir + "/log"
        try Data("from a file\n".utf8).write(to: URL(fileURLWithPath: input))
        try Data("kept\n".utf8).write(to: URL(fileURLWithPath: log))
        let p = try ChildProcess("/bin/sh", ["-c", "cat; echo out; echo err >&2"], standardInput: .file(input),
                                 standardOutput: .pipe, standardError: .file(log))
        let out = try p.standardOutput!.readToEnd()
        #expect(p.wait() == .exited(0))
        #expect(String(decoding: out, as: UTF8.self) == "from a file\nout\n")
        #expect(try String(contentsOfFile: log, encoding: .utf8) == "kept\nerr\n")   // appended, not truncated

        let echo = try ChildProcess("/bin/cat", [], standardInput: .pipe, standardOutput: .pipe)
        echo.standardInput!.write("through a pipe")
        echo.standardInput!.close()
        #expect(String(decoding: try echo.standardOutput!.readToEnd(), as: UTF8.self) == "through a pipe")
        #expect(echo.wait() == .exited(0))
    }

    /// Foundation's `Process.run()` read past the end of `/proc/self/fd` entries and crashed this test suite in
    /// CI, most easily with many descriptors open (swift-corelibs-foundation #5472). With up to 2,000 open,
    /// children still start, and none of the parent's descriptors reaches them.
    @Test func manyOpenDescriptorsNeitherCrashNorLeakIntoTheChild() throws {
        // The tests share this process: found in CI, where the soft limit is lower, 3,000 descriptors left the
        // network tests running beside this one none to open. Raise the soft limit to what is allowed, and take
        // an eighth of it at most.
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        limit.rlim_cur = min(limit.rlim_max, 65_536)
        setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        let count = min(2_000, Int(limit.rlim_cur) / 8)
        let opened = (0..<count).map { _ in open("/dev/null", O_RDONLY) }
        defer { for fd in opened where fd >= 0 { close(fd) } }
        #expect(opened.allSatisfy { $0 >= 0 })
        for _ in 0..<40 {
            let ls = try ChildProcess("/bin/ls", ["/proc/self/fd"], standardOutput: .pipe)
            let names = String(decoding: try ls.standardOutput!.readToEnd(), as: UTF8.self)
                .split(separator: "\n").compactMap { Int($0) }
            #expect(ls.wait() == .exited(0))
            #expect(names.allSatisfy { $0 <= 3 }, "descriptors reached the child: \(names.filter { $0 > 3 }.prefix(5))")
        }
    }
}
