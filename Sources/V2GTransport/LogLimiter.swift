import FoundationEssentials
import Logging
import V2GKit

/// Log lines rate-limited per reason: at most `burst` lines of one reason per `interval`; past that, lines are
/// counted, and the count is logged with the next line of that reason after the interval. A member that sends
/// garbage as fast as it can cannot flood the log; the node's counters and metrics carry every event.
public final class LogLimiter: @unchecked Sendable {  // `windows` under `lock`
    private struct Window {
        var start: ContinuousClock.Instant
        var logged = 0
        var suppressed = 0
    }

    public let logger: Logger
    public let burst: Int
    public let interval: Duration
    private let lock = Lock()
    private var windows: [String: Window] = [:]
    /// Distinct reasons tracked; a reason is a short fixed label, so this bounds nothing but mistakes.
    private static let maxReasons = 1024

    public init(logger: Logger, burst: Int = 5, interval: Duration = .seconds(10)) {
        self.logger = logger
        self.burst = max(1, burst)
        self.interval = interval
    }

    /// Logs `message` at `level` unless `reason` already had `burst` lines in the current interval.
    public func log(_ level: Logger.Level, _ reason: String, _ message: @autoclosure () -> String) {
        let now = ContinuousClock.now
        let (emit, suppressed): (Bool, Int) = lock.withLock {
            var w = windows[reason] ?? Window(start: now)
            var carried = 0
            if now - w.start >= interval {
                carried = w.suppressed
                w = Window(start: now)
            }
            let emit = w.logged < burst
            if emit { w.logged += 1 } else { w.suppressed += 1 }
            if windows[reason] == nil, windows.count >= Self.maxReasons { windows.removeAll() }
            windows[reason] = w
            return (emit, carried)
        }
        if suppressed > 0 {
            logger.log(level: level, "\(suppressed) more \"\(reason)\" lines were suppressed in \(interval)")
        }
        if emit { logger.log(level: level, "\(message())") }
    }

    public func warning(_ reason: String, _ message: @autoclosure () -> String) { log(.warning, reason, message()) }
}
