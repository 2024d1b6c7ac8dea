import Dispatch
import FoundationEssentials
import Glibc
import V2GKit

/// The first request to stop a gateway: SIGTERM or SIGINT once `install()`ed, or `fire(_:)` from code.
public final class ShutdownSignal: @unchecked Sendable {  // `reason` under `lock`
    private let lock = Lock()
    private var reason: String?
    private let semaphore = DispatchSemaphore(value: 0)
    private var sources: [DispatchSourceSignal] = []

    public init() {}

    /// A signal that fires on SIGTERM and SIGINT, which from now on only wake it (no default action).
    public static func install() -> ShutdownSignal {
        let s = ShutdownSignal()
        let queue = DispatchQueue(label: "v2g.signals")
        s.sources = [(SIGTERM, "SIGTERM"), (SIGINT, "SIGINT")].map { number, name in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { [weak s] in s?.fire(name) }
            source.resume()
            return source
        }
        return s
    }

    deinit { sources.forEach { $0.cancel() } }

    /// Asks to stop, for `reason`; only the first reason is kept.
    public func fire(_ reason: String) {
        lock.withLock { if self.reason == nil { self.reason = reason } }
        semaphore.signal()
    }

    /// Waits until the signal fires; returns the reason.
    public func wait() -> String {
        semaphore.wait()
        semaphore.signal()   // a later wait returns at once
        return lock.withLock { reason ?? "" }
    }

    /// The reason, once fired; waits up to `timeout` for it.
    public func wait(timeout: Duration) -> String? {
        _ = semaphore.wait(timeout: .now() + .nanoseconds(Int(timeout.components.seconds) * 1_000_000_000
                                                           + Int(timeout.components.attoseconds / 1_000_000_000)))
        return lock.withLock { reason }
    }
}
