import FoundationEssentials

/// The charging stations of one site as the gateway knows them from their own messages: what each booted as,
/// its connectors' status, its transactions and their latest meter values, and its vehicles' charging needs.
/// As a `StationHandler` it answers the station-initiated messages the gateway supports.
public actor SiteStations: StationHandler {
    /// One station's latest reports, payloads as the station sent them.
    public struct Station: Sendable {
        public var identity: StationIdentity
        public var boot: JSONValue?
        /// BootNotifications received: a station that booted again has lost what the gateway set on it.
        public var boots = 0
        /// `StatusNotification` payloads by "evseId/connectorId" (at most `maxEntries`).
        public var connectors: [String: JSONValue] = [:]
        /// The latest `TransactionEvent` of each transaction still going, by transaction ID (an Ended one is
        /// dropped; at most `maxEntries`).
        public var transactions: [String: JSONValue] = [:]
        /// The EVSE of each transaction still going (only `Started` must name it; at most `maxEntries`).
        public var transactionEVSEs: [String: Int] = [:]
        /// `NotifyEVChargingNeeds` payloads by EVSE ID (at most `maxEntries`).
        public var chargingNeeds: [Int: JSONValue] = [:]
        /// The energy registers each EVSE reported (0: the station's main meter), export and import, the latest
        /// `maxReadings` of each (readings, not the messages: a station's memory here does not grow with what
        /// it sends).
        public var registers: [Int: (export: EnergyRegister, import: EnergyRegister)] = [:]
    }

    /// `BootNotification`'s heartbeat interval, in seconds.
    public let heartbeatInterval: Int
    /// ID tokens `Authorize` accepts; nil accepts every token.
    public let acceptedTokens: Set<String>?
    /// Readings kept per EVSE and register: a day at a sample every 30 s, an hour and a half at every 5 s.
    public static let maxReadings = 2880
    /// Connectors, transactions and charging needs kept per station: a station has a few EVSEs, and one
    /// that reports thousands is not believed past this.
    public static let maxEntries = 64
    private var stations: [String: Station] = [:]
    private let clock: @Sendable () -> Date
    private let report: @Sendable (StationIdentity, String, JSONValue) -> Void

    /// - Parameter report: called with each accepted message (station, action, payload), for a log.
    public init(heartbeatInterval: Int = 300, acceptedTokens: Set<String>? = nil, clock: @escaping @Sendable () -> Date = Date.init,
                report: @escaping @Sendable (StationIdentity, String, JSONValue) -> Void = { _, _, _ in }) {
        self.heartbeatInterval = heartbeatInterval
        self.acceptedTokens = acceptedTokens
        self.clock = clock
        self.report = report
    }

    public func station(_ id: String) -> Station? { stations[id] }
    public var all: [Station] { stations.values.sorted { $0.identity.id < $1.identity.id } }

    public func handle(_ action: String, _ payload: JSONValue, from identity: StationIdentity) async -> Result<JSONValue, CallFailure> {
        var s = stations[identity.id] ?? Station(identity: identity)
        s.identity = identity
        defer { stations[identity.id] = s }
        report(identity, action, payload)
        let now = JSONValue.string(Self.timestamp(clock()))
        switch action {
        case "BootNotification":
            s.boot = payload
            s.boots += 1
            // A station that boots has ended whatever it had going: its transactions and vehicles are reported anew.
            s.transactions = [:]
            s.transactionEVSEs = [:]
            s.chargingNeeds = [:]
            return .success(.object(["currentTime": now, "interval": .number(Double(heartbeatInterval)), "status": .string("Accepted")]))
        case "Heartbeat":
            return .success(.object(["currentTime": now]))
        case "StatusNotification":
            // The schema holds these to integers of at most 2⁵³, so the conversions cannot trap.
            let evse = payload["evseId"]?.number.map { Int($0) } ?? 0, connector = payload["connectorId"]?.number.map { Int($0) } ?? 0
            s.connectors.bounded("\(evse)/\(connector)", payload)
            return .success(.object([:]))
        case "Authorize":
            // ID tokens are case-insensitive (schema: IdTokenType.idToken).
            let token = (payload["idToken"]?["idToken"]?.string ?? "").lowercased()
            let accepted = acceptedTokens.map { $0.contains { $0.lowercased() == token } } ?? true
            return .success(.object(["idTokenInfo": .object(["status": .string(accepted ? "Accepted" : "Invalid")])]))
        case "TransactionEvent":
            if let id = payload["transactionInfo"]?["transactionId"]?.string {
                if payload["eventType"]?.string == "Ended" {
                    s.transactions[id] = nil
                } else {
                    if let evse = payload["evse"]?["id"]?.number.map({ Int($0) }), s.transactionEVSEs[id] != evse {
                        // One transaction per EVSE: one that starts there ends whatever the station did not end.
                        for (other, e) in s.transactionEVSEs where e == evse && other != id {
                            s.transactionEVSEs[other] = nil
                            s.transactions[other] = nil
                        }
                        s.transactionEVSEs.bounded(id, evse)
                    }
                    s.transactions.bounded(id, payload)
                }
            }
            // Only the Started event must name the EVSE; later ones are the transaction's.
            let txID = payload["transactionInfo"]?["transactionId"]?.string
            let evse = payload["evse"]?["id"]?.number.map { Int($0) } ?? txID.flatMap { s.transactionEVSEs[$0] } ?? 0
            s.keep(payload["meterValue"]?.array ?? [], evse: evse)
            if payload["eventType"]?.string == "Ended", let txID, let ended = s.transactionEVSEs.removeValue(forKey: txID) {
                s.chargingNeeds[ended] = nil   // the vehicle has left: its needs are not the next one's
            }
            return .success(.object([:]))
        case "MeterValues":
            s.keep(payload["meterValue"]?.array ?? [], evse: payload["evseId"]?.number.map { Int($0) } ?? 0)
            return .success(.object([:]))
        case "NotifyEVChargingNeeds":
            if let evse = payload["evseId"]?.number { s.chargingNeeds.bounded(Int(evse), payload) }
            // Not "Accepted", which promises a schedule momentarily: one comes only when a round allocates.
            return .success(.object(["status": .string("Processing")]))
        default:
            return .failure(.callError(.notSupported, "\(action) is not handled by this gateway"))
        }
    }

    /// RFC 3339 in UTC with seconds, as OCPP writes times.
    static func timestamp(_ date: Date) -> String { RFC3339.string(Int64(date.timeIntervalSince1970.rounded(.down))) }
}

extension SiteStations.Station {
    mutating func keep(_ values: [JSONValue], evse: Int) {
        guard !values.isEmpty, registers[evse] != nil || registers.count < SiteStations.maxEntries else { return }
        var r = registers[evse] ?? (EnergyRegister([], measurand: .export), EnergyRegister([], measurand: .import))
        r.export.add(values, measurand: .export, keep: SiteStations.maxReadings)
        r.import.add(values, measurand: .import, keep: SiteStations.maxReadings)
        registers[evse] = r
    }

    /// The transaction going on at `evse`, if any.
    public func transaction(evse: Int) -> String? { transactionEVSEs.filter { $0.value == evse }.keys.sorted().first }

    /// One EVSE's register of `measurand` (empty if it reported none).
    public func register(evse: Int, _ measurand: EnergyRegister.Measurand) -> EnergyRegister {
        let r = registers[evse]
        return (measurand == .export ? r?.export : r?.import) ?? EnergyRegister([], measurand: measurand)
    }
}

extension Dictionary {
    /// Sets `key`; a new key past `SiteStations.maxEntries` is not kept.
    mutating func bounded(_ key: Key, _ value: Value) {
        if self[key] != nil || count < SiteStations.maxEntries { self[key] = value }
    }
}
