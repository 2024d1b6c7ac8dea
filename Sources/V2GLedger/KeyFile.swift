internal import CSodium
import FoundationEssentials
import Glibc

/// Secret keys on disk: a text file readable by its owner only (mode 0600), never overwritten.
///
/// The file holds the line `v2g-ed25519-seed-v1` and the 32-byte seed in hexadecimal.
public enum KeyFile {
    static let header = "v2g-ed25519-seed-v1"

    /// Writes `key` to a new file at `path`; refuses if anything exists there.
    public static func write(_ key: SigningKey, to path: String) throws(LedgerError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            let reason = errno == EEXIST ? "already exists; refusing to overwrite a key" : String(cString: strerror(errno))
            throw LedgerError(.keyFile, "\(path): \(reason)")
        }
        defer { close(fd) }
        var text = key.withSeed { seed in Array("\(header)\n\(hex(Array(seed)))\n".utf8) }
        defer { sodium_memzero(&text, text.count) }
        var written = 0
        while written < text.count {
            let n = text.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, text.count - written) }
            guard n > 0 else { throw LedgerError(.keyFile, "\(path): \(String(cString: strerror(errno)))") }
            written += n
        }
        guard fsync(fd) == 0 else { throw LedgerError(.keyFile, "\(path): fsync failed") }
    }

    /// Reads a key written by `write(_:to:)`; refuses files that others can read.
    public static func read(from path: String) throws(LedgerError) -> SigningKey {
        var info = stat()
        guard stat(path, &info) == 0 else { throw LedgerError(.keyFile, "\(path): \(String(cString: strerror(errno)))") }
        guard info.st_mode & 0o077 == 0 else {
            throw LedgerError(.keyFile, "\(path): readable by others (mode \(String(info.st_mode & 0o777, radix: 8))); chmod 600 it")
        }
        guard var data = FileManager.default.contents(atPath: path).map(Array.init) else {
            throw LedgerError(.keyFile, "\(path): cannot read")
        }
        defer { sodium_memzero(&data, data.count) }
        let lines = data.split(separator: UInt8(ascii: "\n"))
        guard lines.count == 2, Array(lines[0]) == Array(header.utf8) else {
            throw LedgerError(.keyFile, "\(path): not a v2g key file")
        }
        guard var seed = unhex(String(decoding: lines[1], as: UTF8.self)), seed.count == 32 else {
            throw LedgerError(.keyFile, "\(path): the seed is not 64 hexadecimal digits")
        }
        defer { sodium_memzero(&seed, seed.count) }
        return try SigningKey(seed: seed)
    }
}
