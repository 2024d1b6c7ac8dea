import FoundationEssentials
import V2GLedger
import V2GKit

/// The nodes of a local network on loopback (`v2g demo`, `v2g bench network`, tests) and the TOML config each
/// one runs with: per campus a control system, endorsers, exchanges and EV gateways (each serving several
/// vehicles, each with its own key); the control systems also form the BoCS.
public struct LocalNetworkLayout: Sendable {
    public struct Options: Sendable {
        public init() {}
        public var campuses = 3
        public var endorsers = 2
        public var exchanges = 3
        public var consumersPerExchange = 20
        /// If set, a campus's requests in total, spread over its exchanges (instead of `consumersPerExchange` each).
        public var requestsPerCampus: Int?
        /// Vehicles per campus, one entry per campus (cycled): uneven on purpose, so that one campus's round
        /// leaves requests over and another's leaves EVs unused, for the cross-campus step.
        public var vehicles = [8, 16, 30]
        public var gatewaysPerCampus = 1
        public var rounds = 4
        public var intervalMs = 1500
        public var collectMs = 1200
        public var startAfterMs = 2500
        public var shortfallPPM = 100_000
        public var seed: UInt64 = 2024
        public var intruder = false
        /// `[network] max_pool` of the control systems; nil keeps the default.
        public var maxPool: Int?
        /// A member key campus A's CS admits (network only, on no channel), for `--attack`.
        public var rogue: PublicKey?
        /// When round slots start on every campus (Unix ms).
        public var startAtMs: Int64 = 0
    }

    /// One node process.
    public struct Node: Sendable {
        public var name: String          // A-cs, A-endorser1, A-x1, A-ev1, ...
        public var campus: String
        public var role: GatewayRole
        public var key: SigningKey
        public var port: UInt16
        public var metricsPort: UInt16
        public var bocsPort: UInt16?
        public var dir: String           // its data_dir, config and log live here
        public var config: String { Path.join(dir, "node.toml") }
        public var log: String { Path.join(dir, "node.log") }
        public var store: String { Path.join(dir, "ledger.db") }
        public var bocsStore: String? { bocsPort.map { _ in Path.join(dir, "bocs.db") } }
        public var endpoint: String { "tcp://127.0.0.1:\(port)" }
    }

    public var options: Options
    public var root: String
    public var nodes: [Node] = []
    public var campusNames: [String]
    /// Vehicle names and keys per campus and gateway name.
    public var vehicles: [String: [(name: String, key: SigningKey)]] = [:]

    public static func campusName(_ i: Int) -> String { String(UnicodeScalar(UInt8(65 + i % 26))) + (i >= 26 ? "\(i / 26)" : "") }

    /// Makes keys, picks free loopback ports and writes every node's key files and config under `root`.
    public init(options: Options, root: String) throws {
        self.options = options
        self.root = root
        campusNames = (0..<options.campuses).map(Self.campusName)
        let ports = try FreePorts.take((options.campuses * (2 + options.endorsers + options.exchanges + options.gatewaysPerCampus)
                                        + (options.intruder ? 1 : 0)) * 2 + options.campuses)
        var next = ports.makeIterator()
        func node(_ name: String, _ campus: String, _ role: GatewayRole, bocs: Bool = false) throws -> Node {
            let dir = Path.join(root, name)
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
            return Node(name: name, campus: campus, role: role, key: try SigningKey(), port: next.next()!,
                        metricsPort: next.next()!, bocsPort: bocs ? next.next()! : nil, dir: dir)
        }
        for (c, campus) in campusNames.enumerated() {
            nodes.append(try node("\(campus)-cs", campus, .controlSystem, bocs: options.campuses > 1))
            for e in 1...options.endorsers { nodes.append(try node("\(campus)-endorser\(e)", campus, .endorser)) }
            for x in 1...options.exchanges { nodes.append(try node("\(campus)-x\(x)", campus, .exchange)) }
            let count = options.vehicles[c % options.vehicles.count]
            for g in 1...options.gatewaysPerCampus {
                let gateway = try node("\(campus)-ev\(g)", campus, .ev)
                nodes.append(gateway)
                let share = count / options.gatewaysPerCampus + (g <= count % options.gatewaysPerCampus ? 1 : 0)
                vehicles[gateway.name] = try (1...max(1, share)).map { v in ("v\(g)-\(v)", try SigningKey()) }
            }
        }
        if options.intruder { nodes.append(try node("intruder", "X", .controlSystem)) }
        try writeConfigs()
    }

    public func campus(_ name: String) -> [Node] { nodes.filter { $0.campus == name } }
    public func controlSystem(_ campus: String) -> Node { nodes.first { $0.campus == campus && $0.role == .controlSystem }! }
    public func node(_ name: String) -> Node? { nodes.first { $0.name == name } }

    private func writeConfigs() throws {
        for n in nodes {
            let keyPath = Path.join(n.dir, "node.key")
            try KeyFile.write(n.key, to: keyPath)
            try toml(for: n).write(toFile: n.config, atomically: true, encoding: .utf8)
        }
    }

    private func quoted(_ s: String) -> String { "\"\(s)\"" }

    /// A node's config: it links to every node of its campus it exchanges gossip or endorsements with.
    func toml(for n: Node) throws -> String {
        var lines = ["# written by v2g demo", "role = \(quoted(n.role.rawValue))", "key_file = \"node.key\"", "data_dir = \".\"",
                     "log_level = \"info\"", "catch_up_interval_ms = 1000", ""]
        let campusNodes = n.campus == "X" ? campus(campusNames[0]) : campus(n.campus)
        let cs = campusNodes.first { $0.role == .controlSystem }!
        let endorsers = campusNodes.filter { $0.role == .endorser }
        // The CS and endorsers talk to everyone of the campus; exchanges and gateways to the CS and endorsers.
        let peers: [Node]
        switch n.role {
        case .controlSystem, .endorser: peers = campusNodes.filter { $0.name != n.name }
        case .exchange, .ev: peers = [cs] + endorsers
        }
        // The intruder is not on anyone's list; it lists campus A's CS and endorsers as its peers.
        var members = n.name == "intruder" ? peers.map(\.key.publicKey) : campusNodes.filter { $0.name != n.name }.map(\.key.publicKey)
        if let rogue = options.rogue, n.role == .controlSystem, n.campus == campusNames[0] { members.append(rogue) }
        lines += ["[network]", "listen = \(quoted(n.endpoint))", "members = ["]
        lines += members.map { "    \(quoted($0.description))," } + ["]"]
        if let pool = options.maxPool, n.role == .controlSystem { lines.append("max_pool = \(pool)") }
        lines.append("")
        for p in peers {
            lines += ["[[network.peers]]", "endpoint = \(quoted(p.endpoint))  # \(p.name)", "public_key = \(quoted(p.key.publicKey.description))", ""]
        }
        lines += ["[metrics]", "listen = \"127.0.0.1:\(n.metricsPort)\"", ""]
        switch n.role {
        case .controlSystem:
            lines += ["[matcher]", "algorithm = \"ret\"", "charger_capacity_wh = 30000", "charger_power_w = 7000", ""]
            let exchanges = campusNodes.filter { $0.role == .exchange }
            let gateways = campusNodes.filter { $0.role == .ev }
            let endorserKeys = n.name == "intruder" ? [n.key.publicKey] : endorsers.map(\.key.publicKey)
            lines += ["[campus]", "name = \(quoted(n.campus))", "endorsements_required = \(endorserKeys.count)"]
            lines.append("endorsers = [" + endorserKeys.map { quoted($0.description) }.joined(separator: ", ") + "]")
            lines.append("exchanges = [")
            if n.name != "intruder" {
                lines += exchanges.map { "    { name = \(quoted(exchangeName($0))), public_key = \(quoted($0.key.publicKey.description)) }," }
            }
            lines.append("]")
            lines.append("evs = [")
            if n.name != "intruder" {
                for g in gateways {
                    lines += (vehicles[g.name] ?? []).map { "    { name = \(quoted($0.name)), public_key = \(quoted($0.key.publicKey.description)) }," }
                }
            }
            lines += ["]", ""]
            lines += ["[rounds]", "count = \(n.name == "intruder" ? 1 : options.rounds)", "interval_ms = \(options.intervalMs)",
                      "collect_ms = \(options.collectMs)", "start_after_ms = \(options.startAfterMs)", "start_at_unix_ms = \(options.startAtMs)",
                      "shortfall_ppm = \(options.shortfallPPM)", "seed = \(options.seed)", ""]
            if let bocsPort = n.bocsPort {
                let all = campusNames.map { controlSystem($0) }
                lines += ["[bocs]", "listen = \(quoted("tcp://127.0.0.1:\(bocsPort)"))",
                          "orderer = \(quoted(all[0].key.publicKey.description))", "algorithm = \"sret-double\"",
                          "charger_power_w = 7000", "campuses = ["]
                lines += all.map {
                    "    { name = \(quoted($0.campus)), public_key = \(quoted($0.key.publicKey.description)), endpoint = \(quoted("tcp://127.0.0.1:\($0.bocsPort!)")) },"
                }
                lines += ["]", ""]
            }
        case .exchange:
            var consumers = options.consumersPerExchange
            if let total = options.requestsPerCampus, let i = Int(exchangeName(n).dropFirst()) {
                consumers = total / options.exchanges + (i <= total % options.exchanges ? 1 : 0)
            }
            lines += ["[exchange]", "name = \(quoted(exchangeName(n)))", "consumers = \(max(1, consumers))",
                      "seed = \(options.seed)", ""]
        case .ev:
            var vehicleLines = ["[ev]", "seed = \(options.seed)", "vehicles = ["]
            for v in vehicles[n.name] ?? [] {
                let file = "\(v.name).key"
                try KeyFile.write(v.key, to: Path.join(n.dir, file))
                vehicleLines.append("    { name = \(quoted(v.name)), key_file = \(quoted(file)) },")
            }
            lines += vehicleLines + ["]", ""]
        case .endorser:
            break
        }
        return lines.joined(separator: "\n")
    }

    /// An exchange's name on its campus's BoE: "x1" for node "A-x1".
    func exchangeName(_ n: Node) -> String { String(n.name.split(separator: "-").last!) }
}
