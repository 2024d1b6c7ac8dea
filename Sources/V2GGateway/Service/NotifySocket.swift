import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// Why a service-manager notification could not be sent.
public struct NotifyError: Error, CustomStringConvertible, Equatable {
    public let description: String
}

/// The datagram socket of the service manager's notify protocol (sd_notify(3)): every C call of it, here.
/// `NOTIFY_SOCKET` names an `AF_UNIX` datagram socket, a path or, after `@`, one in the abstract namespace.
struct NotifySocket {
    let address: String

    /// The longest path `sockaddr_un` holds, with its terminating zero.
    static let maxPath = MemoryLayout.size(ofValue: sockaddr_un().sun_path) - 1

    init(address: String) throws(NotifyError) {
        guard address.hasPrefix("/") || address.hasPrefix("@") else {
            throw NotifyError(description: "NOTIFY_SOCKET must be an absolute path or start with @, not \(address)")
        }
        guard address.utf8.count <= Self.maxPath, address.utf8.count >= 2 else {
            throw NotifyError(description: "NOTIFY_SOCKET is \(address.utf8.count) bytes; at most \(Self.maxPath)")
        }
        self.address = address
    }

    /// Sends one datagram (a message is `KEY=VALUE` lines); one socket per send, as sd_notify does, so nothing
    /// stays open between pings and a restarted manager is reached at once.
    func send(_ message: String) throws(NotifyError) {
        #if canImport(Glibc)
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw NotifyError(description: "cannot open a notify socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var sa = sockaddr_un()
        sa.sun_family = sa_family_t(AF_UNIX)
        var path = Array(address.utf8)
        if path.first == UInt8(ascii: "@") { path[0] = 0 }   // the abstract namespace starts with a zero byte
        withUnsafeMutableBytes(of: &sa.sun_path) { raw in
            for (k, b) in path.enumerated() { raw[k] = b }
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + path.count + (path[0] == 0 ? 0 : 1))
        let bytes = Array(message.utf8)
        let sent = withUnsafePointer(to: &sa) { sp in
            sp.withMemoryRebound(to: sockaddr.self, capacity: 1) { addr in
                bytes.withUnsafeBytes { sendto(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL), addr, length) }
            }
        }
        guard sent == bytes.count else {
            throw NotifyError(description: "cannot notify \(address): \(String(cString: strerror(errno)))")
        }
        #else
        throw NotifyError(description: "the notify protocol needs Linux")
        #endif
    }
}
