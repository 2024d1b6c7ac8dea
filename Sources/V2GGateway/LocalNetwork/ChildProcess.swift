import FoundationEssentials
import V2GKit
#if canImport(Glibc)
import Glibc
#endif

/// A child process started with `posix_spawn`: its standard streams redirected to files, pipes or
/// /dev/null, signalled and reaped by pid.
///
/// Not `Foundation.Process`: on Linux its `run()` copies the whole 256-byte `d_name` of each `/proc/self/fd`
/// entry and crashes when an entry ends a page (swift-corelibs-foundation #5472, Swift 6.3.1). A node process
/// with many sockets open hits it; so did our test suite in CI.
final class ChildProcess: @unchecked Sendable {  // the status is behind `lock`
    /// Where one of the child's standard streams goes.
    enum Stream {
        case inherit
        case null
        /// A file, created if missing; output streams append to it.
        case file(String)
        /// A pipe whose other end the parent reads (`standardOutput`/`standardError`) or writes (`standardInput`).
        case pipe
    }

    /// How the child ended.
    enum Termination: Equatable {
        case exited(Int32)
        case signalled(Int32)
    }

    let pid: pid_t
    /// The parent's end of each stream given as `.pipe`; the caller reads or writes and closes it.
    let standardInput: FileDescriptorHandle?
    let standardOutput: FileDescriptorHandle?
    let standardError: FileDescriptorHandle?
    private let lock = Lock()
    private var ended: Termination?
    /// A blocking `waitpid` is under way outside the lock: what a concurrent poll sees (ECHILD) is not the end.
    private var reaping = false

    /// Starts `executable` (a path) with `arguments` (without argv[0]) and the parent's environment, with
    /// `environment`'s variables added where the parent has none of that name; no descriptor of the parent's
    /// other than the three redirected ones reaches the child, and no blocked or ignored signal either.
    ///
    /// The corresponding C functions are `posix_spawn` and `posix_spawn_file_actions_*`.
    init(_ executable: String, _ arguments: [String], environment: [String: String] = [:], standardInput input: Stream = .null,
         standardOutput output: Stream = .inherit, standardError error: Stream = .inherit) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var parentEnds: [Int32?] = [nil, nil, nil]
        var childEnds: [Int32] = []
        defer { for fd in childEnds { close(fd) } }
        do {
            for (target, stream) in [(Int32(0), input), (1, output), (2, error)] {
                switch stream {
                case .inherit:
                    break
                case .null:
                    try Self.check(posix_spawn_file_actions_addopen(&actions, target, "/dev/null",
                                                                    target == 0 ? O_RDONLY : O_WRONLY, 0), "open /dev/null")
                case .file(let path):
                    let flags = target == 0 ? O_RDONLY : O_WRONLY | O_CREAT | O_APPEND
                    try Self.check(posix_spawn_file_actions_addopen(&actions, target, path, flags, 0o644), "open \(path)")
                case .pipe:
                    var fds: [Int32] = [-1, -1]
                    guard pipe(&fds) == 0 else { throw Self.failure("pipe", errno) }
                    for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }  // pipe2 is a GNU name Swift does not see
                    let (parent, child) = target == 0 ? (fds[1], fds[0]) : (fds[0], fds[1])
                    parentEnds[Int(target)] = parent
                    childEnds.append(child)
                    try Self.check(posix_spawn_file_actions_adddup2(&actions, child, target), "dup2")
                }
            }
            Self.closeOthers(&actions)
            let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
            defer { for p in argv { free(p) } }
            let inherited = ProcessInfo.processInfo.environment
            let added = environment.filter { inherited[$0.key] == nil }.map { strdup("\($0.key)=\($0.value)") }
            defer { for p in added { free(p) } }
            var envp: [UnsafeMutablePointer<CChar>?] = []
            var e = environ
            while let entry = e.pointee { envp.append(entry); e += 1 }
            envp += added + [nil]
            // The parent may block or ignore signals (a daemon waits for SIGTERM with sigwait); the child starts
            // with none blocked and every one at its default action.
            var attributes = posix_spawnattr_t()
            posix_spawnattr_init(&attributes)
            defer { posix_spawnattr_destroy(&attributes) }
            var none = sigset_t(), all = sigset_t()
            sigemptyset(&none)
            sigfillset(&all)
            posix_spawnattr_setsigmask(&attributes, &none)
            posix_spawnattr_setsigdefault(&attributes, &all)
            posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
            var child: pid_t = 0
            let rc = posix_spawn(&child, executable, &actions, &attributes, argv, envp)
            guard rc == 0 else { throw Self.failure("cannot start \(executable)", rc) }
            pid = child
        } catch {
            for case let fd? in parentEnds { close(fd) }
            throw error
        }
        standardInput = parentEnds[0].map { FileDescriptorHandle(fileDescriptor: $0) }
        standardOutput = parentEnds[1].map { FileDescriptorHandle(fileDescriptor: $0) }
        standardError = parentEnds[2].map { FileDescriptorHandle(fileDescriptor: $0) }
    }

    /// Reaps the child if it has ended (a running one is left running).
    deinit { _ = termination }

    /// How the child ended; nil while it runs. Reaps it the first time it is seen ended.
    var termination: Termination? {
        lock.withLock {
            if ended == nil, !reaping { ended = Self.reap(pid, block: false) }
            return ended
        }
    }

    var isRunning: Bool { termination == nil }

    /// Sends signal `number`, unless the child has been reaped (its pid may belong to another process by now).
    func signal(_ number: Int32) {
        lock.withLock {
            if ended == nil, !reaping { ended = Self.reap(pid, block: false) }
            if ended == nil { _ = Glibc.kill(pid, number) }   // while a blocking reap waits, the pid is still the child's
        }
    }

    /// Waits up to `timeout` (nil: for ever) for the child to end; nil if it still runs.
    @discardableResult
    func wait(timeout: Duration? = nil) -> Termination? {
        guard let timeout else {
            let started: Bool = lock.withLock {
                if ended == nil { ended = Self.reap(pid, block: false) }
                guard ended == nil, !reaping else { return false }
                reaping = true
                return true
            }
            guard started else {
                // Ended, or another thread is in the blocking wait: poll until it has reaped.
                while true {
                    if let t = lock.withLock({ ended }) { return t }
                    Threads.sleep(for: .seconds(0.005))
                }
            }
            let t = Self.reap(pid, block: true)   // outside the lock: `signal` from another thread must not wait on it
            return lock.withLock { ended = t; reaping = false; return t }
        }
        let deadline = ContinuousClock.now + timeout
        var pause = Duration.milliseconds(1)
        while true {
            if let t = termination { return t }
            if ContinuousClock.now >= deadline { return nil }
            Threads.sleep(for: .seconds(pause.inSeconds))
            pause = min(pause * 2, .milliseconds(20))
        }
    }

    /// Waits for the child to end, sending SIGKILL if it has not after `timeout`.
    @discardableResult
    func kill(after timeout: Duration) -> Termination {
        if let t = wait(timeout: timeout) { return t }
        signal(SIGKILL)
        return wait()!
    }

    /// The child's status from `waitpid`, or nil if it runs (or, with `block`, never: it waits).
    private static func reap(_ pid: pid_t, block: Bool) -> Termination? {
        var status: Int32 = 0
        while true {
            let rc = waitpid(pid, &status, block ? 0 : WNOHANG)
            if rc == pid { break }
            if rc == 0 { return nil }
            if errno == EINTR { continue }
            return .exited(-1)  // ECHILD: reaped elsewhere; nothing more can be known
        }
        // The WIFEXITED family are macros Swift does not import.
        let signalNumber = status & 0x7f
        return signalNumber == 0 ? .exited((status >> 8) & 0xff) : .signalled(signalNumber)
    }

    /// Closes every descriptor from 3 up in the child (glibc 2.34+; looked up at run time because Swift does
    /// not import the GNU extension). Our own descriptors are opened close-on-exec anyway.
    private static func closeOthers(_ actions: inout posix_spawn_file_actions_t) {
        typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np")
        else { return }
        _ = unsafeBitCast(symbol, to: CloseFrom.self)(&actions, 3)
    }

    private static func check(_ rc: Int32, _ what: String) throws {
        if rc != 0 { throw failure(what, rc) }
    }

    private static func failure(_ what: String, _ code: Int32) -> LocalNetworkError {
        LocalNetworkError("\(what): \(String(cString: strerror(code)))")
    }
}
