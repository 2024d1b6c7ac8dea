import FoundationEssentials
import V2GKit
import Dispatch

/// Runs blocking jobs that each wait on the network (an endorsement round trip, a submission) side by side on
/// up to `width` threads, so their waits overlap instead of queueing behind the cores; returns when all ended.
public enum Fanout {
    public static func run(_ count: Int, width: Int, _ body: @escaping @Sendable (Int) -> Void) {
        guard count > 0 else { return }
        let next = NextIndex()
        let threads = max(1, min(width, count))
        let done = DispatchSemaphore(value: 0)
        for t in 0..<threads {
            Threads.detach(name: "v2g-fanout-\(t)") {
                while let i = next.take(below: count) { body(i) }
                done.signal()
            }
        }
        for _ in 0..<threads { done.wait() }
    }
}

private final class NextIndex: @unchecked Sendable {
    private let lock = Lock()
    private var i = 0
    func take(below n: Int) -> Int? {
        lock.withLock {
            guard i < n else { return nil }
            defer { i += 1 }
            return i
        }
    }
}
