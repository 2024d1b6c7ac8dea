internal import CZeroMQ
import Glibc

/// A multipart message as received: its frames, and the ZAP user id of the connection it came from.
struct ZMQMessage: Sendable {
    var frames: [[UInt8]]
    /// The "User-Id" property the ZAP handler gave the connection, if any.
    var userID: String?
    /// Whether the message had more frames than the receiver keeps (the rest were read and discarded).
    var truncated: Bool
    /// The file descriptor of the connection it came on, if libzmq says.
    var sourceFD: Int32? = nil
}

/// A libzmq socket, owned by one thread at a time; `deinit` closes it with a linger of 0.
///
/// A socket may move to another thread only across a full memory barrier (starting a thread is one);
/// it must never be used from two threads at once.
final class ZMQSocket {
    /// The context the socket lives in; kept alive as long as the socket.
    let context: ZMQContext
    let type: SocketType
    let handle: ZMQHandle

    /// A new socket of `type` in `context`.
    ///
    /// The corresponding C function is `zmq_socket`.
    init(_ context: ZMQContext, _ type: SocketType) throws(TransportError) {
        self.context = context
        self.type = type
        handle = try zmqSocket(context.handle, type.rawValue).get()
    }

    deinit {
        var zero: Int32 = 0
        _ = withUnsafeBytes(of: &zero) { zmqSetOption(handle, ZMQ_LINGER, $0) }
        _ = zmqClose(handle)
    }

    // MARK: - Options

    /// Sets an int option.
    ///
    /// The corresponding C function is `zmq_setsockopt`.
    func set(_ option: SocketOption, _ value: Int32) throws(TransportError) {
        var v = value
        try withUnsafeBytes(of: &v) { zmqSetOption(handle, option.rawValue, $0) }.get()
    }

    /// Sets an int64_t option (`maxMessageSize`).
    func set(_ option: SocketOption, _ value: Int64) throws(TransportError) {
        var v = value
        try withUnsafeBytes(of: &v) { zmqSetOption(handle, option.rawValue, $0) }.get()
    }

    /// Sets a binary option (Curve keys, subscriptions).
    func set(_ option: SocketOption, bytes: [UInt8]) throws(TransportError) {
        try bytes.withUnsafeBytes { zmqSetOption(handle, option.rawValue, $0) }.get()
    }

    /// Sets a string option (`zapDomain`).
    func set(_ option: SocketOption, _ value: String) throws(TransportError) {
        try set(option, bytes: Array(value.utf8))
    }

    /// Reads an int option.
    ///
    /// The corresponding C function is `zmq_getsockopt`.
    func int32(_ option: SocketOption) throws(TransportError) -> Int32 {
        var v: Int32 = 0
        _ = try withUnsafeMutableBytes(of: &v) { zmqGetOption(handle, option.rawValue, $0) }.get()
        return v
    }

    /// Reads a string option.
    func string(_ option: SocketOption) throws(TransportError) -> String {
        var buffer = [UInt8](repeating: 0, count: 1024)
        let n = try buffer.withUnsafeMutableBytes { zmqGetOption(handle, option.rawValue, $0) }.get()
        let text = buffer.prefix(n).prefix { $0 != 0 }
        return String(decoding: text, as: UTF8.self)
    }

    /// The endpoint of the last bind, with the port the system chose for `tcp://…:*`.
    func lastEndpoint() throws(TransportError) -> String { try string(.lastEndpoint) }

    /// Makes the socket a CurveZMQ server with its X25519 secret key (it then authenticates clients through
    /// the context's ZAP handler, if one is bound, under `zapDomain`).
    func makeCurveServer(secretKey: [UInt8], zapDomain: String) throws(TransportError) {
        try set(.curveServer, Int32(1))
        try set(.curveSecretKey, bytes: secretKey)
        try set(.zapDomain, zapDomain)
    }

    /// Makes the socket a CurveZMQ client with its key pair, talking to the server of `serverKey`.
    func makeCurveClient(publicKey: [UInt8], secretKey: [UInt8], serverKey: [UInt8]) throws(TransportError) {
        try set(.curveServerKey, bytes: serverKey)
        try set(.curvePublicKey, bytes: publicKey)
        try set(.curveSecretKey, bytes: secretKey)
    }

    // MARK: - Endpoints

    /// The corresponding C function is `zmq_bind`.
    func bind(_ endpoint: String) throws(TransportError) { try zmqBind(handle, endpoint).get() }

    /// The corresponding C function is `zmq_connect`.
    func connect(_ endpoint: String) throws(TransportError) { try zmqConnect(handle, endpoint).get() }

    /// The corresponding C function is `zmq_disconnect`.
    func disconnect(_ endpoint: String) throws(TransportError) { try zmqDisconnect(handle, endpoint).get() }

    /// Publishes `events` of this socket on a PAIR socket bound at `endpoint` (inproc://…).
    ///
    /// The corresponding C function is `zmq_socket_monitor`.
    func monitor(_ endpoint: String, events: MonitorEvents) throws(TransportError) {
        try zmqSocketMonitor(handle, endpoint, events.rawValue).get()
    }

    // MARK: - Sending

    /// Sends `frames` as one multipart message (all or nothing: libzmq queues a message whole).
    ///
    /// The corresponding C function is `zmq_send`.
    func send(_ frames: [[UInt8]], flags: MessageFlags = []) throws(TransportError) {
        precondition(!frames.isEmpty, "a message has at least one frame")
        for (i, frame) in frames.enumerated() {
            let more = i + 1 < frames.count ? ZMQ_SNDMORE : 0
            try zmqSend(handle, frame, flags.rawValue | more).get()
        }
    }

    /// Sends without blocking; returns false if the message could not be queued now (`EAGAIN`: high-water
    /// mark reached, or no completed connection under `immediate`).
    func trySend(_ frames: [[UInt8]]) throws(TransportError) -> Bool {
        do {
            try send(frames, flags: .dontWait)
            return true
        } catch where error.isWouldBlock {
            return false
        }
    }

    /// Queues `frame` as a one-frame message without blocking, sharing its buffer with every other socket it is
    /// queued on; returns false if there was no room now (`EAGAIN`).
    func trySend(_ frame: SharedFrame) throws(TransportError) -> Bool {
        do {
            try frame.send(on: handle, MessageFlags.dontWait.rawValue).get()
            return true
        } catch where error.isWouldBlock {
            return false
        }
    }

    /// Sends, waiting at most `timeout` for room; returns false if there was none.
    func send(_ frames: [[UInt8]], timeout: Duration) throws(TransportError) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while true {
            if try trySend(frames) { return true }
            let left = ContinuousClock.now.duration(to: deadline)
            guard left > .zero else { return false }
            _ = try ZMQPoll.poll([.init(self, .writable)], timeout: left)
        }
    }

    // MARK: - Receiving

    /// Receives one multipart message, keeping at most `maxFrames` frames.
    ///
    /// The corresponding C function is `zmq_msg_recv`.
    func receive(flags: MessageFlags = [], maxFrames: Int = 16) throws(TransportError) -> ZMQMessage {
        var message = ZMQMessage(frames: [], userID: nil, truncated: false)
        var more = true
        var first = true
        while more {
            // Only the first frame may wait: the rest of a message arrive with it.
            let frame = try zmqReceive(handle, first ? flags.rawValue : 0).get()
            first = false
            more = frame.more
            if message.userID == nil { message.userID = frame.userID }
            if message.sourceFD == nil, frame.sourceFD >= 0 { message.sourceFD = frame.sourceFD }
            if message.frames.count < maxFrames {
                message.frames.append(frame.bytes)
            } else {
                message.truncated = true
            }
        }
        return message
    }

    /// Receives a message if one is waiting; nil otherwise.
    func tryReceive(maxFrames: Int = 16) throws(TransportError) -> ZMQMessage? {
        do {
            return try receive(flags: .dontWait, maxFrames: maxFrames)
        } catch where error.isWouldBlock {
            return nil
        }
    }

    /// Receives a message, waiting at most `timeout`; nil if none came.
    func receive(timeout: Duration, maxFrames: Int = 16) throws(TransportError) -> ZMQMessage? {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let message = try tryReceive(maxFrames: maxFrames) { return message }
            let left = ContinuousClock.now.duration(to: deadline)
            guard left > .zero else { return nil }
            _ = try ZMQPoll.poll([.init(self, .readable)], timeout: left)
        }
    }
}
