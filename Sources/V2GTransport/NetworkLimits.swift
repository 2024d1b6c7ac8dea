/// Size, queue and timing limits of a peer's sockets (docs/network.md, "Limits").
public struct NetworkLimits: Hashable, Sendable {
    /// `ZMQ_MAXMSGSIZE` on every socket: libzmq disconnects a peer that sends a larger frame, before the
    /// application sees it. At least the largest per-kind limit below.
    public var maxMessageSize: Int = 16 << 20
    /// Application limits per message kind, checked before decoding. A transaction (and the `endorse` frame
    /// that carries one) holds up to 4 MiB: a campus's allocation result lists every input transaction and
    /// every allocation and outcome (10,000 offers against 20,000 requests: about 1.2 MB), and 256 KiB
    /// refused it, so rounds of that size could never be endorsed (`v2g bench gateway`).
    public var maxTransactionFrame: Int = 4 << 20
    public var maxBlockFrame: Int = 8 << 20
    public var maxBlocksFrame: Int = 16 << 20
    public var maxRequestFrame: Int = 64
    public var maxStatusFrame: Int = 4 << 10
    /// An `endorse` frame carries one transaction; an `endorsement` frame an ID, a key and a signature.
    public var maxEndorseFrame: Int = 4 << 20
    public var maxEndorsementFrame: Int = 256
    /// An `announcement` frame: a round, a deadline, a key and a signature.
    public var maxAnnouncementFrame: Int = 256
    /// The most blocks a `getBlocks` is answered with, and accepted in a `blocks` reply.
    public var maxBlocksPerRequest: Int = 64
    /// `ZMQ_SNDHWM` / `ZMQ_RCVHWM`: messages queued per connection before sends fail with `EAGAIN`.
    public var sendHighWaterMark: Int32 = 1000
    public var receiveHighWaterMark: Int32 = 1000
    /// `ZMQ_SNDHWM` of the ROUTER: replies queued towards one requester that does not read them; past it they
    /// are dropped (counted as `sendsDropped`). With `maxReplyFrame` it bounds the memory one connection can
    /// hold: 128 × 1 MiB. (libzmq learns what the reader consumed in batches of half the mark, so a mark of a
    /// few messages would drop replies to requesters that do read.)
    public var replyHighWaterMark: Int32 = 128
    /// The size a `blocks` reply this peer sends is trimmed to (it always holds at least one block): smaller
    /// than what it accepts (`maxBlocksFrame`), so a requester that does not read costs little.
    public var maxReplyFrame: Int = 1 << 20
    /// `getBlocks` requests of one member waiting to be served; more are dropped (counted) until some are.
    public var maxOutstandingRequests: Int = 4
    /// Connections of one member the ROUTER keeps hearing: past it, the least recently heard is cut (each holds
    /// up to `replyHighWaterMark` replies). A member's node needs one; tools and redials a few more.
    public var maxConnectionsPerMember: Int = 4
    /// Connections that have sent nothing yet (in their handshake, or authenticated and silent): past it, the
    /// oldest is cut. With `maxConnectionsPerMember` it bounds every connection the ROUTER holds.
    public var maxSilentConnections: Int = 64
    /// The process's resident memory past which the peer cuts every connection its ROUTER holds (and hands
    /// freed memory back): libzmq buffers a multipart message whole until its last frame, and no libzmq option
    /// bounds the number of frames. nil: no guard (the default, as a library shares its process; `v2g node`
    /// sets one).
    public var maxResidentBytes: Int?
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
