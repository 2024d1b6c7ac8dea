import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// The process figures Prometheus' client libraries export under `process_…`, read from /proc (Linux): one
/// reading per scrape. Every C call of it, here; a figure that cannot be read is nil and left out.
struct ProcessStats {
    var residentBytes: Int?
    var virtualBytes: Int?
    var cpuSeconds: Double?
    var openFDs: Int?
    var maxFDs: Int?
    var startTimeSeconds: Double?

    /// Reads them now.
    static func read() -> ProcessStats {
        var s = ProcessStats()
        #if canImport(Glibc)
        let page = sysconf(Int32(_SC_PAGESIZE)), ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        if let statm = file("/proc/self/statm")?.split(separator: " "), statm.count > 1,
           let size = Int(statm[0]), let resident = Int(statm[1]) {
            s.virtualBytes = size * page
            s.residentBytes = resident * page
        }
        // /proc/self/stat: "pid (comm) state ..."; comm may hold spaces, so fields count from the last ')'.
        if let stat = file("/proc/self/stat"), let close = stat.lastIndex(of: ")") {
            let f = stat[stat.index(after: close)...].split(separator: " ")
            // f[0] is field 3 (state): utime is field 14, stime 15, starttime 22.
            if f.count > 19, let utime = Double(f[11]), let stime = Double(f[12]), let start = Double(f[19]), ticks > 0 {
                s.cpuSeconds = (utime + stime) / ticks
                if let boot = bootTime() { s.startTimeSeconds = boot + start / ticks }
            }
        }
        s.openFDs = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd"))?.count
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max {   // RLIM_INFINITY
            s.maxFDs = Int(clamping: limit.rlim_cur)
        }
        #endif
        return s
    }

    /// Seconds since the epoch when the system booted (`btime` of /proc/stat).
    private static func bootTime() -> Double? {
        guard let stat = file("/proc/stat") else { return nil }
        for line in stat.split(separator: "\n") where line.hasPrefix("btime ") {
            return Double(line.dropFirst(6).trimmingWhitespace())
        }
        return nil
    }

    /// A small /proc file, whole (they report a size of 0, so read until the end).
    private static func file(_ path: String) -> String? {
        #if canImport(Glibc)
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { Glibc.close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while bytes.count < 1 << 20 {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            bytes += buffer[..<n]
        }
        return String(decoding: bytes, as: UTF8.self)
        #else
        return nil
        #endif
    }
}
