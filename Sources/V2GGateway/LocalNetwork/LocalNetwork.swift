import FoundationEssentials
import V2GKit
import V2GLedger
import Glibc

/// The node processes of a local network, each a `v2g node` (or any executable taking `node --config`):
/// started, faulted, stopped, read back.
public final class LocalNetwork {
    public let layout: LocalNetworkLayout
    public let executable: String
    /// Nodes started at a lower CPU priority (`nice`), by name.
    public var niceness: [String: Int] = [:]
    private var processes: [String: ChildProcess] = [:]

    /// - Parameter executable: the `v2g` binary each node runs as `v2g node --config`.
    public init(layout: LocalNetworkLayout, executable: String) {
        self.layout = layout
        self.executable = executable
    }

    /// Starts `v2g node --config` for a node, its standard output and error appended to its node.log.
    public func start(_ name: String) throws {
        guard let n = layout.node(name) else { throw LocalNetworkError("no node \(name)") }
        if processes[name]?.isRunning == true { throw LocalNetworkError("\(name) is already running") }
        let command = [executable, "node", "--config", n.config]
        let niced = niceness[name].flatMap { $0 != 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/nice") ? $0 : nil }
        let (path, arguments) = niced.map { ("/usr/bin/nice", ["-n", "\($0)"] + command) } ?? (executable, Array(command.dropFirst()))
        // As packaging/systemd/v2g-node@.service runs a node: two malloc arenas (docs/operations.md).
        processes[name] = try ChildProcess(path, arguments, environment: ["MALLOC_ARENA_MAX": "2"], standardOutput: .file(n.log),
                                           standardError: .file(n.log))
    }

    public func startAll() throws { for n in layout.nodes { try start(n.name) } }

    public func signal(_ name: String, _ number: Int32) {
        processes[name]?.signal(number)
    }

    /// Waits for a node's process to end, up to `timeout`; SIGKILLs it then. Returns its exit status, or
    /// 128 + the signal that ended it, as a shell does.
    public func wait(_ name: String, timeout: Duration) -> Int32? {
        switch processes[name]?.kill(after: timeout) {
        case .exited(let status): status
        case .signalled(let number): 128 + number
        case nil: nil
        }
    }

    /// SIGTERM to every node, then waits for them; returns the nodes that did not exit with status 0.
    public func stopAll(timeout: Duration = .seconds(15)) -> [String] {
        for name in processes.keys { signal(name, SIGTERM) }
        return processes.keys.sorted().filter { wait($0, timeout: timeout) != 0 }
    }

    public var running: [String] { processes.filter { $0.value.isRunning }.map(\.key).sorted() }

    /// The round lines a campus's control system has written so far.
    public func rounds(_ campus: String) -> [RoundLine] {
        let path = Path.join(layout.controlSystem(campus).dir, "rounds.jsonl")
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { try? JSONDecoder().decode(RoundLine.self, from: Data($0.utf8)) }
    }

    /// Every control system's round lines so far, by round and campus.
    public func roundsByNumber() -> [UInt64: [String: RoundLine]] {
        var lines: [UInt64: [String: RoundLine]] = [:]
        for c in layout.campusNames { for l in rounds(c) { lines[l.round, default: [:]][c] = l } }
        return lines
    }

    /// A node's metrics, parsed into `name{labels}` → value.
    public func metrics(_ name: String) -> [String: Double] {
        guard let n = layout.node(name), let body = HTTPGet.body(port: n.metricsPort, path: "/metrics") else { return [:] }
        var out: [String: Double] = [:]
        for line in body.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: " ")
            if parts.count == 2, let v = Double(parts[1]) { out[String(parts[0])] = v }
        }
        return out
    }

    /// Waits until every running campus node reports its CS's chain heights on `/metrics` (polled every 100 ms:
    /// they are other processes); returns the nodes that do not by `timeout`.
    public func waitForConvergence(timeout: Duration) -> [String] {
        let deadline = ContinuousClock.now + timeout
        var lagging: [String] = []
        repeat {
            lagging = []
            for c in layout.campusNames {
                let want = metrics(layout.controlSystem(c).name).filter { $0.key.hasPrefix("v2g_chain_height{") }
                for n in layout.campus(c) where n.role != .controlSystem {
                    let have = metrics(n.name).filter { $0.key.hasPrefix("v2g_chain_height{") }
                    if want.isEmpty || have != want { lagging.append(n.name) }
                }
            }
            if lagging.isEmpty { return [] }
            Threads.sleep(for: .seconds(0.1))
        } while ContinuousClock.now < deadline
        return lagging
    }

    /// A running node's resident memory in bytes, from /proc (Linux); nil if it is not running or /proc is not there.
    public func residentBytes(_ name: String) -> Int? {
        guard let p = processes[name], p.isRunning,
              let status = try? String(contentsOfFile: "/proc/\(p.pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kB = Int(line.split(separator: " ").dropFirst().first ?? "") else { return nil }
        return kB * 1024
    }

    /// CPU seconds (user and system) the running node processes have used so far, from /proc (Linux); nil
    /// where /proc is not there.
    public var cpuSeconds: Double? {
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        var total = 0.0
        for p in processes.values where p.isRunning {
            guard let stat = try? String(contentsOfFile: "/proc/\(p.pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return nil }
            // Fields after "(comm)": state is field 3, utime and stime are fields 14 and 15.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
            total += (user + system) / ticks
        }
        return total
    }
}
