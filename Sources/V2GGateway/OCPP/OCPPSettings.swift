import FoundationEssentials
import V2GOCPP

/// An EV gateway's OCPP endpoint (`[ocpp]`): where its charging stations connect, their passwords, and how
/// allocations become deliveries (docs/ocpp.md, "Configuration").
public struct OCPPSettings: Sendable {
    /// The address the WebSocket endpoint binds.
    public var host: String
    public var port: Int
    /// Each station's HTTP Basic password (security profile 1), by station identity.
    public var passwords: [String: String]
    /// ID tokens `Authorize` accepts; nil accepts any.
    public var acceptedTokens: Set<String>?
    public var heartbeatSeconds: Int
    public var chargers: OCPPChargers.Settings
    /// Each vehicle's EVSE, from `[ev] vehicles`.
    public var placements: [String: ChargerPlacement]
    /// PEM files of the endpoint's certificate chain and private key: `wss://` (security profile 2); nil: `ws://`.
    public var tls: (certificateChain: String, privateKey: String)?

    static func parse(_ t: TOMLNode.Table, placements: [String: ChargerPlacement], base: String) throws(ConfigError) -> OCPPSettings {
        try t.known(["listen", "stations", "accepted_tokens", "heartbeat_s", "delivery_s", "grace_s", "sample_interval_s",
                     "max_evse_power_w", "tls_certificate", "tls_private_key"])
        var tls: (String, String)?
        let certificateNode = try t.optional("tls_certificate"), keyNode = try t.optional("tls_private_key")
        if let certificateNode, let keyNode {
            let files = (GatewayConfig.resolve(try certificateNode.string(), base: base),
                         GatewayConfig.resolve(try keyNode.string(), base: base))
            for (node, path) in [(certificateNode, files.0), (keyNode, files.1)] where !FileManager.default.isReadableFile(atPath: path) {
                throw node.error("cannot read \(path)")
            }
            tls = files
        } else if let node = certificateNode ?? keyNode {
            throw node.error("tls_certificate and tls_private_key go together")
        }
        let listenNode = try t.required("listen")
        let listen = try listenNode.string()
        guard let colon = listen.lastIndex(of: ":"), colon != listen.startIndex,
              let port = Int(listen[listen.index(after: colon)...]), (0...65535).contains(port) else {
            throw listenNode.error("expected \"HOST:PORT\" with PORT in 0...65535, got \"\(listen)\"")
        }
        var passwords: [String: String] = [:]
        for entry in try t.required("stations").array() {
            let s = try entry.table()
            try s.known(["id", "password"])
            let idNode = try s.required("id")
            let id = try idNode.string()
            guard StationIdentity.isValid(id) else {
                throw idNode.error("a station identity is 1 to 48 of A-Z a-z 0-9 - . _ ~ (it is the URL's last segment)")
            }
            if passwords[id] != nil { throw idNode.error("\"\(id)\" is listed twice") }
            let passwordNode = try s.required("password")
            let password = try passwordNode.string()
            // OCPP 2.x: a basic-auth password is 16 to 40 characters (SecurityCtrlr.BasicAuthPassword).
            guard (16...40).contains(password.count), !password.contains(":") else {
                throw passwordNode.error("a station password is 16 to 40 characters, without ':'")
            }
            passwords[id] = password
        }
        if passwords.isEmpty { throw ConfigError(path: t.key("stations"), message: "must list at least one station") }
        for (vehicle, p) in placements.sorted(by: { $0.key < $1.key }) where passwords[p.station] == nil {
            throw ConfigError(path: "ev.vehicles", message: "\(vehicle) is placed at station \"\(p.station)\", which ocpp.stations does not list")
        }
        var tokens: Set<String>?
        if let node = try t.optional("accepted_tokens") {
            var set: Set<String> = []
            for n in try node.array() { set.insert(try n.string()) }
            tokens = set
        }
        var chargers = OCPPChargers.Settings()
        chargers.deliverySeconds = try t.optional("delivery_s")?.integer(in: 1...86_400) ?? chargers.deliverySeconds
        chargers.graceSeconds = try t.optional("grace_s")?.integer(in: 0...3600) ?? chargers.graceSeconds
        chargers.sampleIntervalSeconds = Int(try t.optional("sample_interval_s")?.integer(in: 1...3600) ?? Int64(chargers.sampleIntervalSeconds))
        chargers.maxEVSEPowerW = try t.optional("max_evse_power_w")?.integer(in: 1...10_000_000) ?? chargers.maxEVSEPowerW
        return OCPPSettings(host: String(listen[..<colon]), port: port, passwords: passwords, acceptedTokens: tokens,
                            heartbeatSeconds: Int(try t.optional("heartbeat_s")?.integer(in: 1...86_400) ?? 300),
                            chargers: chargers, placements: placements, tls: tls)
    }
}
