import Foundation
import V2GLedger

/// Why the orderer's pool refused a transaction.
public enum PoolRefusal: Error, Equatable, Sendable, CustomStringConvertible {
    /// It would not pass the ledger's admission (signature, membership, role, endorsements) or is committed or
    /// pooled already.
    case ledger(LedgerError)
    /// The pool holds `capacity` transactions.
    case full(capacity: Int)

    /// The label counters and metrics use: the `LedgerError.Code` raw value, or `pool_full`.
    public var reason: String {
        switch self {
        case .ledger(let e): return e.code.rawValue
        case .full: return "pool_full"
        }
    }

    public var description: String {
        switch self {
        case .ledger(let e): return "\(e)"
        case .full(let capacity): return "pool_full: the pool holds \(capacity) transactions"
        }
    }
}

/// The orderer's endorsed transactions waiting for a block, per channel, in arrival order. Its own lock is held
/// only to look up, insert or remove; every insert and removal is broadcast, so `wait` is a condition.
final class TransactionPool: @unchecked Sendable {  // fields under `changed`
    private let changed = NSCondition()
    private var byChannel: [Channel: [Transaction]] = [:]
    private var ids: Set<Digest> = []
    private var stopped = false
    private var generation = 0
    let capacity: Int

    init(capacity: Int) { self.capacity = max(1, capacity) }

    /// Adds `tx` (whose ID is `id`); nil if added, else why not.
    func insert(_ tx: Transaction, id: Digest) -> PoolRefusal? {
        changed.lock()
        defer { changed.unlock() }
        guard !ids.contains(id) else { return .ledger(LedgerError(.replay, "\(id) is already pooled")) }
        guard ids.count < capacity else { return .full(capacity: capacity) }
        byChannel[tx.channel, default: []].append(tx)
        ids.insert(id)
        generation += 1
        changed.broadcast()
        return nil
    }

    func contains(_ id: Digest) -> Bool {
        changed.lock()
        defer { changed.unlock() }
        return ids.contains(id)
    }

    func remove(_ removed: Set<Digest>) {
        guard !removed.isEmpty else { return }
        changed.lock()
        for channel in byChannel.keys { byChannel[channel]?.removeAll { removed.contains($0.id) } }
        ids.subtract(removed)
        generation += 1
        changed.broadcast()
        changed.unlock()
    }

    var snapshot: [Channel: [Transaction]] {
        changed.lock()
        defer { changed.unlock() }
        return byChannel
    }

    func stop() {
        changed.lock()
        stopped = true
        changed.broadcast()
        changed.unlock()
    }

    /// Checks `condition` on a copy of the pool (outside the lock) after every change until it holds, `timeout`
    /// passes or the pool stops.
    func wait(timeout: Duration, until condition: ([Channel: [Transaction]]) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds(timeout))
        while true {
            changed.lock()
            let (pool, seen) = (byChannel, generation)
            changed.unlock()
            if condition(pool) { return true }
            changed.lock()
            var timedOut = false
            while generation == seen && !stopped && !timedOut { timedOut = !changed.wait(until: deadline) }
            let over = stopped || timedOut
            changed.unlock()
            if over { return condition(snapshot) }
        }
    }
}
