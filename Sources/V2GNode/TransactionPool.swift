import FoundationEssentials
import V2GKit
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
///
/// Each member (author) has a share: at most `sharePerMember` transactions and `shareBytesPerMember` bytes.
/// A member's new transaction that does not fit its share evicts that member's oldest ones, never anyone
/// else's: one member cannot crowd out another, and an honest member within its share is never refused.
final class TransactionPool: @unchecked Sendable {  // fields under `changed`
    private struct Share {
        var ids: [Digest] = []   // oldest first
        var bytes = 0
    }

    private let changed = Condition()
    private var byChannel: [Channel: [Transaction]] = [:]
    private var entries: [Digest: (author: PublicKey, bytes: Int)] = [:]
    private var shares: [PublicKey: Share] = [:]
    private var stopped = false
    private var generation = 0
    let capacity: Int
    let sharePerMember: Int
    let shareBytesPerMember: Int

    init(capacity: Int, sharePerMember: Int = 8, shareBytesPerMember: Int = 2 << 20) {
        self.capacity = max(1, capacity)
        self.sharePerMember = max(1, sharePerMember)
        self.shareBytesPerMember = max(1, shareBytesPerMember)
    }

    /// Adds `tx` (whose ID is `id`): nil if added, else why not; and how many of the author's older
    /// transactions it evicted to fit its share.
    func insert(_ tx: Transaction, id: Digest) -> (PoolRefusal?, evicted: Int) {
        let bytes = tx.encoded.count
        changed.lock()
        defer { changed.unlock() }
        guard entries[id] == nil else { return (.ledger(LedgerError(.replay, "\(id) is already pooled")), 0) }
        guard bytes <= shareBytesPerMember else {
            return (.ledger(LedgerError(.malformed, "\(bytes) bytes exceed a member's share of \(shareBytesPerMember)")), 0)
        }
        var share = shares[tx.author] ?? Share()
        var evicted: [Digest] = []
        while share.ids.count >= sharePerMember || share.bytes + bytes > shareBytesPerMember {
            let oldest = share.ids.removeFirst()
            share.bytes -= entries[oldest]?.bytes ?? 0
            evicted.append(oldest)
        }
        guard entries.count - evicted.count < capacity else { return (.full(capacity: capacity), 0) }
        removeLocked(Set(evicted))
        share.ids.append(id)
        share.bytes += bytes
        shares[tx.author] = share
        byChannel[tx.channel, default: []].append(tx)
        entries[id] = (tx.author, bytes)
        generation += 1
        changed.broadcast()
        return (nil, evicted.count)
    }

    func contains(_ id: Digest) -> Bool {
        changed.lock()
        defer { changed.unlock() }
        return entries[id] != nil
    }

    func remove(_ removed: Set<Digest>) {
        guard !removed.isEmpty else { return }
        changed.lock()
        removeLocked(removed)
        generation += 1
        changed.broadcast()
        changed.unlock()
    }

    /// Removes every pooled transaction `drop` says to; returns how many. The predicate runs under the lock.
    func remove(where drop: (Transaction) -> Bool) -> Int {
        changed.lock()
        defer { changed.unlock() }
        let ids = Set(byChannel.values.joined().filter(drop).map(\.id))
        guard !ids.isEmpty else { return 0 }
        removeLocked(ids)
        generation += 1
        changed.broadcast()
        return ids.count
    }

    /// Under `changed`.
    private func removeLocked(_ removed: Set<Digest>) {
        guard !removed.isEmpty else { return }
        for channel in byChannel.keys { byChannel[channel]?.removeAll { removed.contains($0.id) } }
        for id in removed {
            guard let (author, bytes) = entries.removeValue(forKey: id) else { continue }
            shares[author]?.ids.removeAll { $0 == id }
            shares[author]?.bytes -= bytes
            if shares[author]?.ids.isEmpty == true { shares[author] = nil }
        }
    }

    var snapshot: [Channel: [Transaction]] {
        changed.lock()
        defer { changed.unlock() }
        return byChannel
    }

    var count: Int {
        changed.lock()
        defer { changed.unlock() }
        return entries.count
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
        let deadline = ContinuousClock.now + timeout
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
