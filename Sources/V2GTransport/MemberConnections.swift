/// The connections each member was last heard on, by file descriptor, least recently heard first. A member
/// heard on more than `limit` connections has its least recently heard one cut: each connection holds its own
/// queue of replies, so a member that opens many and reads none would otherwise grow the node without bound.
///
/// A descriptor is only a number: once libzmq closes a connection the number may come back for another (an
/// outgoing link of this node's, say). So a closed connection is forgotten (the ROUTER's monitor reports it),
/// and a message on a reused descriptor moves it to its new owner.
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

    /// Forgets the connection on `fd`: libzmq closed it.
    mutating func closed(_ fd: Int32) {
        guard let member = owner.removeValue(forKey: fd) else { return }
        byMember[member]?.removeAll { $0 == fd }
        if byMember[member]?.isEmpty == true { byMember[member] = nil }
    }

    /// The connections `member` is counted on, least recently heard first.
    func connections(of member: String) -> [Int32] { byMember[member] ?? [] }
}
