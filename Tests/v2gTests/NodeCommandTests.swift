import Foundation
import Testing
@testable import V2GGateway
#if canImport(Glibc)
import Glibc
#endif

/// `v2g node`: config checks, a real run with metrics and SIGTERM, and two nodes catching up. Loopback only.
@Suite("v2g node")
struct NodeCommandTests {
    // MARK: Helpers

    /// A port that was free a moment ago: bound to 127.0.0.1:0, read back, closed.
    static func freePort() throws -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(fd >= 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        try #require(bound == 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return UInt16(bigEndian: address.sin_port)
    }

    /// One HTTP/1.1 request over a raw socket; nil if nothing listens or no full response came.
    static func httpGet(port: UInt16, path: String) -> (status: Int, headers: String, body: String)? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 3, tv_usec: 0)
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
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { break }
            response += buffer[..<n]
        }
        let text = String(decoding: response, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { return nil }
        let head = String(text[..<split.lowerBound])
        let parts = head.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, let status = Int(parts[1]) else { return nil }
        return (status, head, String(text[split.upperBound...]))
    }

    /// The value of one sample line (`name{labels} value`) of a Prometheus text page.
    static func sample(_ page: String, _ series: String) -> Int? {
        for line in page.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Int(line.dropFirst(series.count + 1))
        }
        return nil
    }

    /// A node's files: a key (written by `v2g keygen`) and its public key.
    struct Identity {
        var keyFile: String
        var publicKey: String
    }

    static func keygen(_ dir: ScratchDirectory, _ name: String) throws -> Identity {
        let run = try CLI.run(["keygen", "--out", dir.file("keys"), "--name", name])
        try #require(run.status == 0, "\(run.stderr)")
        return Identity(keyFile: dir.file("keys/\(name).key"), publicKey: run.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    struct NodeSpec {
        var role = "exchange"
        var keyFile: String
        var dataDir: String
        var port: UInt16
        var metricsPort: UInt16?
        var members: [String]
        var peers: [(endpoint: String, key: String)] = []
        var extra = ""

        var toml: String {
            var lines = [
                "role = \"\(role)\"", "key_file = \"\(keyFile)\"", "data_dir = \"\(dataDir)\"", "log_level = \"debug\"",
                "catch_up_interval_ms = 500", extra, "[network]", "listen = \"tcp://127.0.0.1:\(port)\"",
                "members = [" + members.map { "\"\($0)\"" }.joined(separator: ", ") + "]",
            ]
            for p in peers { lines += ["[[network.peers]]", "endpoint = \"\(p.endpoint)\"", "public_key = \"\(p.key)\""] }
            if let metricsPort { lines += ["[metrics]", "listen = \"127.0.0.1:\(metricsPort)\""] }
            if role == "control-system" { lines += ["[matcher]", "algorithm = \"ret\"", "charger_capacity_wh = 7000"] }
            return lines.joined(separator: "\n") + "\n"
        }
    }

    /// A `v2g node` child process; its standard error goes to a file.
    final class NodeProcess {
        let process: ChildProcess
        let logPath: String

        init(config: String, log: String) throws {
            logPath = log
            _ = FileManager.default.createFile(atPath: log, contents: nil)
            process = try ChildProcess(CLI.executable.path, ["node", "--config", config], standardOutput: .null,
                                       standardError: .file(log))
        }

        var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

        /// Sends SIGTERM and waits up to `seconds` for the exit; nil if it did not exit.
        func terminate(within seconds: Double) -> Int32? {
            process.signal(SIGTERM)
            switch process.wait(timeout: .milliseconds(Int(seconds * 1000))) {
            case .exited(let status): return status
            case .signalled: return -1
            case nil: return nil
            }
        }

        deinit { process.kill(after: .zero) }
    }

    /// Scrapes `/metrics` until `done` holds for the page, for at most `seconds`.
    static func scrape(port: UInt16, within seconds: Double, until done: (String) -> Bool = { _ in true }) -> String? {
        let deadline = Date().addingTimeInterval(seconds)
        repeat {
            if let r = httpGet(port: port, path: "/metrics"), r.status == 200, done(r.body) { return r.body }
            Thread.sleep(forTimeInterval: 0.1)
        } while Date() < deadline
        return nil
    }

    // MARK: Config errors

    /// A good config for a node with one peer, and the scratch directory that holds it.
    static func goodSetup() throws -> (ScratchDirectory, NodeSpec, peer: Identity) {
        let dir = try ScratchDirectory()
        let me = try keygen(dir, "me")
        let peer = try keygen(dir, "peer")
        let spec = NodeSpec(keyFile: me.keyFile, dataDir: dir.file("data"), port: try freePort(), metricsPort: try freePort(),
                            members: [peer.publicKey], peers: [("tcp://127.0.0.1:\(try freePort())", peer.publicKey)])
        return (dir, spec, peer)
    }

    @Test func goodConfigPassesTheCheck() throws {
        let (dir, spec, _) = try Self.goodSetup()
        let config = dir.file("node.toml")
        try spec.toml.write(toFile: config, atomically: true, encoding: .utf8)
        let run = try CLI.run(["node", "--config", config, "--check"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.hasPrefix("ok: exchange node "))
        #expect(!FileManager.default.fileExists(atPath: spec.dataDir))
    }

    /// A config named without a directory (`--config node.toml`, run from its directory) once trapped in
    /// Foundation's `deletingLastPathComponent`; its relative paths resolve against the working directory.
    @Test func aConfigNamedWithoutADirectoryIsRead() throws {
        let (dir, spec, _) = try Self.goodSetup()
        try spec.toml.write(toFile: dir.file("node.toml"), atomically: true, encoding: .utf8)
        let process = try ChildProcess("/bin/sh", ["-c", "cd \"$0\" && exec \"$1\" node --config node.toml --check", dir.path,
                                                   CLI.executable.path],
                                       standardOutput: .file(dir.file("stdout")), standardError: .file(dir.file("stderr")))
        #expect(process.wait() == .exited(0), "\(String(decoding: FileManager.default.contents(atPath: dir.file("stderr")) ?? Data(), as: UTF8.self))")
        #expect(String(decoding: FileManager.default.contents(atPath: dir.file("stdout")) ?? Data(), as: UTF8.self).hasPrefix("ok: exchange node "))
    }

    @Test(arguments: [
        ("unknown key", "colour", "colour: unknown key"),
        ("wrong type", "interval", "catch_up_interval_ms: expected an integer, got a string"),
        ("bad hex", "hex", "network.members[1]: not an Ed25519 public key"),
        ("missing key file", "nokey", "key_file: "),
        ("key file readable by others", "mode", "readable by others"),
        ("unknown role", "role", "role: unknown role \"orderer\""),
        ("unknown algorithm", "algorithm", "matcher.algorithm: unknown algorithm \"magic\""),
        ("peer not in members", "stranger", "network.peers[0].public_key: peer "),
        ("missing key", "nolisten", "network.listen: missing required key"),
        ("bad endpoint", "endpoint", "network.peers[0].endpoint: expected \"tcp://HOST:PORT\""),
        ("metrics not on loopback", "metrics", "metrics.listen: 0.0.0.0 is reachable from other hosts; metrics stay on loopback unless metrics.allow_remote = true"),
        ("not TOML", "syntax", "not valid TOML"),
        ("another role's section", "section", "exchange: not used by the endorser role"),
        ("rounds without a campus", "rounds", "rounds: needs the [campus] table"),
        ("a name with a slash", "slash", "exchange.name: a name is 1 to 64 characters, without '/'"),
        ("a vehicle without its key", "vehicle", "ev.vehicles[0].key_file: "),
        ("collect longer than the interval", "collect", "rounds.collect_ms: must not exceed interval_ms (100)"),
        ("a start no wait can reach", "start", "rounds.start_at_unix_ms: must be within 0...253402300799999"),
    ])
    func badConfigFailsNamingTheKey(_ name: String, _ change: String, _ expected: String) throws {
        let (dir, good, _) = try Self.goodSetup()
        var spec = good
        var text: String?
        switch change {
        case "colour": spec.extra = "colour = \"red\""
        case "interval": text = spec.toml.replacingOccurrences(of: "catch_up_interval_ms = 500", with: "catch_up_interval_ms = \"fast\"")
        case "hex": spec.members.append(String(repeating: "zz", count: 32))
        case "nokey": spec.keyFile = dir.file("keys/nobody.key")
        case "mode": #expect(chmod(spec.keyFile, 0o644) == 0)
        case "role": spec.role = "orderer"
        case "algorithm":
            spec.role = "control-system"
            text = spec.toml.replacingOccurrences(of: "algorithm = \"ret\"", with: "algorithm = \"magic\"")
        case "stranger": spec.members = [try Self.keygen(dir, "someone").publicKey]
        case "nolisten": text = spec.toml.replacingOccurrences(of: "listen = \"tcp://127.0.0.1:\(spec.port)\"\n", with: "")
        case "endpoint": spec.peers[0].endpoint = "127.0.0.1:7000"
        case "metrics": text = spec.toml.replacingOccurrences(of: "listen = \"127.0.0.1:", with: "listen = \"0.0.0.0:")
        case "syntax": text = spec.toml + "[network\n"
        case "section":
            spec.role = "endorser"
            spec.extra = "[exchange]\nname = \"x1\"\nconsumers = 3"
        case "rounds":
            spec.role = "control-system"
            spec.extra = "[rounds]\ncount = 1"
        case "slash": spec.extra = "[exchange]\nname = \"a/b\"\nconsumers = 3"
        case "vehicle":
            spec.role = "ev"
            spec.extra = "[ev]\nvehicles = [{ name = \"v1\", key_file = \"\(dir.file("keys/nobody.key"))\" }]"
        case "collect":
            spec.role = "control-system"
            let k = try Self.keygen(dir, "endorser").publicKey
            spec.extra = "[campus]\nname = \"A\"\nendorsers = [\"\(k)\"]\nendorsements_required = 1\nexchanges = []\nevs = []\n"
                + "[rounds]\ninterval_ms = 100\ncollect_ms = 200"
        case "start":
            spec.role = "control-system"
            let k = try Self.keygen(dir, "endorser").publicKey
            spec.extra = "[campus]\nname = \"A\"\nendorsers = [\"\(k)\"]\nendorsements_required = 1\nexchanges = []\nevs = []\n"
                + "[rounds]\nstart_at_unix_ms = 9223372036854775807"
        default: Issue.record("no such change \(change)")
        }
        let config = dir.file("node.toml")
        try (text ?? spec.toml).write(toFile: config, atomically: true, encoding: .utf8)
        let run = try CLI.run(["node", "--config", config])
        #expect(run.status == 2, "\(name): \(run.stderr)")
        #expect(run.stderr.hasPrefix("v2g: error: \(config): "), "\(name)")
        #expect(run.stderr.contains(expected), "\(name): \(run.stderr)")
        #expect(run.stderr.split(separator: "\n").count == 1, "\(name): \(run.stderr)")
        #expect(run.stdout.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: spec.dataDir), "\(name): data_dir was created")
    }

    @Test func metricsPortInUseFailsBeforeTheStoreIsOpened() throws {
        let (dir, spec, _) = try Self.goodSetup()
        // Hold the metrics port.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = spec.metricsPort!.bigEndian
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        try #require(bound == 0 && listen(fd, 1) == 0)
        let config = dir.file("node.toml")
        try spec.toml.write(toFile: config, atomically: true, encoding: .utf8)
        let run = try CLI.run(["node", "--config", config])
        #expect(run.status == 2)
        #expect(run.stderr.contains("metrics.listen: cannot listen on 127.0.0.1:\(spec.metricsPort!)"), "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: (spec.dataDir as NSString).appendingPathComponent("ledger.db")))
    }

    @Test func examplesPassTheCheck() throws {
        let dir = try ScratchDirectory()
        let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("examples/node")
        for role in ["control-system", "endorser", "exchange", "ev"] {
            let source = examples.appendingPathComponent("\(role).toml").path
            let config = dir.file("\(role).toml")
            try FileManager.default.copyItem(atPath: source, toPath: config)
            _ = try Self.keygen(dir, role)
            if role == "ev" { _ = try Self.keygen(dir, "ev-v1") }
            let run = try CLI.run(["node", "--config", config, "--check"])
            #expect(run.status == 0, "\(role): \(run.stderr)")
            #expect(run.stdout.hasPrefix("ok: \(role) node "), "\(role)")
        }
        #expect(!FileManager.default.fileExists(atPath: dir.file("data")))
    }

    // MARK: Running

    @Test func runServesMetricsAndStopsCleanlyOnSIGTERM() throws {
        let (dir, spec, _) = try Self.goodSetup()
        let config = dir.file("node.toml")
        try spec.toml.write(toFile: config, atomically: true, encoding: .utf8)
        let node = try NodeProcess(config: config, log: dir.file("node.log"))

        let page = try #require(Self.scrape(port: spec.metricsPort!, within: 15), "no metrics: \(node.log)")
        for name in ["v2g_blocks_committed_total", "v2g_chain_height", "v2g_gossip_received_total", "v2g_gossip_dropped_total",
                     "v2g_block_rejections_total", "v2g_peers_connected", "v2g_catch_ups_total"] {
            #expect(page.contains("# TYPE \(name) "), "\(name) missing")
        }
        #expect(Self.sample(page, "v2g_blocks_committed_total{channel=\"boe\"}") == 0)
        #expect(Self.sample(page, "v2g_peers_connected") == 0)          // the peer is not running
        #expect(Self.sample(page, "v2g_ledger_retained{kind=\"inputs\"}") == 0)
        #expect(Self.sample(page, "v2g_ledger_retained{kind=\"allocation_results\"}") == 0)
        #expect(Self.sample(page, "v2g_gossip_received_total") == 0)
        #expect(Self.sample(page, "v2g_gossip_dropped_total{reason=\"malformed\"}") == 0)
        #expect(Self.sample(page, "v2g_block_rejections_total{reason=\"bad_signature\"}") == 0)
        #expect((Self.sample(page, "v2g_catch_ups_total") ?? -1) >= 0)
        #expect(!page.contains("v2g_chain_height{"))                      // no channel has a genesis block
        let headers = try #require(Self.httpGet(port: spec.metricsPort!, path: "/metrics")).headers
        #expect(headers.contains("Content-Type: text/plain; version=0.0.4"))
        #expect(Self.httpGet(port: spec.metricsPort!, path: "/")?.status == 404)

        #expect(node.terminate(within: 5) == 0, "\(node.log)")
        let log = node.log
        #expect(log.contains("starting exchange node"))
        #expect(log.contains("stopping (SIGTERM)"))
        #expect(log.contains("stopped"))
        let verify = try CLI.run(["ledger", "verify", (spec.dataDir as NSString).appendingPathComponent("ledger.db")])
        #expect(verify.status == 0, "\(verify.stderr)")
        #expect(verify.stdout == "ok: 0 blocks\n")
    }

    @Test func aControlSystemCollectingARoundStopsWithinASecondOfSIGTERM() throws {
        let (dir, base, peer) = try Self.goodSetup()
        let exchange = try Self.keygen(dir, "x1"), ev = try Self.keygen(dir, "v1")
        var spec = base
        spec.role = "control-system"
        spec.members += [exchange.publicKey, ev.publicKey]
        // The endorser (the peer) is not running and no input comes: the round collects for 30 s.
        let campus = """
            [campus]
            name = "A"
            endorsers = ["\(peer.publicKey)"]
            endorsements_required = 1
            exchanges = [{ name = "x1", public_key = "\(exchange.publicKey)" }]
            evs = [{ name = "v1", public_key = "\(ev.publicKey)" }]
            [rounds]
            count = 1
            interval_ms = 60000
            collect_ms = 30000
            start_after_ms = 0
            """
        let config = dir.file("node.toml")
        try (spec.toml + campus + "\n").write(toFile: config, atomically: true, encoding: .utf8)
        let node = try NodeProcess(config: config, log: dir.file("node.log"))
        let page = try #require(Self.scrape(port: spec.metricsPort!, within: 15) { $0.contains("v2g_chain_height{channel=\"boev\"} 0") },
                                "no genesis: \(node.log)")
        #expect(page.contains("v2g_rounds_total 0"))
        Thread.sleep(forTimeInterval: 0.5)                       // well inside the collect phase
        let started = Date()
        #expect(node.terminate(within: 3) == 0, "\(node.log)")
        let took = Date().timeIntervalSince(started)
        #expect(took < 1.0, "stopped after \(took) s")
        #expect(node.log.contains("stopping (SIGTERM)"))
    }

    @Test func twoPeersCatchUpAndBothStoresVerify() throws {
        let dir = try ScratchDirectory()
        let a = try Self.keygen(dir, "a"), b = try Self.keygen(dir, "b")
        let portA = try Self.freePort(), portB = try Self.freePort()
        let metricsA = try Self.freePort(), metricsB = try Self.freePort()
        // A holds a chain (2 genesis blocks, then 3 per round); B starts empty and pulls it.
        try FileManager.default.createDirectory(atPath: dir.file("a"), withIntermediateDirectories: true)
        let demo = try CLI.run(["ledger", "demo", dir.file("a/ledger.db"), "--rounds", "3", "--seed", "5"])
        try #require(demo.status == 0, "\(demo.stderr)")
        let specA = NodeSpec(role: "control-system", keyFile: a.keyFile, dataDir: dir.file("a"), port: portA, metricsPort: metricsA,
                             members: [b.publicKey], peers: [("tcp://127.0.0.1:\(portB)", b.publicKey)])
        let specB = NodeSpec(role: "endorser", keyFile: b.keyFile, dataDir: dir.file("b"), port: portB, metricsPort: metricsB,
                             members: [a.publicKey], peers: [("tcp://127.0.0.1:\(portA)", a.publicKey)])
        try specA.toml.write(toFile: dir.file("a.toml"), atomically: true, encoding: .utf8)
        try specB.toml.write(toFile: dir.file("b.toml"), atomically: true, encoding: .utf8)
        let nodeA = try NodeProcess(config: dir.file("a.toml"), log: dir.file("a.log"))
        let nodeB = try NodeProcess(config: dir.file("b.toml"), log: dir.file("b.log"))

        let page = Self.scrape(port: metricsB, within: 20) {
            Self.sample($0, "v2g_chain_height{channel=\"boe\"}") == 6 && Self.sample($0, "v2g_chain_height{channel=\"boev\"}") == 3
        }
        #expect(page != nil, "B did not catch up: \(nodeB.log)")
        if let page {
            #expect(Self.sample(page, "v2g_blocks_committed_total{channel=\"boe\"}") == 7)
            #expect(Self.sample(page, "v2g_blocks_committed_total{channel=\"boev\"}") == 4)
            #expect(Self.sample(page, "v2g_peers_connected") == 1)
            #expect(Self.sample(page, "v2g_block_rejections_total{reason=\"chain\"}") == 0)
        }
        let pageA = Self.scrape(port: metricsA, within: 5)
        #expect(pageA.map { Self.sample($0, "v2g_blocks_committed_total{channel=\"boe\"}") } == 0)   // replayed, not new
        #expect(pageA.map { Self.sample($0, "v2g_chain_height{channel=\"boe\"}") } == 6)

        #expect(nodeB.terminate(within: 5) == 0, "\(nodeB.log)")
        #expect(nodeA.terminate(within: 5) == 0, "\(nodeA.log)")
        #expect(nodeB.log.contains("link up"))
        #expect(nodeB.log.contains("committed BoE blocks 0...6"), "\(nodeB.log)")
        #expect(nodeB.log.contains("committed BoEV blocks 0...3"), "\(nodeB.log)")
        for store in [dir.file("a/ledger.db"), dir.file("b/ledger.db")] {
            let verify = try CLI.run(["ledger", "verify", store])
            #expect(verify.status == 0, "\(verify.stderr)")
            #expect(verify.stdout == "ok: 11 blocks (BoE h=6, BoEV h=3)\n", "\(store)")
        }
    }
}
