internal import CZeroMQ
import Glibc

/// Polling over several sockets and file descriptors.
enum ZMQPoll {
    /// What to wait for, and what happened.
        struct Events: OptionSet, Sendable {
        let rawValue: Int16
        init(rawValue: Int16) { self.rawValue = rawValue }
        static var readable: Events { Events(rawValue: Int16(ZMQ_POLLIN)) }
        static var writable: Events { Events(rawValue: Int16(ZMQ_POLLOUT)) }
    }

    /// A socket, or a plain file descriptor (a pipe that wakes a loop), and the events awaited.
    struct Item {
        let socket: ZMQSocket?
        let fd: Int32
        let events: Events
        init(_ socket: ZMQSocket, _ events: Events = .readable) {
            self.socket = socket
            self.fd = -1
            self.events = events
        }
        init(fd: Int32, _ events: Events = .readable) {
            self.socket = nil
            self.fd = fd
            self.events = events
        }
    }

    /// Waits until an item is ready or `timeout` passes (nil: forever); returns each item's events.
    ///
    /// The corresponding C function is `zmq_poll`.
    static func poll(_ items: [Item], timeout: Duration?) throws(TransportError) -> [Events] {
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
