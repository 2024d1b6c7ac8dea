/// Size, queue and timing limits of a peer's sockets (docs/network.md, "Limits").
public struct NetworkLimits: Hashable, Sendable {
    /// `ZMQ_MAXMSGSIZE` on every socket: libzmq disconnects a peer that sends a larger frame, before the
    /// application sees it. At least the largest per-kind limit below.
    public var maxMessageSize: Int = 16 << 20
    /// Application limits per message kind, checked before decoding.
    public var maxTransactionFrame: Int = 256 << 10
    public var maxBlockFrame: Int = 8 << 20
    public var maxBlocksFrame: Int = 16 << 20
    public var maxRequestFrame: Int = 64
    public var maxStatusFrame: Int = 4 << 10
    /// An `endorse` frame carries one transaction; an `endorsement` frame an ID, a key and a signature.
    public var maxEndorseFrame: Int = 256 << 10
    public var maxEndorsementFrame: Int = 256
    /// An `announcement` frame: a round, a deadline, a key and a signature.
    public var maxAnnouncementFrame: Int = 256
    /// The most blocks a `getBlocks` is answered with, and accepted in a `blocks` reply.
    public var maxBlocksPerRequest: Int = 64
    /// `ZMQ_SNDHWM` / `ZMQ_RCVHWM`: messages queued per connection before sends fail with `EAGAIN`.
    public var sendHighWaterMark: Int32 = 1000
    public var receiveHighWaterMark: Int32 = 1000
    /// `ZMQ_HANDSHAKE_IVL`: a connection whose CurveZMQ handshake takes longer is closed.
    public var handshakeInterval: Duration = .seconds(5)
    /// `ZMQ_RECONNECT_IVL` and `ZMQ_RECONNECT_IVL_MAX` (exponential back-off between them).
    public var reconnectInterval: Duration = .milliseconds(100)
    public var reconnectIntervalMax: Duration = .seconds(1)

    public init() {}

    /// The application limit of a kind of frame.
    public func maxFrameSize(_ kind: GossipMessage.Kind) -> Int {
        switch kind {
        case .transaction: return maxTransactionFrame
        case .block: return maxBlockFrame
        case .blocks: return maxBlocksFrame
        case .getBlocks, .getStatus: return maxRequestFrame
        case .status: return maxStatusFrame
        case .endorse: return maxEndorseFrame
        case .endorsement: return maxEndorsementFrame
        case .announcement: return maxAnnouncementFrame
        }
    }
}

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
    /// `getBlocks` and `getStatus` requests answered.
    public var requestsServed = 0

    public init() {}

    /// Frames dropped for `reason`.
    public func dropped(_ reason: DropReason) -> Int { dropped[reason, default: 0] }
    /// Frames dropped for any reason.
    public var totalDropped: Int { dropped.values.reduce(0, +) }
}
