import Dispatch
import FoundationEssentials
import V2GKit
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why the metrics endpoint could not be opened.
public struct MetricsServerError: Error, CustomStringConvertible {
    public let description: String
}

/// A minimal HTTP/1.1 responder (on 127.0.0.1 unless told otherwise) for Prometheus scrapes: `GET /metrics` (and `HEAD`) answers
/// `200` with the text `render` returns; any other request gets `404`. One connection at a time, closed after
/// each response, on its own thread over POSIX sockets; reads and writes time out after 2 s, so a stalled
/// client cannot hold it for long.
public final class MetricsServer: @unchecked Sendable {  // `thread` under `lock`; the descriptors are fixed after init
    /// The port bound (the one asked for, or the system's choice for 0).
    public let port: UInt16
    /// The IPv4 address bound.
    public let address: String
    private let listener: Int32
    private let render: @Sendable () -> String
    private let done = DispatchSemaphore(value: 0)
    private let lock = Lock()
    private var started = false
    private var stopped = false
    /// The client being answered, for `stop()` to cut short.
    private var active: Int32?

    static let contentType = "text/plain; version=0.0.4; charset=utf-8"
    private static let maxRequest = 8 << 10

    /// Binds `address`:`port` (an IPv4 address); `start()` serves it.
    /// - Throws: `MetricsServerError` if the socket cannot be made or bound (the port is taken, say).
    public init(address: String = "127.0.0.1", port: UInt16,
                render: @escaping @Sendable () -> String) throws(MetricsServerError) {
        func failure(_ what: String) -> MetricsServerError {
            MetricsServerError(description: "\(what) \(address):\(port): \(String(cString: strerror(errno)))")
        }
        var binary = in_addr()
        guard inet_pton(AF_INET, address, &binary) == 1 else {
            throw MetricsServerError(description: "\(address) is not an IPv4 address")
        }
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw failure("cannot open a socket for") }
        var yes: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var socketAddress = sockaddr_in()
        socketAddress.sin_family = sa_family_t(AF_INET)
        socketAddress.sin_port = port.bigEndian
        socketAddress.sin_addr = binary
        let bound = withUnsafePointer(to: &socketAddress) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            let error = failure("cannot listen on")
            close(fd)
            throw error
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.port = UInt16(bigEndian: actual.sin_port)
        self.address = address
        listener = fd
        self.render = render
    }

    deinit {
        stop()
        close(listener)
    }

    /// Starts serving on a thread of its own. Later calls do nothing.
    public func start() {
        let go = lock.withLock {
            defer { started = true }
            return !started && !stopped
        }
        guard go else { return }
        Threads.detach(name: "v2g-metrics") { [self] in
            serve()
            done.signal()
        }
    }

    /// Stops serving and waits for the thread (at most the 2 s of a response under way). Later calls do nothing.
    public func stop() {
        let wait: Bool = lock.withLock {
            guard !stopped else { return false }
            stopped = true
            return started
        }
        guard wait else { return }
        // Shutting the listening socket down wakes the poll below (POLLHUP) without a pipe of its own.
        _ = shutdown(listener, Int32(SHUT_RDWR))
        if let client = lock.withLock({ active }) { _ = shutdown(client, Int32(SHUT_RDWR)) }   // a scrape under way ends now
        done.wait()
    }

    private func serve() {
        while true {
            var fds = [pollfd(fd: listener, events: Int16(POLLIN), revents: 0)]
            let n = poll(&fds, nfds_t(fds.count), -1)
            if n < 0 {
                if errno == EINTR { continue }
                return
            }
            if lock.withLock({ stopped }) || fds[0].revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 { return }
            guard fds[0].revents & Int16(POLLIN) != 0 else { continue }
            let client = accept(listener, nil, nil)
            guard client >= 0 else { continue }
            _ = fcntl(client, F_SETFD, FD_CLOEXEC)
            let go = lock.withLock {
                active = client
                return !stopped
            }
            if go { respond(client) }
            lock.withLock { active = nil }
            close(client)
        }
    }

    /// One request and its response, within 2 s in all: a client that trickles bytes cannot hold the thread.
    private func respond(_ client: Int32) {
        let deadline = ContinuousClock.now + .seconds(2)
        func waitFor(_ events: Int32) -> Bool {
            let left = ContinuousClock.now.duration(to: deadline)
            guard left > .zero else { return false }
            var fd = [pollfd(fd: client, events: Int16(events), revents: 0)]
            let ms = Int32(left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000 + 1)
            return poll(&fd, 1, ms) > 0 && fd[0].revents & Int16(events) != 0
        }
        var request: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1024)
        let end = Array("\r\n\r\n".utf8)
        while request.count < Self.maxRequest {
            guard waitFor(POLLIN) else { return }
            let n = buffer.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            request += buffer[..<n]
            if request.firstRange(of: end) != nil { break }
        }
        let line = request.split(separator: UInt8(ascii: "\n"), maxSplits: 1).first.map { String(decoding: $0, as: UTF8.self) } ?? ""
        let parts = line.trimmingWhitespace().split(separator: " ")
        let method = parts.first.map(String.init) ?? ""
        let target = parts.count > 1 ? String(parts[1]) : ""
        let path = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        let response: String
        if path == "/metrics" && (method == "GET" || method == "HEAD") {
            let body = render()
            response = "HTTP/1.1 200 OK\r\nContent-Type: \(Self.contentType)\r\nContent-Length: \(body.utf8.count)\r\n"
                + "Connection: close\r\n\r\n" + (method == "HEAD" ? "" : body)
        } else {
            let body = "not found\n"
            response = "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: \(body.utf8.count)\r\n"
                + "Connection: close\r\n\r\n" + body
        }
        let bytes = Array(response.utf8)
        var sent = 0
        while sent < bytes.count {
            #if canImport(Glibc)
            let flags = Int32(MSG_NOSIGNAL)
            #else
            let flags: Int32 = 0
            #endif
            guard waitFor(POLLOUT) else { return }
            let n = bytes.withUnsafeBytes { send(client, $0.baseAddress! + sent, bytes.count - sent, flags | Int32(MSG_DONTWAIT)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return }
            sent += n
        }
    }
}
