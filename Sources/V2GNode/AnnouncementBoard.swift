import FoundationEssentials
import V2GKit
import V2GLedger

/// The latest round announcement signed by an orderer of this ledger's channels. Changes are broadcast, so
/// agents wait on a condition for the next round.
final class AnnouncementBoard: @unchecked Sendable {  // fields under `changed`
    private let changed = Condition()
    private var latest: RoundAnnouncement?
    private var stopped = false

    var current: RoundAnnouncement? {
        changed.lock()
        defer { changed.unlock() }
        return latest
    }

    /// Keeps `a` if it names a later round than the latest kept; returns whether it did.
    @discardableResult
    func keep(_ a: RoundAnnouncement) -> Bool {
        changed.lock()
        defer { changed.unlock() }
        guard a.round > latest?.round ?? 0 else { return false }   // old news
        latest = a
        changed.broadcast()
        return true
    }

    func stop() {
        changed.lock()
        stopped = true
        changed.broadcast()
        changed.unlock()
    }

    /// The latest announcement once it names a round after `round`; nil after `timeout` or when the node stops.
    func wait(after round: UInt64, timeout: Duration) -> RoundAnnouncement? {
        let deadline = ContinuousClock.now + timeout
        changed.lock()
        defer { changed.unlock() }
        while (latest?.round ?? 0) <= round {
            guard !stopped, changed.wait(until: deadline) else { break }
        }
        guard let a = latest, a.round > round else { return nil }
        return a
    }
}

/// Announcements whose author is not known as an orderer yet (signed by it, checked before they are held): the
/// latest of each author, a few authors at most, each for a few seconds.
final class UnplacedAnnouncements: @unchecked Sendable {  // fields under `lock`
    private let lock = Lock()
    private var held: [RoundAnnouncement] = []
    private var since: [RoundAnnouncement: ContinuousClock.Instant] = [:]
    static let capacity = 8
    static let lifetime: Duration = .seconds(5)

    /// Holds `a` unless it has been held for `lifetime` already; returns whether it is held.
    func hold(_ a: RoundAnnouncement) -> Bool {
        lock.withLock {
            let now = ContinuousClock.now
            since = since.filter { now - $0.value < Self.lifetime * 2 }   // forget those placed or refused long ago
            let first = since[a] ?? now
            guard now - first < Self.lifetime else {
                since[a] = nil
                return false
            }
            since[a] = first
            held.removeAll { $0.author == a.author && $0.round <= a.round }   // one per author: its latest
            guard !held.contains(where: { $0.author == a.author }) else { return true }
            held.append(a)
            while held.count > Self.capacity { since[held.removeFirst()] = nil }
            return true
        }
    }

    /// The held announcements, to be looked at again (and held again if still unplaced).
    func take() -> [RoundAnnouncement] {
        lock.withLock {
            defer { held.removeAll() }
            return held
        }
    }

    var isEmpty: Bool { lock.withLock { held.isEmpty } }
}
