/// What a peer counted since it started.
public struct NetworkCounters: Hashable, Sendable {
    /// Messages read from the network, whatever became of them.
    public var received = 0
    /// Gossip handed to the application.
    public var delivered = 0
    /// Gossip already seen (by ID or hash), not delivered again.
    public var duplicates = 0
    /// Messages queued for sending.
    public var sent = 0
    /// Non-blocking sends that found no room (high-water mark, no completed link, peer gone).
    public var sendsDropped = 0
    /// Received frames dropped, by reason.
    public var dropped: [DropReason: Int] = [:]
    /// Connections the ZAP handler refused (their Curve key is not a member's).
    public var refusedConnections = 0
    /// Our own connections that a neighbour's ZAP handler refused.
    public var refusedByRemote = 0
    /// Handshakes that failed for other reasons (wrong server key, protocol errors).
    public var handshakeFailures = 0
    /// `getBlocks` and `getStatus` requests answered (hellos not included).
    public var requestsServed = 0
    /// Hellos answered: one per connection a neighbour's link made to this peer (more than one per neighbour
    /// means its link was dropped and dialled again).
    public var hellos = 0
    /// Connections cut: their member was heard on more than `maxConnectionsPerMember`, or more than
    /// `maxSilentConnections` had sent nothing.
    public var connectionsCut = 0
    /// Times resident memory passed `maxResidentBytes` and every connection of the ROUTER was cut.
    public var memoryGuardTrips = 0

    public init() {}

    /// Frames dropped for `reason`.
    public func dropped(_ reason: DropReason) -> Int { dropped[reason, default: 0] }
    /// Frames dropped for any reason.
    public var totalDropped: Int { dropped.values.reduce(0, +) }
}
