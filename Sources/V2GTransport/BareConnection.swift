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
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        guard inet_pton(AF_INET, String(parts[0]), &address.sin_addr) == 1 else {
            throw TransportError(.system, "not an IPv4 address: \(parts[0])")
        }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw .system("socket") }
        if let source {
            var local = sockaddr_in()
            local.sin_family = sa_family_t(AF_INET)
            guard inet_pton(AF_INET, source, &local.sin_addr) == 1 else {
                close(fd)
                throw TransportError(.system, "not an IPv4 address: \(source)")
            }
            let rc = withUnsafePointer(to: &local) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard rc == 0 else {
                let error = TransportError.system("bind \(source)")
                close(fd)
                throw error
            }
        }
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else {
            let error = TransportError.system("connect \(endpoint)")
            close(fd)
            throw error
        }
        self.fd = fd
    }

    deinit { close(fd) }
}
