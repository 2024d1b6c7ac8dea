import Foundation
import V2GKit
import V2GLedger

/// The node processes of a demo network: started, faulted, stopped, read back.
final class DemoNetworkRun {
    let layout: DemoNetworkLayout
    let executable: String
    /// Nodes started at a lower CPU priority (`nice`), by name.
    var niceness: [String: Int] = [:]
    private var processes: [String: Process] = [:]

    init(layout: DemoNetworkLayout, executable: String) {
        self.layout = layout
        self.executable = executable
    }

    /// Starts `v2g node --config` for a node, its standard error appended to its node.log.
    func start(_ name: String) throws {
        guard let n = layout.node(name) else { throw CommandFailure.badInput("no node \(name)") }
        if !FileManager.default.fileExists(atPath: n.log) { FileManager.default.createFile(atPath: n.log, contents: nil) }
        guard let log = FileHandle(forWritingAtPath: n.log) else { throw CommandFailure.badInput("cannot write \(n.log)") }
        log.seekToEndOfFile()
        let p = Process()
        if let nice = niceness[name], nice != 0, FileManager.default.isExecutableFile(atPath: "/usr/bin/nice") {
            p.executableURL = URL(fileURLWithPath: "/usr/bin/nice")
            p.arguments = ["-n", "\(nice)", executable, "node", "--config", n.config]
        } else {
            p.executableURL = URL(fileURLWithPath: executable)
            p.arguments = ["node", "--config", n.config]
        }
        p.standardOutput = log
        p.standardError = log
        try p.run()
        processes[name] = p
    }

    func startAll() throws { for n in layout.nodes { try start(n.name) } }

    func signal(_ name: String, _ number: Int32) {
        if let p = processes[name], p.isRunning { kill(p.processIdentifier, number) }
    }

    /// Waits for a node's process to end, up to `timeout`; SIGKILLs it then.
    func wait(_ name: String, timeout: Duration) -> Int32? {
        guard let p = processes[name] else { return nil }
        let deadline = ContinuousClock.now + timeout
        while p.isRunning && ContinuousClock.now < deadline { Thread.sleep(forTimeInterval: 0.02) }
        if p.isRunning {
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
        }
        return p.terminationStatus
    }

    /// SIGTERM to every node, then waits for them; returns the nodes that did not exit with status 0.
    func stopAll(timeout: Duration = .seconds(15)) -> [String] {
        for name in processes.keys { signal(name, SIGTERM) }
        return processes.keys.sorted().filter { wait($0, timeout: timeout) != 0 }
    }

    var running: [String] { processes.filter { $0.value.isRunning }.map(\.key).sorted() }

    /// The round lines a campus's control system has written so far.
    func rounds(_ campus: String) -> [RoundLine] {
        let path = (layout.controlSystem(campus).dir as NSString).appendingPathComponent("rounds.jsonl")
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { try? JSONDecoder().decode(RoundLine.self, from: Data($0.utf8)) }
    }

    /// Every control system's round lines so far, by round and campus.
    func roundsByNumber() -> [UInt64: [String: RoundLine]] {
        var lines: [UInt64: [String: RoundLine]] = [:]
        for c in layout.campusNames { for l in rounds(c) { lines[l.round, default: [:]][c] = l } }
        return lines
    }

    /// A node's metrics, parsed into `name{labels}` → value.
    func metrics(_ name: String) -> [String: Double] {
        guard let n = layout.node(name), let body = HTTPGet.body(port: n.metricsPort, path: "/metrics") else { return [:] }
        var out: [String: Double] = [:]
        for line in body.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: " ")
            if parts.count == 2, let v = Double(parts[1]) { out[String(parts[0])] = v }
        }
        return out
    }
}

/// A committed chain as read back from a node's store after it stopped.
struct ChainSnapshot: Equatable {
    var heads: [Channel: ChannelHeadValue]
    var balances: [String: Int64]
    var penalties: PenaltyBook
    var verified: String?      // nil when the store verified, else the failure

    struct ChannelHeadValue: Equatable {
        var height: UInt64
        var hash: Digest
    }

    /// Verifies the store from genesis and replays it.
    static func read(_ path: String) -> ChainSnapshot {
        do {
            let store = try LedgerStore(path: path)
            let report = store.verify()
            let ledger = Ledger()
            for b in try store.blocks() { try ledger.append(b) }
            var heads: [Channel: ChannelHeadValue] = [:]
            for (c, chain) in ledger.chains { if let h = chain.height { heads[c] = .init(height: h, hash: chain.head) } }
            return ChainSnapshot(heads: heads, balances: ledger.balances, penalties: ledger.penalties,
                                 verified: report.isValid ? nil : report.description)
        } catch {
            return ChainSnapshot(heads: [:], balances: [:], penalties: PenaltyBook(), verified: "\(error)")
        }
    }

    func describe(_ channels: [Channel]) -> String {
        channels.compactMap { c in heads[c].map { "\(c) h=\($0.height) \($0.hash.description.prefix(12))" } }.joined(separator: ", ")
    }
}

/// A one-shot HTTP GET on loopback (the nodes' metrics endpoints).
enum HTTPGet {
    static func body(port: UInt16, path: String) -> String? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return nil }
        let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8)
        guard request.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == request.count else { return nil }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 8192)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { break }
            response += buffer[..<n]
        }
        let text = String(decoding: response, as: UTF8.self)
        guard text.hasPrefix("HTTP/1.1 200"), let split = text.range(of: "\r\n\r\n") else { return nil }
        return String(text[split.upperBound...])
    }
}
