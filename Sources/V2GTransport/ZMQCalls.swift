internal import CZeroMQ
import Glibc

// One internal adapter per libzmq call: each returns a Result whose failure carries errno and zmq_strerror.
// Nothing here is public; ZMQContext and ZMQSocket build the throwing API on top.

typealias ZMQHandle = UnsafeMutableRawPointer

func zmqContextNew() -> Result<ZMQHandle, TransportError> {
    guard let handle = zmq_ctx_new() else { return .failure(.zmq("zmq_ctx_new")) }
    return .success(handle)
}

func zmqContextSet(_ context: ZMQHandle, _ option: Int32, _ value: Int32) -> Result<Void, TransportError> {
    zmq_ctx_set(context, option, value) == 0 ? .success(()) : .failure(.zmq("zmq_ctx_set \(option)"))
}

/// Terminates a context, retrying when a signal interrupts it. Blocks until every socket is closed.
func zmqContextTerm(_ context: ZMQHandle) -> Result<Void, TransportError> {
    while zmq_ctx_term(context) != 0 {
        let e = zmq_errno()
        if e != EINTR { return .failure(.zmq("zmq_ctx_term", errno: e)) }
    }
    return .success(())
}

func zmqSocket(_ context: ZMQHandle, _ type: Int32) -> Result<ZMQHandle, TransportError> {
    guard let handle = zmq_socket(context, type) else { return .failure(.zmq("zmq_socket")) }
    return .success(handle)
}

func zmqClose(_ socket: ZMQHandle) -> Result<Void, TransportError> {
    zmq_close(socket) == 0 ? .success(()) : .failure(.zmq("zmq_close"))
}

func zmqSetOption(_ socket: ZMQHandle, _ option: Int32, _ value: UnsafeRawBufferPointer) -> Result<Void, TransportError> {
    zmq_setsockopt(socket, option, value.baseAddress, value.count) == 0
        ? .success(()) : .failure(.zmq("zmq_setsockopt \(option)"))
}

/// Reads an option into `buffer`; returns the number of bytes written.
func zmqGetOption(_ socket: ZMQHandle, _ option: Int32, _ buffer: UnsafeMutableRawBufferPointer) -> Result<Int, TransportError> {
    var size = buffer.count
    guard zmq_getsockopt(socket, option, buffer.baseAddress, &size) == 0 else {
        return .failure(.zmq("zmq_getsockopt \(option)"))
    }
    return .success(size)
}

func zmqBind(_ socket: ZMQHandle, _ endpoint: String) -> Result<Void, TransportError> {
    zmq_bind(socket, endpoint) == 0 ? .success(()) : .failure(.zmq("zmq_bind \(endpoint)"))
}

func zmqConnect(_ socket: ZMQHandle, _ endpoint: String) -> Result<Void, TransportError> {
    zmq_connect(socket, endpoint) == 0 ? .success(()) : .failure(.zmq("zmq_connect \(endpoint)"))
}

func zmqDisconnect(_ socket: ZMQHandle, _ endpoint: String) -> Result<Void, TransportError> {
    zmq_disconnect(socket, endpoint) == 0 ? .success(()) : .failure(.zmq("zmq_disconnect \(endpoint)"))
}

/// Sends one frame (libzmq copies it). `EAGAIN` under `ZMQ_DONTWAIT` is a failure like any other.
func zmqSend(_ socket: ZMQHandle, _ frame: [UInt8], _ flags: Int32) -> Result<Void, TransportError> {
    let rc = frame.withUnsafeBytes { zmq_send(socket, $0.baseAddress, $0.count, flags) }
    return rc >= 0 ? .success(()) : .failure(.zmq("zmq_send"))
}

/// A frame libzmq holds once and queues on several sockets without copying it again: each send queues a copy
/// of the message that shares its buffer (`zmq_msg_copy` counts references for all but tiny messages). A block
/// gossiped to eight neighbours is one buffer, not eight.
///
/// The corresponding C functions are `zmq_msg_init_size`, `zmq_msg_data`, `zmq_msg_init`, `zmq_msg_copy`,
/// `zmq_msg_send` and `zmq_msg_close`.
final class SharedFrame {
    // zmq_msg_t must not move while libzmq holds it: give it a fixed address.
    private let message = UnsafeMutablePointer<zmq_msg_t>.allocate(capacity: 1)
    private let initialised: Bool

    init(_ bytes: [UInt8]) {
        initialised = zmq_msg_init_size(message, bytes.count) == 0
        if initialised, !bytes.isEmpty {
            bytes.withUnsafeBytes { zmq_msg_data(message).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        }
    }

    deinit {
        if initialised { zmq_msg_close(message) }
        message.deallocate()
    }

    /// Queues the frame on `socket`; `EAGAIN` under `ZMQ_DONTWAIT` is a failure like any other.
    func send(on socket: ZMQHandle, _ flags: Int32) -> Result<Void, TransportError> {
        guard initialised else { return .failure(.zmq("zmq_msg_init_size")) }
        let copy = UnsafeMutablePointer<zmq_msg_t>.allocate(capacity: 1)
        defer { copy.deallocate() }
        guard zmq_msg_init(copy) == 0 else { return .failure(.zmq("zmq_msg_init")) }
        guard zmq_msg_copy(copy, message) == 0 else {
            let failure = TransportError.zmq("zmq_msg_copy")
            zmq_msg_close(copy)
            return .failure(failure)
        }
        var rc: Int32
        repeat { rc = zmq_msg_send(copy, socket, flags) } while rc < 0 && zmq_errno() == EINTR
        guard rc >= 0 else {
            let failure = TransportError.zmq("zmq_msg_send")   // errno read before close can change it
            zmq_msg_close(copy)
            return .failure(failure)
        }
        return .success(())   // libzmq owns the copy now (zmq_msg_send leaves it empty)
    }
}

/// One received frame: its bytes, whether more follow, the ZAP user id of the connection, if any, and the
/// connection's file descriptor (-1 if libzmq does not say).
struct ReceivedFrame {
    var bytes: [UInt8]
    var more: Bool
    var userID: String?
    var sourceFD: Int32
}

/// Receives one frame into a message libzmq owns, copies it out and closes the message.
///
/// The corresponding C functions are `zmq_msg_init`, `zmq_msg_recv`, `zmq_msg_more`, `zmq_msg_gets`,
/// `zmq_msg_get` (`ZMQ_SRCFD`) and `zmq_msg_close`.
func zmqReceive(_ socket: ZMQHandle, _ flags: Int32) -> Result<ReceivedFrame, TransportError> {
    // zmq_msg_t must not move while libzmq holds it: give it a fixed address.
    let msg = UnsafeMutablePointer<zmq_msg_t>.allocate(capacity: 1)
    defer { msg.deallocate() }
    guard zmq_msg_init(msg) == 0 else { return .failure(.zmq("zmq_msg_init")) }
    defer { zmq_msg_close(msg) }
    var rc: Int32
    repeat { rc = zmq_msg_recv(msg, socket, flags) } while rc < 0 && zmq_errno() == EINTR
    guard rc >= 0 else { return .failure(.zmq("zmq_msg_recv")) }
    let size = zmq_msg_size(msg)
    let bytes = size == 0 ? [] : [UInt8](UnsafeRawBufferPointer(start: zmq_msg_data(msg), count: size))
    let userID = zmq_msg_gets(msg, "User-Id").map { String(cString: $0) }
    return .success(ReceivedFrame(bytes: bytes, more: zmq_msg_more(msg) != 0, userID: userID,
                                  sourceFD: zmq_msg_get(msg, ZMQ_SRCFD)))
}

/// Ends the connection on `fd` (libzmq's, from `ZMQ_SRCFD`) without closing the descriptor: libzmq's I/O
/// thread sees the end of the stream, closes it and frees the connection's queues. ROUTER has no call to
/// drop one peer.
///
/// The corresponding C function is `shutdown`.
func cutConnection(_ fd: Int32) {
    _ = Glibc.shutdown(fd, Int32(SHUT_RDWR))
}

/// The peer on the other end of `fd` (libzmq's connection descriptor), as `address:port` (`[address]:port` for
/// IPv6); empty if it cannot be read (the connection is gone).
///
/// The corresponding C functions are `getpeername` and `inet_ntop`.
func peerAddress(_ fd: Int32) -> String {
    var storage = sockaddr_storage()
    var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
    let rc = withUnsafeMutablePointer(to: &storage) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(fd, $0, &length) }
    }
    guard rc == 0 else { return "" }
    var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
    let family = Int32(storage.ss_family)
    let port: UInt16? = withUnsafePointer(to: &storage) { pointer in
        switch family {
        case AF_INET:
            pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { sin in
                var address = sin.pointee.sin_addr
                return inet_ntop(AF_INET, &address, &text, socklen_t(text.count)) != nil ? UInt16(bigEndian: sin.pointee.sin_port) : nil
            }
        case AF_INET6:
            pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { sin6 in
                var address = sin6.pointee.sin6_addr
                return inet_ntop(AF_INET6, &address, &text, socklen_t(text.count)) != nil ? UInt16(bigEndian: sin6.pointee.sin6_port) : nil
            }
        default:
            nil
        }
    }
    guard let port else { return "" }
    let address = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    return family == AF_INET6 ? "[\(address)]:\(port)" : "\(address):\(port)"
}

/// Polls `items` for up to `timeout` milliseconds (-1: forever); returns how many have events.
func zmqPoll(_ items: inout [zmq_pollitem_t], _ timeout: Int) -> Result<Int, TransportError> {
    let rc = items.withUnsafeMutableBufferPointer { zmq_poll($0.baseAddress, Int32($0.count), timeout) }
    return rc >= 0 ? .success(Int(rc)) : .failure(.zmq("zmq_poll"))
}

/// Starts (endpoint non-nil) or stops (nil) publishing `events` of `socket` on an inproc PAIR endpoint.
func zmqSocketMonitor(_ socket: ZMQHandle, _ endpoint: String?, _ events: Int32) -> Result<Void, TransportError> {
    let rc = endpoint.map { zmq_socket_monitor(socket, $0, events) } ?? zmq_socket_monitor(socket, nil, 0)
    return rc == 0 ? .success(()) : .failure(.zmq("zmq_socket_monitor \(endpoint ?? "off")"))
}
