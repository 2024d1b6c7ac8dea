import Foundation
import V2GLedger

/// Gossip'd blocks waiting for the worker, bounded, with the worker's other wake-ups (a catch-up asked for, a
/// stop). The network thread only appends under its lock.
final class BlockInbox: @unchecked Sendable {  // fields under `changed`
    private let changed = NSCondition()
    private var blocks: [PendingBlock] = []
    private var catchUpRequested = false
    private var stopped = false
    private let capacity: Int

    init(capacity: Int) { self.capacity = max(1, capacity) }

    /// Queues a block; false if the inbox is full or stopped.
    func enqueue(_ block: Block, from sender: PublicKey?) -> Bool {
        changed.lock()
        defer { changed.unlock() }
        guard !stopped, blocks.count < capacity else { return false }
        blocks.append(PendingBlock(block: block, sender: sender))
        changed.signal()
        return true
    }

    /// Whether `stop()` was called: the node is stopping.
    var isStopped: Bool {
        changed.lock()
        defer { changed.unlock() }
        return stopped
    }

    func requestCatchUp() {
        changed.lock()
        catchUpRequested = true
        changed.signal()
        changed.unlock()
    }

    func stop() {
        changed.lock()
        stopped = true
        blocks.removeAll()
        changed.broadcast()
        changed.unlock()
    }

    /// Waits up to `timeout` for blocks, a catch-up request or a stop; returns the blocks queued and whether a
    /// catch-up was asked for (nil once stopped).
    func take(timeout: Duration) -> (blocks: [PendingBlock], catchUp: Bool)? {
        let deadline = Date().addingTimeInterval(seconds(timeout))
        changed.lock()
        defer { changed.unlock() }
        while blocks.isEmpty && !catchUpRequested && !stopped {
            guard changed.wait(until: deadline) else { break }
        }
        guard !stopped else { return nil }
        defer {
            blocks.removeAll()
            catchUpRequested = false
        }
        return (blocks, catchUpRequested)
    }
}
