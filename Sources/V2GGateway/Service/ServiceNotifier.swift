import FoundationEssentials
import V2GKit

/// Tells the service manager (systemd, `Type=notify`) how the node is doing, over the notify protocol: READY
/// once it serves, WATCHDOG pings at half the interval the manager asked for, STATUS lines, and STOPPING.
/// Without `NOTIFY_SOCKET` in the environment every call does nothing, so the node runs the same by hand.
public final class ServiceNotifier: @unchecked Sendable {  // `lastPing` under `lock`
    private let socket: NotifySocket?
    /// Half of `WATCHDOG_USEC` when the manager watches this process; nil otherwise.
    public let watchdogInterval: Duration?
    private let lock = Lock()
    private var lastPing: ContinuousClock.Instant?
    private let clock = ContinuousClock()

    /// From an environment (the process's by default): `NOTIFY_SOCKET`, and `WATCHDOG_USEC` with `WATCHDOG_PID`
    /// (the watchdog is for this process only if `WATCHDOG_PID` is unset or names it).
    /// - Throws: `NotifyError` if `NOTIFY_SOCKET` or `WATCHDOG_USEC` is malformed.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment,
                pid: Int32 = ProcessInfo.processInfo.processIdentifier) throws(NotifyError) {
        socket = try environment["NOTIFY_SOCKET"].map { a throws(NotifyError) in try NotifySocket(address: a) }
        guard let text = environment["WATCHDOG_USEC"], socket != nil else { watchdogInterval = nil; return }
        guard let usec = UInt64(text), usec > 0, usec <= 3_600_000_000_000 else {
            throw NotifyError(description: "WATCHDOG_USEC must be a positive number of microseconds, not \(text)")
        }
        if let owner = environment["WATCHDOG_PID"], Int32(owner) != pid {
            watchdogInterval = nil
            return
        }
        watchdogInterval = .microseconds(Int64(usec / 2))
    }

    /// Whether a service manager listens.
    public var isActive: Bool { socket != nil }

    /// READY=1 with a STATUS line: the node is serving.
    public func ready(status: String) throws(NotifyError) {
        try send("READY=1\nSTATUS=\(Self.oneLine(status))\nMAINPID=\(ProcessInfo.processInfo.processIdentifier)")
        lock.withLock { lastPing = clock.now }
    }

    /// A STATUS line (what `systemctl status` shows).
    public func status(_ text: String) throws(NotifyError) {
        try send("STATUS=\(Self.oneLine(text))")
    }

    /// WATCHDOG=1 if half the watchdog interval has passed since the last ping; true if it pinged. The caller
    /// calls this from its health loop only while the node is healthy, so a stuck or failed node goes quiet
    /// and the manager restarts it.
    @discardableResult
    public func pingIfDue() throws(NotifyError) -> Bool {
        guard let interval = watchdogInterval else { return false }
        let now = clock.now
        let due = lock.withLock { lastPing.map { now - $0 >= interval } ?? true }
        guard due else { return false }
        try send("WATCHDOG=1")
        lock.withLock { lastPing = now }
        return true
    }

    /// STOPPING=1 with the reason: the node is shutting down.
    public func stopping(reason: String) throws(NotifyError) {
        try send("STOPPING=1\nSTATUS=stopping: \(Self.oneLine(reason))")
    }

    private func send(_ message: String) throws(NotifyError) {
        guard let socket else { return }
        try socket.send(message)
    }

    /// A value on one line: the protocol separates assignments with newlines.
    static func oneLine(_ s: String) -> String {
        String(s.map { $0.isNewline ? " " : $0 }.prefix(400))
    }
}
