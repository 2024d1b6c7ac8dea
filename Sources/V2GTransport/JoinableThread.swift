import FoundationEssentials
import Dispatch
import Glibc
import V2GKit

/// A thread that can be joined.
final class JoinableThread: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private let lock = Lock()
    private var joined = false

    init(name: String, _ body: @escaping @Sendable () -> Void) {
        let done = self.done
        Threads.detach(name: name) {
            body()
            done.signal()
        }
    }

    /// Waits for the body to return; later calls return at once.
    func join() {
        lock.lock()
        defer { lock.unlock() }
        guard !joined else { return }
        done.wait()
        joined = true
    }
}

/// Hands a value that is not `Sendable` to the thread that becomes its only user; taken once, so the
/// thread holds the only reference and releases it (closing sockets) before it ends.
final class OnceBox<T>: @unchecked Sendable {
    private var value: T?
    init(_ value: T) { self.value = value }
    func take() -> T {
        defer { value = nil }
        return value!
    }
}
