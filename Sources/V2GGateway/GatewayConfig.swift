import FoundationEssentials
import Glibc
import Logging
import V2GKit
import V2GLedger
import V2GNode
import V2GTransport

/// What a gateway is on the campus network (docs/network.md, "Running a node").
public enum GatewayRole: String, CaseIterable, Sendable {
    /// The control system: orders the channels' blocks and runs the matcher.
    case controlSystem = "control-system"
    case endorser, exchange, ev
}

/// The matcher a control system runs, with its parameters (as `v2g match` takes them).
public struct MatcherSettings: Sendable {
    public var algorithm: MatchAlgorithm
    public var chargerCapacityWh: Int64?
    public var chargerPowerW: Int64?
    public var gamma1: Ratio
    public var gamma2: Ratio
}

/// A gateway node's configuration (`v2g node --config`), read from TOML and checked in full before anything is opened.
///
/// Relative paths (`key_file`, `data_dir`) are resolved against the directory of the config file.
public struct GatewayConfig: Sendable {
    public var role: GatewayRole
    public var keyFile: String
    public var dataDir: String
    public var logLevel: Logger.Level
    /// Where the node's ROUTER listens (`tcp://HOST:PORT`).
    public var listen: String
    public var peers: [Neighbour]
    /// The keys the ZAP handler admits; every peer is one of them.
    public var members: [PublicKey]
    /// The port of the metrics endpoint; nil serves no metrics.
    public var metricsPort: UInt16?
    /// The IPv4 address it binds: loopback unless `[metrics] allow_remote = true` says otherwise.
    public var metricsAddress = "127.0.0.1"
    public var matcher: MatcherSettings?
    public var catchUpInterval: Duration
    /// The node's resident memory past which its peers cut every connection they accept (`NetworkLimits`);
    /// nil: no guard.
    public var maxResidentBytes: Int? = GatewayConfig.defaultMaxResidentMiB << 20
    /// Endorsed transactions the orderer's pool holds (`[network] max_pool`): a control system needs room for a
    /// round's offers and request lists, one transaction per vehicle and per exchange.
    public var maxPool = GatewayConfig.defaultMaxPool
    public static let defaultMaxPool = 4096
    /// What the role does beyond validating: the control system's campus, rounds and BoCS seat; an exchange's
    /// consumers; an EV gateway's vehicles.
    public var roles = RoleSettings()

    /// The limits of the node's peers: the defaults, with the memory guard.
    public var networkLimits: NetworkLimits {
        var limits = NetworkLimits()
        limits.maxResidentBytes = maxResidentBytes
        return limits
    }

    /// The SQLite store under `dataDir`.
    public var storePath: String { Path.join(dataDir, "ledger.db") }

    static let defaultCatchUpIntervalMs = 5_000
    /// A node needs tens of MiB; 512 leaves room for a big store's cache on a 1 GB gateway.
    static let defaultMaxResidentMiB = 512

    /// The largest config file read: a control system's roster names every vehicle of its campus (about 110
    /// bytes each, so 10,000 vehicles take 1 MB), and 64 MiB holds about 600,000.
    public static let maxConfigBytes = 64 << 20

    /// Reads and checks the file at `path`; every error names the key at fault.
    /// - Returns: the configuration and the node's key (read from `key_file`, which must be mode 0600).
    /// - Throws: `ConfigError` whose `path` is the TOML key (`network.peers[1].public_key`), or empty for the file.
    public static func load(path: String) throws(ConfigError) -> (GatewayConfig, SigningKey) {
        guard let file = FileDescriptorHandle(forReadingAtPath: path) else {
            throw ConfigError(path: "", message: "cannot read \(path): \(String(cString: strerror(errno)))")
        }
        let bytes: [UInt8]
        do { bytes = try file.readToEnd(limit: maxConfigBytes) } catch {
            throw ConfigError(path: "", message: "cannot read \(path): \(error)")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw ConfigError(path: "", message: "\(path) is not UTF-8 text")
        }
        let base = Path.parent(of: path)
        return try parse(toml: text, base: base.isEmpty ? "." : base)
    }

    /// Checks a config's TOML text; relative paths in it are resolved against `base`.
    /// - Returns: the configuration and the node's key (read from `key_file`, which must be mode 0600).
    public static func parse(toml text: String, base: String) throws(ConfigError) -> (GatewayConfig, SigningKey) {
        let table: TOMLTable
        do {
            table = try TOMLParser.parse(text)
        } catch {
            throw ConfigError(path: "", message: "not valid TOML: \(error)")
        }
        return try parse(TOMLNode.table(table, path: ""), base: base)
    }

    static func parse(_ top: TOMLNode.Table, base: String) throws(ConfigError) -> (GatewayConfig, SigningKey) {
        try top.known(Set(["role", "key_file", "data_dir", "log_level", "catch_up_interval_ms", "network", "metrics", "matcher"])
            .union(RoleSettings.sectionKeys))

        let roleNode = try top.required("role")
        let roleName = try roleNode.string()
        guard let role = GatewayRole(rawValue: roleName) else {
            throw roleNode.error("unknown role \"\(roleName)\" (expected one of: "
                                 + GatewayRole.allCases.map(\.rawValue).joined(separator: ", ") + ")")
        }

        let levelNode = try top.optional("log_level")
        var logLevel = Logger.Level.info
        if let levelNode {
            let name = try levelNode.string()
            guard let level = Logger.Level(rawValue: name) else {
                throw levelNode.error("unknown level \"\(name)\" (expected one of: "
                                      + Logger.Level.allCases.map(\.rawValue).joined(separator: ", ") + ")")
            }
            logLevel = level
        }

        let intervalNode = try top.optional("catch_up_interval_ms")
        let intervalMs = try intervalNode?.integer(in: 1...86_400_000) ?? Int64(defaultCatchUpIntervalMs)

        // The network section.
        let network = try top.required("network").table()
        try network.known(["listen", "peers", "members", "max_resident_mib", "max_pool"])
        let maxPool = Int(try network.optional("max_pool")?.integer(in: 64...1_048_576) ?? Int64(defaultMaxPool))
        // 0 turns the memory guard off.
        let residentMiB = try network.optional("max_resident_mib")?.integer(in: 0...1_048_576) ?? Int64(defaultMaxResidentMiB)
        let listenNode = try network.required("listen")
        let listen = try listenNode.string()
        try checkEndpoint(listen, listenNode, allowWildcardPort: true)
        var members: [PublicKey] = []
        for node in try network.required("members").array() {
            let key = try node.publicKey()
            if members.contains(key) { throw node.error("\(key) is listed twice") }
            members.append(key)
        }
        if members.isEmpty { throw ConfigError(path: "network.members", message: "must list at least one member") }
        var peers: [Neighbour] = []
        for node in try network.optional("peers")?.array() ?? [] {
            let peer = try node.table()
            try peer.known(["endpoint", "public_key"])
            let endpointNode = try peer.required("endpoint")
            let endpoint = try endpointNode.string()
            try checkEndpoint(endpoint, endpointNode, allowWildcardPort: false)
            let keyNode = try peer.required("public_key")
            let key = try keyNode.publicKey()
            guard members.contains(key) else {
                throw keyNode.error("peer \(key.description.prefix(16))… is not in network.members (ZAP would refuse its link)")
            }
            if peers.contains(where: { $0.key == key }) { throw keyNode.error("peer \(key.description.prefix(16))… is listed twice") }
            peers.append(Neighbour(endpoint: endpoint, key: key))
        }

        // Metrics: on loopback unless another address is asked for and allowed explicitly.
        var metricsPort: UInt16?
        var metricsAddress = "127.0.0.1"
        if let metrics = try top.optional("metrics")?.table() {
            try metrics.known(["listen", "allow_remote"])
            let node = try metrics.required("listen")
            let text = try node.string()
            let parts = text.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, let port = UInt16(parts[1]), port > 0,
                  let address = parts[0] == "localhost" ? "127.0.0.1" : Self.ipv4(String(parts[0])) else {
                throw node.error("expected \"ADDRESS:PORT\" with an IPv4 address and PORT in 1...65535, got \"\(text)\"")
            }
            let remote = try metrics.optional("allow_remote")?.bool() ?? false
            if !address.hasPrefix("127."), !remote {
                throw node.error("\(address) is reachable from other hosts; metrics stay on loopback unless "
                                 + "metrics.allow_remote = true (then guard the port with a firewall)")
            }
            metricsPort = port
            metricsAddress = address
        }

        // The matcher: required for the control system, which runs it; checked wherever it is given.
        var matcher: MatcherSettings?
        if let section = try top.optional("matcher")?.table() {
            matcher = try parseMatcher(section)
        } else if role == .controlSystem {
            throw ConfigError(path: "matcher", message: "missing required table (the control system runs the matcher)")
        }

        // Files last: the key file must exist, be ours alone and hold a key; data_dir must be a directory or absent.
        let keyNode = try top.required("key_file")
        let keyFile = resolve(try keyNode.string(), base: base)
        let key: SigningKey
        do { key = try KeyFile.read(from: keyFile) } catch { throw keyNode.error(error.message) }
        for (i, peer) in peers.enumerated() where peer.key == key.publicKey {
            throw ConfigError(path: "network.peers[\(i)].public_key", message: "is this node's own key (from key_file)")
        }

        let dirNode = try top.required("data_dir")
        let dataDir = resolve(try dirNode.string(), base: base)
        var isDirectory = false
        if FileManager.default.fileExists(atPath: dataDir, isDirectory: &isDirectory) {
            guard isDirectory else { throw dirNode.error("\(dataDir) exists and is not a directory") }
            guard FileManager.default.isWritableFile(atPath: dataDir) else { throw dirNode.error("\(dataDir) is not writable") }
        }

        let roles = try RoleSettings.parse(top, role: role, matcher: matcher, base: base)
        if let bocs = roles.bocs, !bocs.campuses.contains(where: { $0.key == key.publicKey }) {
            throw ConfigError(path: "bocs.campuses", message: "does not list this node's own key (from key_file)")
        }
        let config = GatewayConfig(role: role, keyFile: keyFile, dataDir: dataDir, logLevel: logLevel, listen: listen,
                                peers: peers, members: members, metricsPort: metricsPort, matcher: matcher,
                                catchUpInterval: .milliseconds(intervalMs), roles: roles)
        var guarded = config
        guarded.maxResidentBytes = residentMiB == 0 ? nil : Int(residentMiB) << 20
        guarded.maxPool = maxPool
        guarded.metricsAddress = metricsAddress
        return (guarded, key)
    }

    /// A dotted-quad IPv4 address, normalised (`0.0.0.0` binds every interface); nil if it is not one.
    static func ipv4(_ text: String) -> String? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var octets: [Int] = []
        for p in parts {
            guard !p.isEmpty, p.count <= 3, p.allSatisfy(\.isASCII), let v = Int(p), (0...255).contains(v) else { return nil }
            octets.append(v)
        }
        return octets.map(String.init).joined(separator: ".")
    }

    private static func parseMatcher(_ section: TOMLNode.Table) throws(ConfigError) -> MatcherSettings {
        try section.known(["algorithm", "charger_capacity_wh", "charger_power_w", "gamma1_ppm", "gamma2_ppm"])
        let node = try section.required("algorithm")
        let name = try node.string()
        guard let algorithm = MatchAlgorithm(rawValue: name) else {
            throw node.error("unknown algorithm \"\(name)\" (expected one of: "
                             + MatchAlgorithm.allCases.map(\.rawValue).joined(separator: ", ") + ")")
        }
        let capacity = try section.optional("charger_capacity_wh")?.integer(in: 1...Int64(Int32.max))
        let power = try section.optional("charger_power_w")?.integer(in: 1...Int64(Int32.max))
        let gamma1 = try section.optional("gamma1_ppm")?.integer(in: 0...1_000_000) ?? 100_000
        let gamma2 = try section.optional("gamma2_ppm")?.integer(in: 0...1_000_000) ?? 100_000
        if algorithm == .ret || algorithm.usesWindows, capacity == nil {
            throw ConfigError(path: "matcher.charger_capacity_wh", message: "missing required key (\(name) needs the charger capacity)")
        }
        if algorithm.usesWindows, power == nil {
            throw ConfigError(path: "matcher.charger_power_w", message: "missing required key (\(name) needs P_c)")
        }
        return MatcherSettings(algorithm: algorithm, chargerCapacityWh: capacity, chargerPowerW: power,
                               gamma1: Ratio(ppm: Int32(gamma1)), gamma2: Ratio(ppm: Int32(gamma2)))
    }

    /// `tcp://HOST:PORT`, the only transport a node speaks; `*` as PORT only where the node binds.
    static func checkEndpoint(_ text: String, _ node: TOMLNode, allowWildcardPort: Bool) throws(ConfigError) {
        guard text.hasPrefix("tcp://") else { throw node.error("expected \"tcp://HOST:PORT\", got \"\(text)\"") }
        let rest = text.dropFirst("tcp://".count)
        guard let colon = rest.lastIndex(of: ":"), colon != rest.startIndex else {
            throw node.error("expected \"tcp://HOST:PORT\", got \"\(text)\"")
        }
        let port = rest[rest.index(after: colon)...]
        if allowWildcardPort && port == "*" { return }
        guard let n = UInt16(port), n > 0 else { throw node.error("the port must be in 1...65535, got \"\(port)\"") }
    }

    static func resolve(_ path: String, base: String) -> String {
        let expanded = Path.expandingTilde(path)
        return expanded.hasPrefix("/") ? expanded : Path.join(base, expanded)
    }
}

