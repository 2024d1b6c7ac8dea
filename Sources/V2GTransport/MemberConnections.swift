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
/// a closed connection is forgotten (the monitor reports that too), a message on a reused descriptor moves it
/// to its new owner, and each cut names the peer's address and port seen at acceptance, for the caller to
/// check that the descriptor still leads there before it cuts.
struct MemberConnections {
    let limit: Int
    let silentLimit: Int
    private var owner: [Int32: String] = [:]
    private var byMember: [String: [Int32]] = [:]
    /// Accepted connections not heard from yet, oldest first.
    private var silent: [Int32] = []
    /// Each known connection's peer, `address:port`, as it was when accepted (empty if it could not be read).
    private var peers: [Int32: String] = [:]

    /// A connection to cut: its descriptor and the peer it led to when it was accepted.
    struct Cut: Hashable {
        let fd: Int32
        let peer: String
    }

    init(limit: Int, silentLimit: Int = .max) {
        self.limit = max(1, limit)
        self.silentLimit = max(1, silentLimit)
    }

    /// Notes a connection libzmq accepted on `fd` from `peer` (`address:port`; empty if it could not be read);
    /// returns the connection to cut if too many are silent.
    mutating func accepted(_ fd: Int32, from peer: String = "") -> Cut? {
        forget(fd)   // the number of a connection whose close was not reported yet
        silent.append(fd)
        peers[fd] = peer
        guard silent.count > silentLimit else { return nil }
        // A connection whose address could not be read is already gone: it goes first.
        let victim: Int
        if let gone = silent.firstIndex(where: { peers[$0, default: ""].isEmpty }) {
            victim = gone
        } else {
            var counts: [Substring: Int] = [:]
            for s in silent { counts[Self.host(peers[s, default: ""]), default: 0] += 1 }
            let busiest = counts.values.max()!
            victim = silent.firstIndex { counts[Self.host(peers[$0, default: ""])] == busiest }!
        }
        let fd = silent.remove(at: victim)
        return Cut(fd: fd, peer: peers.removeValue(forKey: fd) ?? "")
    }

    /// The address part of `address:port`.
    static func host(_ peer: String) -> Substring {
        peer.lastIndex(of: ":").map { peer[..<$0] } ?? Substring(peer)
    }

    /// Notes a message from `member` on `fd`; returns the connection to cut if the member is now over its limit.
    /// A descriptor the monitor never reported accepted is not counted (it may be anything by now).
    mutating func heard(_ member: String, on fd: Int32) -> Cut? {
        if owner[fd] == nil {
            guard let i = silent.firstIndex(of: fd) else { return nil }
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
        var cut: Cut?
        if fds.count > limit {
            let oldest = fds.removeFirst()
            owner[oldest] = nil
            cut = Cut(fd: oldest, peer: peers.removeValue(forKey: oldest) ?? "")
        }
        byMember[member] = fds
        return cut
    }

    /// Forgets the connection on `fd`: libzmq closed it.
    mutating func closed(_ fd: Int32) { forget(fd) }

    private mutating func forget(_ fd: Int32) {
        silent.removeAll { $0 == fd }
        peers[fd] = nil
        guard let member = owner.removeValue(forKey: fd) else { return }
        byMember[member]?.removeAll { $0 == fd }
        if byMember[member]?.isEmpty == true { byMember[member] = nil }
    }

    /// The connections `member` is counted on, least recently heard first.
    func connections(of member: String) -> [Int32] { byMember[member] ?? [] }

    /// The connections that have sent nothing yet, oldest first.
    var silentConnections: [Int32] { silent }

    /// Every connection known, silent ones and members', each with its peer; forgotten (the caller cuts them).
    mutating func removeAll() -> [Cut] {
        let cuts = (silent + owner.keys.sorted()).map { Cut(fd: $0, peer: peers[$0] ?? "") }
        owner = [:]
        byMember = [:]
        silent = []
        peers = [:]
        return cuts
    }
}
