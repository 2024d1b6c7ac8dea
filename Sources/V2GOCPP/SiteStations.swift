import Foundation

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
        /// Meter values received, by EVSE ID (0: the station's main meter), oldest first; the latest
        /// `maxMeterValues` of the station in all.
        public var meterValues: [(evse: Int, value: JSONValue)] = []
    }

    /// `BootNotification`'s heartbeat interval, in seconds.
    public let heartbeatInterval: Int
    /// ID tokens `Authorize` accepts; nil accepts every token.
    public let acceptedTokens: Set<String>?
    public static let maxMeterValues = 1024
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
                    s.transactions.bounded(id, payload)
                    if let evse = payload["evse"]?["id"]?.number { s.transactionEVSEs.bounded(id, Int(evse)) }
                }
            }
            // Only the Started event must name the EVSE; later ones are the transaction's.
            let txID = payload["transactionInfo"]?["transactionId"]?.string
            let evse = payload["evse"]?["id"]?.number.map { Int($0) } ?? txID.flatMap { s.transactionEVSEs[$0] } ?? 0
            s.keep(payload["meterValue"]?.array ?? [], evse: evse)
            if payload["eventType"]?.string == "Ended", let txID { s.transactionEVSEs[txID] = nil }
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
        meterValues += values.map { (evse, $0) }
        if meterValues.count > SiteStations.maxMeterValues { meterValues.removeFirst(meterValues.count - SiteStations.maxMeterValues) }
    }

    /// The transaction going on at `evse`, if any.
    public func transaction(evse: Int) -> String? { transactionEVSEs.filter { $0.value == evse }.keys.sorted().first }

    /// The meter values of one EVSE, oldest first.
    public func meterValues(evse: Int) -> [JSONValue] { meterValues.filter { $0.evse == evse }.map(\.value) }
}

extension Dictionary {
    /// Sets `key`; a new key past `SiteStations.maxEntries` is not kept.
    mutating func bounded(_ key: Key, _ value: Value) {
        if self[key] != nil || count < SiteStations.maxEntries { self[key] = value }
    }
}
