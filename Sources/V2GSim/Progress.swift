import FoundationEssentials
import Glibc
import V2GKit

/// A progress line on standard error for runs that take longer than a second.
public final class Progress: @unchecked Sendable {
    private let label: String
    private let start = Date()
    private var lastDraw = Date.distantPast
    private var drawn = false
    private var lastDone = -1
    private let enabled: Bool
    /// A terminal redraws one line in place; a log or pipe gets a line per step instead, at most every 10 s.
    private let terminal = isatty(STDERR_FILENO) != 0

    /// - Parameters:
    ///   - label: what is running, shown before the count.
    ///   - enabled: false to stay silent (tests).
    public init(_ label: String, enabled: Bool = true) {
        self.label = label
        self.enabled = enabled
    }

    /// Reports `done` of `total`; draws at most five times a second, and only once a second has passed (not on a
    /// terminal: a line when the count moved, at most every 10 s, and at the end).
    public func update(_ done: Int, of total: Int) {
        guard enabled else { return }
        let now = Date()
        let elapsed = now.timeIntervalSince(start)
        let text = Self.line(label, done: done, of: total, elapsed: elapsed)
        if !terminal {
            guard done != lastDone, now.timeIntervalSince(lastDraw) >= 10 || done == total else { return }
            (lastDraw, lastDone) = (now, done)
            StandardStreams.writeError((text + "\n"))
            return
        }
        guard elapsed >= 1, now.timeIntervalSince(lastDraw) >= 0.2 || done == total else { return }
        lastDraw = now
        drawn = true
        StandardStreams.writeError(("\r" + text + "   "))
    }

    /// The progress text: the count, the share, the time so far, and an estimate of what is left once there is
    /// something to estimate it from (before the first item is done there is not).
    static func line(_ label: String, done: Int, of total: Int, elapsed: Double) -> String {
        let share = String(cFormat: "(%.0f%%), %.0f s elapsed", 100 * Double(done) / Double(max(total, 1)), elapsed)
        let left = done > 0 ? String(cFormat: ", about %.0f s left", elapsed / Double(done) * Double(total - done)) : ""
        return "\(label): \(done)/\(total) \(share)\(left)"
    }

    /// Ends the progress line, if one was drawn.
    public func finish() {
        guard enabled, drawn else { return }
        StandardStreams.writeError("\n")
    }
}
