import FoundationEssentials
import Glibc

/// Loopback TCP ports that were free a moment ago (the kernel picks them; closed before use).
enum FreePorts {
    static func take(_ count: Int) throws -> [UInt16] {
        var fds: [Int32] = []
        defer { fds.forEach { close($0) } }
        var ports: [UInt16] = []
        for _ in 0..<count {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw LocalNetworkError("cannot open a socket to find a free port") }
            fds.append(fd)
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_port = 0
            addr.sin_addr.s_addr = inet_addr("127.0.0.1")
            var len = socklen_t(MemoryLayout<sockaddr_in>.size)
            let ok = withUnsafeMutablePointer(to: &addr) { p in
                p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
            }
            guard ok else { throw LocalNetworkError("cannot bind a loopback port") }
            ports.append(UInt16(bigEndian: addr.sin_port))
        }
        return ports
    }
}
