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
