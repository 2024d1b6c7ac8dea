/// The connections each member was last heard on, by file descriptor, least recently heard first. A member
/// heard on more than `limit` connections has its least recently heard one cut: each connection holds its own
/// queue of replies, so a member that opens many and reads none would otherwise grow the node without bound.
///
/// Connections that have sent nothing yet (in their handshake, or authenticated and silent) belong to no
/// member; past `silentLimit` of them one is cut: the oldest of the source address with the most, so a flood
/// of connections from one address cuts its own, not a neighbour's handshake in progress. (libzmq says which
/// descriptor a connection has when it accepts it, and which member it is only with a message; a node's own
/// links say hello as soon as their handshake succeeds, so they do not stay silent.)
///
/// A descriptor is only a number: once libzmq closes a connection the number may come back for another (an
/// outgoing link of this node's, say). So only descriptors the ROUTER's monitor reported accepted are counted,
/// a closed connection is forgotten (the monitor reports that too), and a message on a reused descriptor moves
/// it to its new owner.
struct MemberConnections {
    let limit: Int
    let silentLimit: Int
    private var owner: [Int32: String] = [:]
    private var byMember: [String: [Int32]] = [:]
    /// Accepted connections not heard from yet, oldest first, with their source addresses.
    private var silent: [(fd: Int32, source: String)] = []

    init(limit: Int, silentLimit: Int = .max) {
        self.limit = max(1, limit)
        self.silentLimit = max(1, silentLimit)
    }

    /// Notes a connection libzmq accepted on `fd` from `source` (its peer's address; empty if it could not be
    /// read); returns the descriptor to cut if too many are silent.
    mutating func accepted(_ fd: Int32, from source: String = "") -> Int32? {
        forget(fd)   // the number of a connection whose close was not reported yet
        silent.append((fd, source))
        guard silent.count > silentLimit else { return nil }
        // A connection whose address could not be read is already gone: it goes first.
        if let gone = silent.firstIndex(where: { $0.source.isEmpty }) { return silent.remove(at: gone).fd }
        var counts: [String: Int] = [:]
        for s in silent { counts[s.source, default: 0] += 1 }
        let busiest = counts.values.max()!
        let victim = silent.firstIndex { counts[$0.source] == busiest }!
        return silent.remove(at: victim).fd
    }

    /// Notes a message from `member` on `fd`; returns the descriptor to cut if the member is now over its limit.
    /// A descriptor the monitor never reported accepted is not counted (it may be anything by now).
    mutating func heard(_ member: String, on fd: Int32) -> Int32? {
        if owner[fd] == nil {
            guard let i = silent.firstIndex(where: { $0.fd == fd }) else { return nil }
            silent.remove(at: i)
        }
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
    mutating func closed(_ fd: Int32) { forget(fd) }

    private mutating func forget(_ fd: Int32) {
        silent.removeAll { $0.fd == fd }
        guard let member = owner.removeValue(forKey: fd) else { return }
        byMember[member]?.removeAll { $0 == fd }
        if byMember[member]?.isEmpty == true { byMember[member] = nil }
    }

    /// The connections `member` is counted on, least recently heard first.
    func connections(of member: String) -> [Int32] { byMember[member] ?? [] }

    /// The connections that have sent nothing yet, oldest first.
    var silentConnections: [Int32] { silent.map(\.fd) }

    /// Every connection known: silent ones and members'.
    var all: [Int32] { silentConnections + owner.keys.sorted() }
}
