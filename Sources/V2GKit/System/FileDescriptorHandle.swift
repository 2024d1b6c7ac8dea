import Glibc

/// An open file descriptor with whole reads and writes (what the gateway used `FileHandle` for, without
/// Foundation). Closes the descriptor when released if it owns it.
public final class FileDescriptorHandle: @unchecked Sendable {  // used by one thread at a time
    /// The descriptor, -1 once closed.
    public private(set) var fileDescriptor: Int32
    private let owned: Bool

    /// Wraps `fd`; closes it on `close()` or release when `owning`.
    public init(fileDescriptor fd: Int32, owning: Bool = true) {
        fileDescriptor = fd
        owned = owning
    }

    /// The standard input, not closed on release.
    public static var standardInput: FileDescriptorHandle { FileDescriptorHandle(fileDescriptor: STDIN_FILENO, owning: false) }

    /// Opens `path` for reading; nil with `errno` set when it cannot.
    public convenience init?(forReadingAtPath path: String) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        self.init(fileDescriptor: fd)
    }

    /// Opens `path` for appending, creating it (mode 0644) if missing; nil with `errno` set when it cannot.
    public convenience init?(forAppendingAtPath path: String) {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return nil }
        self.init(fileDescriptor: fd)
    }

    deinit { if owned && fileDescriptor >= 0 { _ = Glibc.close(fileDescriptor) } }

    /// Writes every byte, retrying short writes and EINTR; false on an error.
    @discardableResult
    public func write(_ bytes: some Collection<UInt8>) -> Bool {
        let buffer = Array(bytes)
        return buffer.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.write(fileDescriptor, raw.baseAddress! + offset, raw.count - offset)
                if n > 0 { offset += n } else if n < 0 && errno == EINTR { continue } else { return false }
            }
            return true
        }
    }

    /// Writes the text's UTF-8 bytes.
    @discardableResult
    public func write(_ text: String) -> Bool { write(Array(text.utf8)) }

    /// Reads until end of file, refusing more than `limit` bytes (nothing beyond `limit + 1` bytes is read, so
    /// a hostile stream cannot fill memory).
    public func readToEnd(limit: Int = Int.max) throws(FileReadError) -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let remaining = limit - bytes.count
            let want = remaining >= chunk.count ? chunk.count : remaining + 1
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fileDescriptor, $0.baseAddress!, want) }
            if n == 0 { return bytes }
            if n < 0 {
                if errno == EINTR { continue }
                throw .system(errno)
            }
            bytes += chunk[0..<n]
            if bytes.count > limit { throw .longerThan(limit) }
        }
    }

    /// Closes the descriptor (once; later calls do nothing).
    public func close() {
        guard fileDescriptor >= 0 else { return }
        _ = Glibc.close(fileDescriptor)
        fileDescriptor = -1
    }
}

/// Why a whole read failed.
public enum FileReadError: Error, Equatable, CustomStringConvertible {
    /// There were more bytes than the limit allowed.
    case longerThan(Int)
    /// `read` failed with this `errno`.
    case system(Int32)

    public var description: String {
        switch self {
        case .longerThan(let limit): "longer than \(limit) bytes"
        case .system(let code): String(cString: strerror(code))
        }
    }
}
