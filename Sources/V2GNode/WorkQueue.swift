import Foundation

/// A bounded FIFO of jobs run one at a time on a thread of its own: how work leaves the network thread. A full
/// queue refuses jobs instead of growing.
final class WorkQueue: @unchecked Sendable {  // fields under `condition`
    private let condition = NSCondition()
    private var jobs: [@Sendable () -> Void] = []
    private var head = 0
    private var stopping = false
    private let capacity: Int
    private let finished = DispatchSemaphore(value: 0)

    init(name: String, capacity: Int) {
        self.capacity = max(1, capacity)
        let thread = Thread { [self] in
            run()
            finished.signal()
        }
        thread.name = name
        thread.start()
    }

    /// Queues `job`; false if the queue is full or stopped.
    @discardableResult
    func submit(_ job: @escaping @Sendable () -> Void) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !stopping, jobs.count - head < capacity else { return false }
        jobs.append(job)
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
            let job = jobs[head]
            head += 1
            if head == jobs.count || head > 1024 {
                jobs.removeFirst(head)
                head = 0
            }
            condition.unlock()
            job()
        }
    }
}
