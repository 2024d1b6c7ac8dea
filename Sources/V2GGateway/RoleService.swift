import FoundationEssentials
import V2GKit
import Dispatch

/// What a gateway runs besides validating, keeping and serving its chains: the part its role plays in rounds,
/// on a thread of its own.
public protocol RoleService: AnyObject, Sendable {
    func start()
    /// Stops the role's node (which ends every wait of a round at once) and joins the role's thread: within a
    /// second in every phase of a round. The node's committed blocks are on disk.
    func stop()
}

/// A flag a role's thread checks, with a sleep that ends early when it is set, and the thread it guards.
final class RoleThread: @unchecked Sendable {  // fields under `condition`
    private let condition = Condition()
    private var stopped = false
    private var done: DispatchSemaphore?

    var isStopped: Bool {
        condition.lock()
        defer { condition.unlock() }
        return stopped
    }

    /// Runs `body` on a new thread named `name`. Once only.
    func start(name: String, _ body: @escaping @Sendable () -> Void) {
        condition.lock()
        defer { condition.unlock() }
        guard done == nil, !stopped else { return }
        let done = DispatchSemaphore(value: 0)
        self.done = done
        Threads.detach(name: name) {
            body()
            done.signal()
        }
    }

    /// Sets the flag and wakes a sleeper, without waiting: what a role does before it stops its nodes, so the
    /// round its thread is in sees why its waits ended.
    func requestStop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    /// Sets the flag, wakes a sleeper and waits for the thread to end.
    func stop() {
        requestStop()
        condition.lock()
        let d = done
        done = nil
        condition.unlock()
        d?.wait()
    }

    /// Sleeps for `d` or until stopped; returns whether it was stopped.
    func sleep(_ d: Duration) -> Bool {
        let deadline = ContinuousClock.now + d
        condition.lock()
        defer { condition.unlock() }
        while !stopped, condition.wait(until: deadline) {}
        return stopped
    }
}

/// Runs `body` on a thread of its own; the returned closure waits for it to end.
func inBackground(_ name: String, _ body: @escaping @Sendable () -> Void) -> () -> Void {
    let done = DispatchSemaphore(value: 0)
    Threads.detach(name: name) {
        body()
        done.signal()
    }
    return { done.wait() }
}
