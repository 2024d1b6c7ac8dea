import Glibc

/// A TCP connection to a peer's endpoint that never says a word, not even a ZMTP greeting: what a port scanner
/// or a careless or hostile client leaves open. For probes and attack tests; closed on `deinit`.
public final class BareConnection {
    private let fd: Int32

    /// Connects to `endpoint`, of the form `tcp://IPv4:PORT`, from the local IPv4 address `source` if given
    /// (on loopback any 127.x.y.z: a second host, as far as the peer can tell).
    ///
    /// The corresponding C functions are `socket`, `inet_pton`, `bind` and `connect`.
    public init(to endpoint: String, from source: String? = nil) throws(TransportError) {
        let parts = endpoint.dropFirst("tcp://".count).split(separator: ":")
        guard endpoint.hasPrefix("tcp://"), parts.count == 2, let port = UInt16(parts[1]) else {
            throw TransportError(.system, "not a tcp://IPv4:PORT endpoint: \(endpoint)")
        }
        let remote = try Self.address(String(parts[0]), port: port)
        let local = try source.map { address throws(TransportError) in try Self.address(address, port: 0) }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw .system("socket") }
        if let local, Self.call(bind, fd, local) != 0 {
            let error = TransportError.system("bind \(source ?? "")")
            close(fd)
            throw error
        }
        guard Self.call(connect, fd, remote) == 0 else {
            let error = TransportError.system("connect \(endpoint)")
            close(fd)
            throw error
        }
        self.fd = fd
    }

    deinit { close(fd) }

    /// An IPv4 socket address.
    private static func address(_ text: String, port: UInt16) throws(TransportError) -> sockaddr_in {
        var a = sockaddr_in()
        a.sin_family = sa_family_t(AF_INET)
        a.sin_port = port.bigEndian
        guard inet_pton(AF_INET, text, &a.sin_addr) == 1 else { throw TransportError(.system, "not an IPv4 address: \(text)") }
        return a
    }

    /// `bind` or `connect` on `fd` with `address`.
    private static func call(_ f: (Int32, UnsafePointer<sockaddr>, socklen_t) -> Int32, _ fd: Int32, _ address: sockaddr_in) -> Int32 {
        var a = address
        return withUnsafePointer(to: &a) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { f(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
    }
}
