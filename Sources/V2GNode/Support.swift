import Foundation
import Glibc

/// A pipe whose read end sits in a `zmq_poll` set so other threads can wake a loop that owns ZeroMQ sockets
/// (which must not be touched from those threads). Writing a byte is thread-safe; a full pipe is already awake.
final class WakePipe: @unchecked Sendable {
    let readFD: Int32
    private let writeFD: Int32

    init() throws(NodeError) {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw .system("pipe") }
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        readFD = fds[0]
        writeFD = fds[1]
    }

    deinit {
        close(readFD)
        close(writeFD)
    }

    func wake() {
        var byte: UInt8 = 1
        _ = write(writeFD, &byte, 1)
    }

    func drain() {
        var buffer = [UInt8](repeating: 0, count: 64)
        while read(readFD, &buffer, buffer.count) > 0 {}
    }
}

/// A Foundation thread that can be joined.
public final class JoinableThread: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var joined = false

    public init(name: String, _ body: @escaping @Sendable () -> Void) {
        let done = self.done
        let thread = Thread {
            body()
            done.signal()
        }
        thread.name = name
        thread.start()
    }

    /// Waits for the body to return; later calls return at once.
    public func join() {
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

/// A set of at most `capacity` digests that forgets the least recently seen first: bounded memory for
/// de-duplicating gossip.
struct LRUSet<Element: Hashable> {
    let capacity: Int
    private var stamps: [Element: UInt64] = [:]
    private var order: [(Element, UInt64)] = []   // oldest first; entries whose stamp is stale are skipped
    private var head = 0
    private var clock: UInt64 = 0

    init(capacity: Int) {
        precondition(capacity > 0)
        self.capacity = capacity
    }

    var count: Int { stamps.count }

    func contains(_ e: Element) -> Bool { stamps[e] != nil }

    /// Marks `e` as seen now; returns true if it was not in the set.
    @discardableResult
    mutating func insert(_ e: Element) -> Bool {
        clock += 1
        let isNew = stamps.updateValue(clock, forKey: e) == nil
        order.append((e, clock))
        while stamps.count > capacity {
            let (old, stamp) = order[head]
            head += 1
            if stamps[old] == stamp { stamps[old] = nil }
        }
        if order.count - head > 2 * capacity + 16 || (head > capacity && head * 2 > order.count) {
            // Drop the consumed prefix and the stale entries of re-seen elements: order stays O(capacity).
            order = order[head...].filter { stamps[$0.0] == $0.1 }
            head = 0
        }
        return isNew
    }
}
