import FoundationEssentials
import V2GKit
import V2GLedger

/// Gossip'd blocks waiting for the worker, bounded, with the worker's other wake-ups (a catch-up asked for, a
/// stop). The network thread only appends under its lock.
final class BlockInbox: @unchecked Sendable {  // fields under `changed`
    private let changed = Condition()
    private var blocks: [PendingBlock] = []
    private var bytes = 0
    private var catchUpRequested = false
    private var stopped = false
    private let capacity: Int
    private let maxBytes: Int

    init(capacity: Int, maxBytes: Int = .max) {
        self.capacity = max(1, capacity)
        self.maxBytes = max(1, maxBytes)
    }

    /// Queues a block of about `size` bytes; false if the inbox is full (by count or bytes) or stopped.
    func enqueue(_ block: Block, bytes size: Int, from sender: PublicKey?) -> Bool {
        changed.lock()
        defer { changed.unlock() }
        guard !stopped, blocks.count < capacity, size <= maxBytes - bytes else { return false }
        bytes += size
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
        let deadline = ContinuousClock.now + timeout
        changed.lock()
        defer { changed.unlock() }
        while blocks.isEmpty && !catchUpRequested && !stopped {
            guard changed.wait(until: deadline) else { break }
        }
        guard !stopped else { return nil }
        defer {
            blocks.removeAll()
            bytes = 0
            catchUpRequested = false
        }
        return (blocks, catchUpRequested)
    }
}
