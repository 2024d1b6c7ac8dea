import V2GLedger

/// A neighbour this peer connects to: where it listens and who it is.
public struct Neighbour: Hashable, Sendable {
    public var endpoint: String
    /// Its Ed25519 ledger key; its CurveZMQ server key is derived from it.
    public var key: PublicKey
    public init(endpoint: String, key: PublicKey) {
        self.endpoint = endpoint
        self.key = key
    }
}

/// How a peer binds, whom it admits and whom it connects to.
public struct PeerConfiguration: Sendable {
    /// Where the peer's ROUTER listens; `tcp://127.0.0.1:*` lets the system choose a port.
    public var bindEndpoint: String
    /// The Ed25519 keys admitted by the ZAP handler (the channel's members).
    public var members: [PublicKey]
    /// The neighbours connected to at start; more can be added with `connect(to:)`.
    public var neighbours: [Neighbour]
    public var limits: NetworkLimits
    /// How many gossip IDs are remembered for de-duplication.
    public var seenCapacity: Int
    /// Whether gossip received is pushed on to the other neighbours (flooding with de-duplication).
    public var relay: Bool
    /// The ZAP domain of the peer's server socket.
    public var zapDomain: String

    public init(bindEndpoint: String = "tcp://127.0.0.1:*", members: [PublicKey], neighbours: [Neighbour] = [],
                limits: NetworkLimits = NetworkLimits(), seenCapacity: Int = 8192, relay: Bool = true,
                zapDomain: String = "v2g") {
        self.bindEndpoint = bindEndpoint
        self.members = members
        self.neighbours = neighbours
        self.limits = limits
        self.seenCapacity = seenCapacity
        self.relay = relay
        self.zapDomain = zapDomain
    }
}
