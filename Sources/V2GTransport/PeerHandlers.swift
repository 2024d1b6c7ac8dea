import V2GLedger

/// Gossip as delivered: the message and the member whose connection it came on (the ZAP user id).
public struct ReceivedGossip: Sendable {
    public var message: GossipMessage
    public var sender: PublicKey?
}

/// Where the answer to a request goes: the connection it came on. Valid until that connection closes.
public struct ReplyRoute: Hashable, Sendable {
    let routingID: [UInt8]
}

/// A request a member sent this peer: `getBlocks`, `getStatus` or `endorse`.
public struct IncomingRequest: Sendable {
    public var message: GossipMessage
    /// The member whose connection it came on (the ZAP user id).
    public var sender: PublicKey?
    /// What `Peer.reply(_:to:)` takes to answer it later.
    public var route: ReplyRoute
}

/// What the application gives the peer. Both closures run on the peer's thread, which owns the sockets: they
/// may only look at a snapshot or queue work, never verify, re-execute, touch a store or wait on a lock that
/// such work holds (docs/architecture.md, "Threads").
public struct PeerHandlers: Sendable {
    /// New gossip (a transaction, a block or an announcement), once per ID.
    public var gossip: @Sendable (ReceivedGossip) -> Void
    /// A request: the answer if it is at hand (a status from a snapshot), or nil to answer later with
    /// `Peer.reply(_:to:)` from another thread, or never (an endorser that refuses does not answer).
    public var request: @Sendable (IncomingRequest) -> GossipMessage?

    public init(gossip: @escaping @Sendable (ReceivedGossip) -> Void = { _ in },
                request: @escaping @Sendable (IncomingRequest) -> GossipMessage? = { _ in nil }) {
        self.gossip = gossip
        self.request = request
    }
}
