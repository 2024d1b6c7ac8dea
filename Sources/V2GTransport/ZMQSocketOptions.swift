internal import CZeroMQ

/// A socket type (`ZMQ_ROUTER`, …).
struct SocketType: RawRepresentable, Hashable, Sendable {
    let rawValue: Int32
    init(rawValue: Int32) { self.rawValue = rawValue }

    static var pair: SocketType { SocketType(rawValue: ZMQ_PAIR) }
    static var pub: SocketType { SocketType(rawValue: ZMQ_PUB) }
    static var sub: SocketType { SocketType(rawValue: ZMQ_SUB) }
    static var req: SocketType { SocketType(rawValue: ZMQ_REQ) }
    static var rep: SocketType { SocketType(rawValue: ZMQ_REP) }
    static var dealer: SocketType { SocketType(rawValue: ZMQ_DEALER) }
    static var router: SocketType { SocketType(rawValue: ZMQ_ROUTER) }
    static var pull: SocketType { SocketType(rawValue: ZMQ_PULL) }
    static var push: SocketType { SocketType(rawValue: ZMQ_PUSH) }
}

/// A socket option name (`ZMQ_LINGER`, …); the value's C type is noted on each.
struct SocketOption: RawRepresentable, Hashable, Sendable {
    let rawValue: Int32
    init(rawValue: Int32) { self.rawValue = rawValue }

    /// int, milliseconds.
    static var linger: SocketOption { SocketOption(rawValue: ZMQ_LINGER) }
    /// int64_t, bytes; -1 is no limit. A peer sending a larger frame is disconnected.
    static var maxMessageSize: SocketOption { SocketOption(rawValue: ZMQ_MAXMSGSIZE) }
    /// int, messages per peer.
    static var sendHighWaterMark: SocketOption { SocketOption(rawValue: ZMQ_SNDHWM) }
    /// int, messages per peer.
    static var receiveHighWaterMark: SocketOption { SocketOption(rawValue: ZMQ_RCVHWM) }
    /// int, milliseconds; -1 blocks forever.
    static var sendTimeout: SocketOption { SocketOption(rawValue: ZMQ_SNDTIMEO) }
    /// int, milliseconds; -1 blocks forever.
    static var receiveTimeout: SocketOption { SocketOption(rawValue: ZMQ_RCVTIMEO) }
    /// int, milliseconds; 0 is no limit.
    static var handshakeInterval: SocketOption { SocketOption(rawValue: ZMQ_HANDSHAKE_IVL) }
    /// int, 0 or 1: queue only to completed connections.
    static var immediate: SocketOption { SocketOption(rawValue: ZMQ_IMMEDIATE) }
    /// int, milliseconds.
    static var reconnectInterval: SocketOption { SocketOption(rawValue: ZMQ_RECONNECT_IVL) }
    /// int, milliseconds; enables exponential back-off.
    static var reconnectIntervalMax: SocketOption { SocketOption(rawValue: ZMQ_RECONNECT_IVL_MAX) }
    /// int, 0 or 1: a ROUTER fails sends it cannot route instead of dropping them.
    static var routerMandatory: SocketOption { SocketOption(rawValue: ZMQ_ROUTER_MANDATORY) }
    /// int, 0 or 1.
    static var curveServer: SocketOption { SocketOption(rawValue: ZMQ_CURVE_SERVER) }
    /// 32 bytes.
    static var curvePublicKey: SocketOption { SocketOption(rawValue: ZMQ_CURVE_PUBLICKEY) }
    /// 32 bytes.
    static var curveSecretKey: SocketOption { SocketOption(rawValue: ZMQ_CURVE_SECRETKEY) }
    /// 32 bytes.
    static var curveServerKey: SocketOption { SocketOption(rawValue: ZMQ_CURVE_SERVERKEY) }
    /// string.
    static var zapDomain: SocketOption { SocketOption(rawValue: ZMQ_ZAP_DOMAIN) }
    /// string, read only: the endpoint of the last bind, with the port the system chose.
    static var lastEndpoint: SocketOption { SocketOption(rawValue: ZMQ_LAST_ENDPOINT) }
    /// binary.
    static var subscribe: SocketOption { SocketOption(rawValue: ZMQ_SUBSCRIBE) }
}

/// Flags of a send or receive.
struct MessageFlags: OptionSet, Sendable {
    let rawValue: Int32
    init(rawValue: Int32) { self.rawValue = rawValue }
    /// Fail with `EAGAIN` rather than block.
    static var dontWait: MessageFlags { MessageFlags(rawValue: ZMQ_DONTWAIT) }
}

/// Socket events to monitor (`ZMQ_EVENT_…`).
struct MonitorEvents: OptionSet, Hashable, Sendable {
    let rawValue: Int32
    init(rawValue: Int32) { self.rawValue = rawValue }
    static var connected: MonitorEvents { MonitorEvents(rawValue: ZMQ_EVENT_CONNECTED) }
    static var accepted: MonitorEvents { MonitorEvents(rawValue: ZMQ_EVENT_ACCEPTED) }
    static var closed: MonitorEvents { MonitorEvents(rawValue: ZMQ_EVENT_CLOSED) }
    static var disconnected: MonitorEvents { MonitorEvents(rawValue: ZMQ_EVENT_DISCONNECTED) }
    static var monitorStopped: MonitorEvents { MonitorEvents(rawValue: ZMQ_EVENT_MONITOR_STOPPED) }
    static var handshakeSucceeded: MonitorEvents { MonitorEvents(rawValue: ZMQ_EVENT_HANDSHAKE_SUCCEEDED) }
    static var handshakeFailedNoDetail: MonitorEvents { MonitorEvents(rawValue: ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL) }
    static var handshakeFailedProtocol: MonitorEvents { MonitorEvents(rawValue: ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL) }
    static var handshakeFailedAuth: MonitorEvents { MonitorEvents(rawValue: ZMQ_EVENT_HANDSHAKE_FAILED_AUTH) }
    static var all: MonitorEvents { MonitorEvents(rawValue: ZMQ_EVENT_ALL) }
}

/// One event read from a monitor socket: the event, its value (an fd, errno or ZAP status) and the endpoint.
struct MonitorEvent: Sendable {
    var event: MonitorEvents
    var value: UInt32
    var endpoint: String

    /// Parses the two frames of a libzmq v1 monitor event (u16 event and u32 value in host order, then the
    /// endpoint); nil if they are not that.
    init?(frames: [[UInt8]]) {
        guard frames.count == 2, frames[0].count == 6 else { return nil }
        let f = frames[0]
        event = MonitorEvents(rawValue: Int32(UInt16(f[0]) | UInt16(f[1]) << 8))
        value = UInt32(f[2]) | UInt32(f[3]) << 8 | UInt32(f[4]) << 16 | UInt32(f[5]) << 24
        endpoint = String(decoding: frames[1], as: UTF8.self)
    }
}
