import Glibc

/// This process's memory as the kernel counts it (Linux).
public enum ProcessMemory {
    /// Resident bytes, from `/proc/self/statm`; nil where there is no /proc.
    ///
    /// The corresponding C functions are `open`, `read` and `sysconf(_SC_PAGESIZE)`.
    public static func residentBytes() -> Int? {
        let fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 128)
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard n > 0 else { return nil }
        // "size resident shared text lib data dt", in pages.
        let fields = buffer[0..<n].split(separator: UInt8(ascii: " "))
        guard fields.count > 1, let pages = Int(String(decoding: fields[1], as: UTF8.self)) else { return nil }
        return pages * sysconf(Int32(_SC_PAGESIZE))
    }

    /// Hands freed heap pages back to the system (glibc's `malloc_trim(0)`, looked up at run time: malloc.h is
    /// not in the Glibc module), so resident memory counts what is in use.
    public static func releaseFreed() {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return }
        _ = unsafeBitCast(symbol, to: (@convention(c) (Int) -> Int32).self)(0)
    }
}
