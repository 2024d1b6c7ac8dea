import FoundationEssentials
import V2GKit
import V2GLedger
import V2GNode
import V2GTransport

/// The campus a control system runs: who is on its BoE and BoEV (`[campus]`).
public struct CampusSettings: Sendable {
    public var name: String
    public var endorsers: [PublicKey]
    public var endorsementsRequired: Int
    public var exchanges: [String: PublicKey]
    public var evs: [String: PublicKey]
}

/// When a control system runs its rounds (`[rounds]`).
public struct RoundSettings: Sendable {
    /// Rounds to run after start; the node keeps serving afterwards.
    public var count: Int
    /// From the start of one round to the start of the next.
    public var interval: Duration
    /// How long the CS waits for the round's inputs after announcing it.
    public var collect: Duration
    /// Wait before the first round (links come up, agents catch up).
    public var startAfter: Duration
    /// If set, round slots start at this Unix time (ms) and every `interval` after it, on every campus alike:
    /// what lines campuses up for the cross-campus step. A CS that starts late joins at the next slot.
    public var startAt: Int64?
    /// The meters' stand-in: the share (ppm) of consumers that take only half of what they were allocated.
    public var shortfallPPM: Int64
    public var seed: UInt64
    /// Where metering comes from: generated (`shortfallPPM`), or the meter reports the EV gateways file.
    public var metering: Metering
    /// With reports: how long an allocation waits for them, in seconds (`ControlSystem.meteringWaitSeconds`).
    public var meteringWaitSeconds: Int64

    public enum Metering: String, Sendable {
        case synthetic, reports
    }

    public init(count: Int, interval: Duration, collect: Duration, startAfter: Duration, startAt: Int64? = nil,
                shortfallPPM: Int64 = 0, seed: UInt64 = 1, metering: Metering = .synthetic, meteringWaitSeconds: Int64 = 1200) {
        self.metering = metering
        self.meteringWaitSeconds = meteringWaitSeconds
        self.count = count
        self.interval = interval
        self.collect = collect
        self.startAfter = startAfter
        self.startAt = startAt
        self.shortfallPPM = shortfallPPM
        self.seed = seed
    }
}

/// A control system's seat on the BoCS (`[bocs]`).
public struct BoCSSettings: Sendable {
    public struct Campus: Sendable {
        public var name: String
        public var key: PublicKey
        public var endpoint: String
    }
    public var listen: String
    public var orderer: PublicKey
    public var campuses: [Campus]
    public var algorithm: MatchAlgorithm
    public var chargerPowerW: Int64
    /// The BoCS store under the node's data_dir.
    public var storeName = "bocs.db"
}

/// An exchange's generated consumers (`[exchange]`): synthetic load for demos and tests.
public struct ExchangeSettings: Sendable {
    public var name: String
    public var consumers: Int
    public var seed: UInt64
}

/// An EV gateway's vehicles (`[ev]`), each signing its offers with its own key.
public struct EVGatewaySettings: Sendable {
    public struct Vehicle: Sendable {
        public var name: String
        public var key: SigningKey
        /// Its EVSE, for an EV gateway in front of OCPP stations.
        public var placement: ChargerPlacement?
    }
    public var vehicles: [Vehicle]
    public var seed: UInt64
}

/// The role-specific sections of a node config.
public struct RoleSettings: Sendable {
    public var campus: CampusSettings?
    public var rounds: RoundSettings?
    public var bocs: BoCSSettings?
    public var exchange: ExchangeSettings?
    public var ev: EVGatewaySettings?
    public var ocpp: OCPPSettings?

    static let sectionKeys: Set<String> = ["campus", "rounds", "bocs", "exchange", "ev", "ocpp"]

    /// Reads the sections, requiring those the role needs and refusing those it does not use.
    static func parse(_ top: TOMLNode.Table, role: GatewayRole, matcher: MatcherSettings?, base: String)
        throws(ConfigError) -> RoleSettings {
        let allowed: Set<String>
        switch role {
        case .controlSystem: allowed = ["campus", "rounds", "bocs"]
        case .exchange: allowed = ["exchange"]
        case .ev: allowed = ["ev", "ocpp"]
        case .endorser: allowed = []
        }
        for name in sectionKeys.subtracting(allowed).sorted() where try top.optional(name) != nil {
            throw ConfigError(path: name, message: "not used by the \(role.rawValue) role")
        }
        var out = RoleSettings()
        if let t = try top.optional("campus")?.table() { out.campus = try parseCampus(t) }
        if let t = try top.optional("rounds")?.table() {
            guard out.campus != nil else { throw ConfigError(path: "rounds", message: "needs the [campus] table") }
            out.rounds = try parseRounds(t)
            if let m = matcher, !m.algorithm.runsTradingRounds {
                throw ConfigError(path: "matcher.algorithm", message: "a control system runs rounds with "
                                  + Self.roundAlgorithms + ", not \(m.algorithm.rawValue)")
            }
        }
        if let t = try top.optional("bocs")?.table() {
            guard out.rounds != nil else { throw ConfigError(path: "bocs", message: "needs the [rounds] table") }
            out.bocs = try parseBoCS(t)
        }
        if let t = try top.optional("exchange")?.table() {
            try t.known(["name", "consumers", "seed"])
            out.exchange = ExchangeSettings(name: try name(t.required("name")),
                                            consumers: Int(try t.required("consumers").integer(in: 1...100_000)),
                                            seed: UInt64(try t.optional("seed")?.integer(in: 0...Int64.max) ?? 1))
        }
        if let t = try top.optional("ev")?.table() { out.ev = try parseEV(t, base: base) }
        let placements = Dictionary(uniqueKeysWithValues: (out.ev?.vehicles ?? []).compactMap { v in v.placement.map { (v.name, $0) } })
        if let t = try top.optional("ocpp")?.table() {
            guard out.ev != nil else { throw ConfigError(path: "ocpp", message: "needs the [ev] table") }
            out.ocpp = try OCPPSettings.parse(t, placements: placements, base: base)
        } else if !placements.isEmpty {
            throw ConfigError(path: "ev.vehicles", message: "vehicles placed at stations need the [ocpp] table")
        }
        return out
    }

    /// The last round start a config may name: 9999-12-31T23:59:59.999Z, in Unix milliseconds. Anything a
    /// config accepts must start; a start in the year 292,471,208 would overflow a wait.
    static let latestStartMs: Int64 = 253_402_300_799_999

    /// The algorithms a control system's rounds (and the BoCS) can run, as a config spells them.
    static var roundAlgorithms: String {
        MatchAlgorithm.allCases.filter(\.runsTradingRounds).map(\.rawValue).joined(separator: ", ")
    }

    /// An algorithm a trading round can run.
    static func roundAlgorithm(_ node: TOMLNode) throws(ConfigError) -> MatchAlgorithm {
        let name = try node.string()
        guard let a = MatchAlgorithm(rawValue: name), a.runsTradingRounds else {
            throw node.error("unknown algorithm \"\(name)\" (expected one of: \(roundAlgorithms))")
        }
        return a
    }

    private static func name(_ node: TOMLNode) throws(ConfigError) -> String {
        let s = try node.string()
        guard !s.isEmpty, s.count <= 64, !s.contains("/") else { throw node.error("a name is 1 to 64 characters, without '/'") }
        return s
    }

    private static func keys(_ node: TOMLNode) throws(ConfigError) -> [PublicKey] {
        var out: [PublicKey] = []
        for k in try node.array() {
            let key = try k.publicKey()
            if out.contains(key) { throw k.error("\(key) is listed twice") }
            out.append(key)
        }
        return out
    }

    /// `[{ name = "...", public_key = "..." }, ...]` with distinct names and keys.
    private static func namedKeys(_ node: TOMLNode) throws(ConfigError) -> [String: PublicKey] {
        var out: [String: PublicKey] = [:]
        for entry in try node.array() {
            let t = try entry.table()
            try t.known(["name", "public_key"])
            let n = try name(t.required("name"))
            let keyNode = try t.required("public_key")
            let key = try keyNode.publicKey()
            if out[n] != nil { throw ConfigError(path: t.key("name"), message: "\"\(n)\" is listed twice") }
            if out.values.contains(key) { throw keyNode.error("\(key) is listed twice") }
            out[n] = key
        }
        return out
    }

    private static func parseCampus(_ t: TOMLNode.Table) throws(ConfigError) -> CampusSettings {
        try t.known(["name", "endorsers", "endorsements_required", "exchanges", "evs"])
        let endorsers = try keys(t.required("endorsers"))
        if endorsers.isEmpty { throw ConfigError(path: t.key("endorsers"), message: "must list at least one endorser") }
        let required = Int(try t.required("endorsements_required").integer(in: 1...Int64(endorsers.count)))
        return CampusSettings(name: try name(t.required("name")), endorsers: endorsers, endorsementsRequired: required,
                              exchanges: try namedKeys(t.required("exchanges")), evs: try namedKeys(t.required("evs")))
    }

    private static func parseRounds(_ t: TOMLNode.Table) throws(ConfigError) -> RoundSettings {
        try t.known(["count", "interval_ms", "collect_ms", "start_after_ms", "start_at_unix_ms", "shortfall_ppm", "seed", "metering",
                     "metering_wait_s"])
        var metering = RoundSettings.Metering.synthetic
        if let node = try t.optional("metering") {
            let name = try node.string()
            guard let m = RoundSettings.Metering(rawValue: name) else {
                throw node.error("unknown metering \"\(name)\" (expected one of: synthetic, reports)")
            }
            metering = m
        }
        let interval = try t.optional("interval_ms")?.integer(in: 1...86_400_000) ?? 1000
        let collectNode = try t.optional("collect_ms")
        let collect = try collectNode?.integer(in: 1...86_400_000) ?? interval / 2
        if collect > interval { throw collectNode!.error("must not exceed interval_ms (\(interval))") }
        return RoundSettings(count: Int(try t.optional("count")?.integer(in: 0...1_000_000) ?? 0),
                             interval: .milliseconds(interval), collect: .milliseconds(max(1, collect)),
                             startAfter: .milliseconds(try t.optional("start_after_ms")?.integer(in: 0...86_400_000) ?? 1000),
                             startAt: try t.optional("start_at_unix_ms")?.integer(in: 0...Self.latestStartMs),
                             shortfallPPM: try t.optional("shortfall_ppm")?.integer(in: 0...1_000_000) ?? 0,
                             seed: UInt64(try t.optional("seed")?.integer(in: 0...Int64.max) ?? 1), metering: metering,
                             meteringWaitSeconds: try t.optional("metering_wait_s")?.integer(in: 0...604_800) ?? 1200)
    }

    private static func parseBoCS(_ t: TOMLNode.Table) throws(ConfigError) -> BoCSSettings {
        try t.known(["listen", "orderer", "campuses", "algorithm", "charger_power_w"])
        let listenNode = try t.required("listen")
        let listen = try listenNode.string()
        try GatewayConfig.checkEndpoint(listen, listenNode, allowWildcardPort: true)
        var campuses: [BoCSSettings.Campus] = []
        for entry in try t.required("campuses").array() {
            let c = try entry.table()
            try c.known(["name", "public_key", "endpoint"])
            let n = try name(c.required("name"))
            let key = try c.required("public_key").publicKey()
            let endpointNode = try c.required("endpoint")
            let endpoint = try endpointNode.string()
            try GatewayConfig.checkEndpoint(endpoint, endpointNode, allowWildcardPort: false)
            if campuses.contains(where: { $0.name == n || $0.key == key }) { throw entry.error("campus \"\(n)\" or its key is listed twice") }
            campuses.append(.init(name: n, key: key, endpoint: endpoint))
        }
        if campuses.count < 2 { throw ConfigError(path: t.key("campuses"), message: "the BoCS needs at least two campuses") }
        let ordererNode = try t.required("orderer")
        let orderer = try ordererNode.publicKey()
        guard campuses.contains(where: { $0.key == orderer }) else {
            throw ordererNode.error("the BoCS orderer must be one of the campuses' control systems")
        }
        let algorithmNode = try t.optional("algorithm")
        let algorithm = try algorithmNode.map(RoleSettings.roundAlgorithm) ?? .sretDouble
        return BoCSSettings(listen: listen, orderer: orderer, campuses: campuses, algorithm: algorithm,
                            chargerPowerW: try t.optional("charger_power_w")?.integer(in: 1...Int64(Int32.max)) ?? 7000)
    }

    private static func parseEV(_ t: TOMLNode.Table, base: String) throws(ConfigError) -> EVGatewaySettings {
        try t.known(["vehicles", "seed"])
        var vehicles: [EVGatewaySettings.Vehicle] = []
        for entry in try t.required("vehicles").array() {
            let v = try entry.table()
            try v.known(["name", "key_file", "station", "evse"])
            let n = try name(v.required("name"))
            let keyNode = try v.required("key_file")
            let path = GatewayConfig.resolve(try keyNode.string(), base: base)
            let key: SigningKey
            do { key = try KeyFile.read(from: path) } catch { throw keyNode.error(error.message) }
            if vehicles.contains(where: { $0.name == n }) { throw ConfigError(path: v.key("name"), message: "\"\(n)\" is listed twice") }
            var placement: ChargerPlacement?
            if let stationNode = try v.optional("station") {
                placement = ChargerPlacement(station: try stationNode.string(),
                                             evse: Int(try v.optional("evse")?.integer(in: 1...Int64(Int32.max)) ?? 1))
                if vehicles.contains(where: { $0.placement == placement }) {
                    throw stationNode.error("two vehicles are placed at \(placement!.station)/\(placement!.evse)")
                }
            } else if try v.optional("evse") != nil {
                throw ConfigError(path: v.key("evse"), message: "needs station")
            }
            vehicles.append(.init(name: n, key: key, placement: placement))
        }
        if vehicles.isEmpty { throw ConfigError(path: t.key("vehicles"), message: "must list at least one vehicle") }
        return EVGatewaySettings(vehicles: vehicles, seed: UInt64(try t.optional("seed")?.integer(in: 0...Int64.max) ?? 1))
    }
}
