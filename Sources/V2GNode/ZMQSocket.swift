import CZeroMQ
import Glibc

/// A libzmq context: the I/O threads and the inproc namespace its sockets share.
///
/// Sockets keep their context alive; when the last reference goes, `deinit` terminates it, which waits until
/// every socket of the context has been closed.
public final class ZMQContext: @unchecked Sendable {  // libzmq contexts are thread-safe
    let handle: ZMQHandle

    /// A new context with `ioThreads` I/O threads.
    ///
    /// The corresponding C functions are `zmq_ctx_new` and `zmq_ctx_set`.
    public init(ioThreads: Int32 = 1) throws(NodeError) {
        handle = try zmqContextNew().get()
        if ioThreads != 1, case .failure(let e) = zmqContextSet(handle, ZMQ_IO_THREADS, ioThreads) {
            _ = zmqContextTerm(handle)
            throw e
        }
    }

    deinit { _ = zmqContextTerm(handle) }
}

/// A socket type (`ZMQ_ROUTER`, …).
@frozen
public struct SocketType: RawRepresentable, Hashable, Sendable {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static var pair: SocketType { SocketType(rawValue: ZMQ_PAIR) }
    public static var pub: SocketType { SocketType(rawValue: ZMQ_PUB) }
    public static var sub: SocketType { SocketType(rawValue: ZMQ_SUB) }
    public static var req: SocketType { SocketType(rawValue: ZMQ_REQ) }
    public static var rep: SocketType { SocketType(rawValue: ZMQ_REP) }
    public static var dealer: SocketType { SocketType(rawValue: ZMQ_DEALER) }
    public static var router: SocketType { SocketType(rawValue: ZMQ_ROUTER) }
    public static var pull: SocketType { SocketType(rawValue: ZMQ_PULL) }
    public static var push: SocketType { SocketType(rawValue: ZMQ_PUSH) }
}

/// A socket option name (`ZMQ_LINGER`, …); the value's C type is noted on each.
@frozen
public struct SocketOption: RawRepresentable, Hashable, Sendable {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// int, milliseconds.
    public static var linger: SocketOption { SocketOption(rawValue: ZMQ_LINGER) }
    /// int64_t, bytes; -1 is no limit. A peer sending a larger frame is disconnected.
    public static var maxMessageSize: SocketOption { SocketOption(rawValue: ZMQ_MAXMSGSIZE) }
    /// int, messages per peer.
    public static var sendHighWaterMark: SocketOption { SocketOption(rawValue: ZMQ_SNDHWM) }
    /// int, messages per peer.
    public static var receiveHighWaterMark: SocketOption { SocketOption(rawValue: ZMQ_RCVHWM) }
    /// int, milliseconds; -1 blocks forever.
    public static var sendTimeout: SocketOption { SocketOption(rawValue: ZMQ_SNDTIMEO) }
    /// int, milliseconds; -1 blocks forever.
    public static var receiveTimeout: SocketOption { SocketOption(rawValue: ZMQ_RCVTIMEO) }
    /// int, milliseconds; 0 is no limit.
    public static var handshakeInterval: SocketOption { SocketOption(rawValue: ZMQ_HANDSHAKE_IVL) }
    /// int, 0 or 1: queue only to completed connections.
    public static var immediate: SocketOption { SocketOption(rawValue: ZMQ_IMMEDIATE) }
    /// int, milliseconds.
    public static var reconnectInterval: SocketOption { SocketOption(rawValue: ZMQ_RECONNECT_IVL) }
    /// int, milliseconds; enables exponential back-off.
    public static var reconnectIntervalMax: SocketOption { SocketOption(rawValue: ZMQ_RECONNECT_IVL_MAX) }
    /// int, 0 or 1: a ROUTER fails sends it cannot route instead of dropping them.
    public static var routerMandatory: SocketOption { SocketOption(rawValue: ZMQ_ROUTER_MANDATORY) }
    /// int, 0 or 1.
    public static var curveServer: SocketOption { SocketOption(rawValue: ZMQ_CURVE_SERVER) }
    /// 32 bytes.
    public static var curvePublicKey: SocketOption { SocketOption(rawValue: ZMQ_CURVE_PUBLICKEY) }
    /// 32 bytes.
    public static var curveSecretKey: SocketOption { SocketOption(rawValue: ZMQ_CURVE_SECRETKEY) }
    /// 32 bytes.
    public static var curveServerKey: SocketOption { SocketOption(rawValue: ZMQ_CURVE_SERVERKEY) }
    /// string.
    public static var zapDomain: SocketOption { SocketOption(rawValue: ZMQ_ZAP_DOMAIN) }
    /// string, read only: the endpoint of the last bind, with the port the system chose.
    public static var lastEndpoint: SocketOption { SocketOption(rawValue: ZMQ_LAST_ENDPOINT) }
    /// binary.
    public static var subscribe: SocketOption { SocketOption(rawValue: ZMQ_SUBSCRIBE) }
}

/// Flags of a send or receive.
@frozen
public struct MessageFlags: OptionSet, Sendable {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }
    /// Fail with `EAGAIN` rather than block.
    public static var dontWait: MessageFlags { MessageFlags(rawValue: ZMQ_DONTWAIT) }
}

/// Socket events to monitor (`ZMQ_EVENT_…`).
@frozen
public struct MonitorEvents: OptionSet, Hashable, Sendable {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }
    public static var connected: MonitorEvents { MonitorEvents(rawValue: ZMQ_EVENT_CONNECTED) }
    public static var accepted: MonitorEvents { MonitorEvents(rawValue: ZMQ_EVENT_ACCEPTED) }
    public static var closed: MonitorEvents { MonitorEvents(rawValue: ZMQ_EVENT_CLOSED) }
    public static var disconnected: MonitorEvents { MonitorEvents(rawValue: ZMQ_EVENT_DISCONNECTED) }
    public static var monitorStopped: MonitorEvents { MonitorEvents(rawValue: ZMQ_EVENT_MONITOR_STOPPED) }
    public static var handshakeSucceeded: MonitorEvents { MonitorEvents(rawValue: ZMQ_EVENT_HANDSHAKE_SUCCEEDED) }
    public static var handshakeFailedNoDetail: MonitorEvents { MonitorEvents(rawValue: ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL) }
    public static var handshakeFailedProtocol: MonitorEvents { MonitorEvents(rawValue: ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL) }
    public static var handshakeFailedAuth: MonitorEvents { MonitorEvents(rawValue: ZMQ_EVENT_HANDSHAKE_FAILED_AUTH) }
    public static var all: MonitorEvents { MonitorEvents(rawValue: ZMQ_EVENT_ALL) }
}

/// One event read from a monitor socket: the event, its value (an fd, errno or ZAP status) and the endpoint.
public struct MonitorEvent: Sendable {
    public var event: MonitorEvents
    public var value: UInt32
    public var endpoint: String

    /// Parses the two frames of a libzmq v1 monitor event (u16 event and u32 value in host order, then the
    /// endpoint); nil if they are not that.
    public init?(frames: [[UInt8]]) {
        guard frames.count == 2, frames[0].count == 6 else { return nil }
        let f = frames[0]
        event = MonitorEvents(rawValue: Int32(UInt16(f[0]) | UInt16(f[1]) << 8))
        value = UInt32(f[2]) | UInt32(f[3]) << 8 | UInt32(f[4]) << 16 | UInt32(f[5]) << 24
        endpoint = String(decoding: frames[1], as: UTF8.self)
    }
}

/// A multipart message as received: its frames, and the ZAP user id of the connection it came from.
public struct ZMQMessage: Sendable {
    public var frames: [[UInt8]]
    /// The "User-Id" property the ZAP handler gave the connection, if any.
    public var userID: String?
    /// Whether the message had more frames than the receiver keeps (the rest were read and discarded).
    public var truncated: Bool
}

/// A libzmq socket, owned by one thread at a time; `deinit` closes it with a linger of 0.
///
/// A socket may move to another thread only across a full memory barrier (starting a thread is one);
/// it must never be used from two threads at once.
public final class ZMQSocket {
    /// The context the socket lives in; kept alive as long as the socket.
    public let context: ZMQContext
    public let type: SocketType
    let handle: ZMQHandle

    /// A new socket of `type` in `context`.
    ///
    /// The corresponding C function is `zmq_socket`.
    public init(_ context: ZMQContext, _ type: SocketType) throws(NodeError) {
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
    public func set(_ option: SocketOption, _ value: Int32) throws(NodeError) {
        var v = value
        try withUnsafeBytes(of: &v) { zmqSetOption(handle, option.rawValue, $0) }.get()
    }

    /// Sets an int64_t option (`maxMessageSize`).
    public func set(_ option: SocketOption, _ value: Int64) throws(NodeError) {
        var v = value
        try withUnsafeBytes(of: &v) { zmqSetOption(handle, option.rawValue, $0) }.get()
    }

    /// Sets a binary option (Curve keys, subscriptions).
    public func set(_ option: SocketOption, bytes: [UInt8]) throws(NodeError) {
        try bytes.withUnsafeBytes { zmqSetOption(handle, option.rawValue, $0) }.get()
    }

    /// Sets a string option (`zapDomain`).
    public func set(_ option: SocketOption, _ value: String) throws(NodeError) {
        try set(option, bytes: Array(value.utf8))
    }

    /// Reads an int option.
    ///
    /// The corresponding C function is `zmq_getsockopt`.
    public func int32(_ option: SocketOption) throws(NodeError) -> Int32 {
        var v: Int32 = 0
        _ = try withUnsafeMutableBytes(of: &v) { zmqGetOption(handle, option.rawValue, $0) }.get()
        return v
    }

    /// Reads a string option.
    public func string(_ option: SocketOption) throws(NodeError) -> String {
        var buffer = [UInt8](repeating: 0, count: 1024)
        let n = try buffer.withUnsafeMutableBytes { zmqGetOption(handle, option.rawValue, $0) }.get()
        let text = buffer.prefix(n).prefix { $0 != 0 }
        return String(decoding: text, as: UTF8.self)
    }

    /// The endpoint of the last bind, with the port the system chose for `tcp://…:*`.
    public func lastEndpoint() throws(NodeError) -> String { try string(.lastEndpoint) }

    /// Makes the socket a CurveZMQ server with its X25519 secret key (it then authenticates clients through
    /// the context's ZAP handler, if one is bound, under `zapDomain`).
    public func makeCurveServer(secretKey: [UInt8], zapDomain: String) throws(NodeError) {
        try set(.curveServer, Int32(1))
        try set(.curveSecretKey, bytes: secretKey)
        try set(.zapDomain, zapDomain)
    }

    /// Makes the socket a CurveZMQ client with its key pair, talking to the server of `serverKey`.
    public func makeCurveClient(publicKey: [UInt8], secretKey: [UInt8], serverKey: [UInt8]) throws(NodeError) {
        try set(.curveServerKey, bytes: serverKey)
        try set(.curvePublicKey, bytes: publicKey)
        try set(.curveSecretKey, bytes: secretKey)
    }

    // MARK: - Endpoints

    /// The corresponding C function is `zmq_bind`.
    public func bind(_ endpoint: String) throws(NodeError) { try zmqBind(handle, endpoint).get() }

    /// The corresponding C function is `zmq_connect`.
    public func connect(_ endpoint: String) throws(NodeError) { try zmqConnect(handle, endpoint).get() }

    /// The corresponding C function is `zmq_disconnect`.
    public func disconnect(_ endpoint: String) throws(NodeError) { try zmqDisconnect(handle, endpoint).get() }

    /// Publishes `events` of this socket on a PAIR socket bound at `endpoint` (inproc://…).
    ///
    /// The corresponding C function is `zmq_socket_monitor`.
    public func monitor(_ endpoint: String, events: MonitorEvents) throws(NodeError) {
        try zmqSocketMonitor(handle, endpoint, events.rawValue).get()
    }

    // MARK: - Sending

    /// Sends `frames` as one multipart message (all or nothing: libzmq queues a message whole).
    ///
    /// The corresponding C function is `zmq_send`.
    public func send(_ frames: [[UInt8]], flags: MessageFlags = []) throws(NodeError) {
        precondition(!frames.isEmpty, "a message has at least one frame")
        for (i, frame) in frames.enumerated() {
            let more = i + 1 < frames.count ? ZMQ_SNDMORE : 0
            try zmqSend(handle, frame, flags.rawValue | more).get()
        }
    }

    /// Sends without blocking; returns false if the message could not be queued now (`EAGAIN`: high-water
    /// mark reached, or no completed connection under `immediate`).
    public func trySend(_ frames: [[UInt8]]) throws(NodeError) -> Bool {
        do {
            try send(frames, flags: .dontWait)
            return true
        } catch where error.isWouldBlock {
            return false
        }
    }

    /// Sends, waiting at most `timeout` for room; returns false if there was none.
    public func send(_ frames: [[UInt8]], timeout: Duration) throws(NodeError) -> Bool {
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
    public func receive(flags: MessageFlags = [], maxFrames: Int = 16) throws(NodeError) -> ZMQMessage {
        var message = ZMQMessage(frames: [], userID: nil, truncated: false)
        var more = true
        var first = true
        while more {
            // Only the first frame may wait: the rest of a message arrive with it.
            let frame = try zmqReceive(handle, first ? flags.rawValue : 0).get()
            first = false
            more = frame.more
            if message.userID == nil { message.userID = frame.userID }
            if message.frames.count < maxFrames {
                message.frames.append(frame.bytes)
            } else {
                message.truncated = true
            }
        }
        return message
    }

    /// Receives a message if one is waiting; nil otherwise.
    public func tryReceive(maxFrames: Int = 16) throws(NodeError) -> ZMQMessage? {
        do {
            return try receive(flags: .dontWait, maxFrames: maxFrames)
        } catch where error.isWouldBlock {
            return nil
        }
    }

    /// Receives a message, waiting at most `timeout`; nil if none came.
    public func receive(timeout: Duration, maxFrames: Int = 16) throws(NodeError) -> ZMQMessage? {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let message = try tryReceive(maxFrames: maxFrames) { return message }
            let left = ContinuousClock.now.duration(to: deadline)
            guard left > .zero else { return nil }
            _ = try ZMQPoll.poll([.init(self, .readable)], timeout: left)
        }
    }
}

/// Polling over several sockets and file descriptors.
public enum ZMQPoll {
    /// What to wait for, and what happened.
    @frozen
    public struct Events: OptionSet, Sendable {
        public let rawValue: Int16
        public init(rawValue: Int16) { self.rawValue = rawValue }
        public static var readable: Events { Events(rawValue: Int16(ZMQ_POLLIN)) }
        public static var writable: Events { Events(rawValue: Int16(ZMQ_POLLOUT)) }
    }

    /// A socket, or a plain file descriptor (a pipe that wakes a loop), and the events awaited.
    public struct Item {
        let socket: ZMQSocket?
        let fd: Int32
        public let events: Events
        public init(_ socket: ZMQSocket, _ events: Events = .readable) {
            self.socket = socket
            self.fd = -1
            self.events = events
        }
        public init(fd: Int32, _ events: Events = .readable) {
            self.socket = nil
            self.fd = fd
            self.events = events
        }
    }

    /// Waits until an item is ready or `timeout` passes (nil: forever); returns each item's events.
    ///
    /// The corresponding C function is `zmq_poll`.
    public static func poll(_ items: [Item], timeout: Duration?) throws(NodeError) -> [Events] {
        var raw = items.map { item in
            zmq_pollitem_t(socket: item.socket?.handle, fd: item.fd, events: item.events.rawValue, revents: 0)
        }
        let ms = timeout.map { Int(max(0, milliseconds($0))) } ?? -1
        let result = withExtendedLifetime(items) { zmqPoll(&raw, ms) }
        switch result {
        case .success:
            return raw.map { Events(rawValue: $0.revents) }
        case .failure(let e) where e.errno == EINTR:
            return raw.map { _ in Events() }
        case .failure(let e):
            throw e
        }
    }
}

/// A duration in whole milliseconds, rounded up so a short positive wait does not become a busy poll.
func milliseconds(_ d: Duration) -> Int64 {
    let (s, atto) = d.components
    let ms = s * 1000 + atto / 1_000_000_000_000_000
    return atto % 1_000_000_000_000_000 > 0 ? ms + 1 : ms
}
