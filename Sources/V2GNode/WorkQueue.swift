import FoundationEssentials
import V2GKit
import Dispatch

/// A bounded FIFO of jobs run one at a time on a thread of its own: how work leaves the network thread. A full
/// queue (by count, or by the bytes its jobs hold) refuses jobs instead of growing.
final class WorkQueue: @unchecked Sendable {  // fields under `condition`
    private let condition = Condition()
    private var jobs: [(job: @Sendable () -> Void, bytes: Int)] = []
    private var head = 0
    private var bytes = 0
    private var stopping = false
    private let capacity: Int
    private let maxBytes: Int
    private let finished = DispatchSemaphore(value: 0)

    init(name: String, capacity: Int, maxBytes: Int = .max) {
        self.capacity = max(1, capacity)
        self.maxBytes = max(1, maxBytes)
        Threads.detach(name: name) { [self] in
            run()
            finished.signal()
        }
    }

    /// Queues `job`, which holds about `bytes` of input; false if the queue is full or stopped.
    @discardableResult
    func submit(bytes size: Int = 0, _ job: @escaping @Sendable () -> Void) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !stopping, jobs.count - head < capacity, size <= maxBytes - bytes else { return false }
        jobs.append((job, size))
        bytes += size
        condition.signal()
        return true
    }

    /// Queues a job of the node's own (at most one of each kind is ever waiting), past the bounds; false only
    /// once stopped.
    @discardableResult
    func submitInternal(_ job: @escaping @Sendable () -> Void) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !stopping else { return false }
        jobs.append((job, 0))
        condition.signal()
        return true
    }

    /// Lets the job under way finish, drops the rest, and joins the thread. Later calls do nothing.
    func stop() {
        condition.lock()
        let first = !stopping
        stopping = true
        condition.broadcast()
        condition.unlock()
        if first { finished.wait() }
    }

    private func run() {
        while true {
            condition.lock()
            while head == jobs.count && !stopping { condition.wait() }
            if stopping {
                jobs.removeAll()
                condition.unlock()
                return
            }
            let (job, size) = jobs[head]
            head += 1
            bytes -= size
            if head == jobs.count || head > 1024 {
                jobs.removeFirst(head)
                head = 0
            }
            condition.unlock()
            job()
        }
    }
}
