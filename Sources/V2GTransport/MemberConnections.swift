/// The connections each member was last heard on, by file descriptor, least recently heard first. A member
/// heard on more than `limit` connections has its least recently heard one cut: each connection holds its own
/// queue of replies, so a member that opens many and reads none would otherwise grow the node without bound.
///
/// A descriptor is only a number: once libzmq closes a connection the number may come back for another. A
/// message on it moves it to its new owner; an entry not heard from since may name a connection that is
/// no longer the member's, and cutting it costs that connection a redial (within `reconnectIntervalMax`).
struct MemberConnections {
    let limit: Int
    private var owner: [Int32: String] = [:]
    private var byMember: [String: [Int32]] = [:]

    init(limit: Int) { self.limit = max(1, limit) }

    /// Notes a message from `member` on `fd`; returns the descriptor to cut if the member is now over its limit.
    mutating func heard(_ member: String, on fd: Int32) -> Int32? {
        if let previous = owner[fd], previous != member {
            byMember[previous]?.removeAll { $0 == fd }
            if byMember[previous]?.isEmpty == true { byMember[previous] = nil }
        }
        owner[fd] = member
        var fds = byMember[member, default: []]
        if fds.last == fd { return nil }   // the common case: the member's one connection, again
        fds.removeAll { $0 == fd }
        fds.append(fd)
        var cut: Int32?
        if fds.count > limit {
            let oldest = fds.removeFirst()
            owner[oldest] = nil
            cut = oldest
        }
        byMember[member] = fds
        return cut
    }

    /// The connections `member` is counted on, least recently heard first.
    func connections(of member: String) -> [Int32] { byMember[member] ?? [] }
}
