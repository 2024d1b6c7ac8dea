import V2GLedger

/// One authenticated CurveZMQ link to one peer, driven frame by frame from the calling thread: for tools that
/// speak the protocol directly (probes, conformance and attack tests), not for nodes, which use `Peer`.
/// Not thread-safe: one thread at a time.
public final class RawLink {
    private let socket: ZMQSocket

    /// Dials `endpoint`, a peer holding the ledger key `server`, as `key`.
    /// - Parameter immediate: queue frames only once the handshake completed (false: frames queued before it
    ///   go out the moment a handshake succeeds, as an intruder's would).
    public init(key: SigningKey, to endpoint: String, of server: PublicKey, immediate: Bool = true) throws(TransportError) {
        let context = try ZMQContext()
        let s = try ZMQSocket(context, .dealer)
        try s.set(.linger, Int32(0))
        try s.set(.immediate, Int32(immediate ? 1 : 0))
        try s.set(.reconnectIntervalMax, Int32(300))
        try CurveIdentity(key).makeClient(s, of: server)
        try s.connect(endpoint)
        socket = s
    }

    /// Sends one frame, waiting at most `timeout` for room; false if there was none.
    public func send(_ frame: [UInt8], timeout: Duration) throws(TransportError) -> Bool {
        try socket.send([frame], timeout: timeout)
    }

    /// Sends one message of several frames (none of the protocol's kinds has more than one: an attack test's
    /// shape), waiting at most `timeout` for room; false if there was none.
    public func send(frames: [[UInt8]], timeout: Duration) throws(TransportError) -> Bool {
        try socket.send(frames, timeout: timeout)
    }

    /// Sends one frame if there is room now; false otherwise.
    public func trySend(_ frame: [UInt8]) throws(TransportError) -> Bool { try socket.trySend([frame]) }

    /// The frames of the next message, waiting at most `timeout`; nil if none came.
    public func receive(timeout: Duration) throws(TransportError) -> [[UInt8]]? {
        try socket.receive(timeout: timeout)?.frames
    }

    /// Sends a request and decodes the one-frame answer; nil if none came in time or it does not decode.
    public func ask(_ message: GossipMessage, timeout: Duration) throws(TransportError) -> GossipMessage? {
        guard try send(message.encoded, timeout: timeout), let frames = try receive(timeout: timeout), frames.count == 1
        else { return nil }
        return try? GossipMessage(decoding: frames[0])
    }
}
