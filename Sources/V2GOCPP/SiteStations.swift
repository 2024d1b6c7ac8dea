import Foundation

/// The charging stations of one site as the gateway knows them from their own messages: what each booted as,
/// its connectors' status, its transactions and their latest meter values, and its vehicles' charging needs.
/// As a `StationHandler` it answers the station-initiated messages the gateway supports.
public actor SiteStations: StationHandler {
    /// One station's latest reports, payloads as the station sent them.
    public struct Station: Sendable {
        public var identity: StationIdentity
        public var boot: JSONValue?
        /// `StatusNotification` payloads by "evseId/connectorId".
        public var connectors: [String: JSONValue] = [:]
        /// The latest `TransactionEvent` of each transaction, by transaction ID.
        public var transactions: [String: JSONValue] = [:]
        /// `NotifyEVChargingNeeds` payloads by EVSE ID.
        public var chargingNeeds: [Int: JSONValue] = [:]
        /// Every meter value received, oldest first (bounded: the latest `maxMeterValues`).
        public var meterValues: [JSONValue] = []
    }

    /// `BootNotification`'s heartbeat interval, in seconds.
    public let heartbeatInterval: Int
    /// ID tokens `Authorize` accepts; nil accepts every token.
    public let acceptedTokens: Set<String>?
    public static let maxMeterValues = 1024
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
            return .success(.object(["currentTime": now, "interval": .number(Double(heartbeatInterval)), "status": .string("Accepted")]))
        case "Heartbeat":
            return .success(.object(["currentTime": now]))
        case "StatusNotification":
            let evse = payload["evseId"]?.number.map { Int($0) } ?? 0, connector = payload["connectorId"]?.number.map { Int($0) } ?? 0
            s.connectors["\(evse)/\(connector)"] = payload
            return .success(.object([:]))
        case "Authorize":
            let token = payload["idToken"]?["idToken"]?.string ?? ""
            let accepted = acceptedTokens.map { $0.contains(token) } ?? true
            return .success(.object(["idTokenInfo": .object(["status": .string(accepted ? "Accepted" : "Invalid")])]))
        case "TransactionEvent":
            if let id = payload["transactionInfo"]?["transactionId"]?.string { s.transactions[id] = payload }
            s.keep(payload["meterValue"]?.array ?? [])
            return .success(.object([:]))
        case "MeterValues":
            s.keep(payload["meterValue"]?.array ?? [])
            return .success(.object([:]))
        case "NotifyEVChargingNeeds":
            if let evse = payload["evseId"]?.number { s.chargingNeeds[Int(evse)] = payload }
            return .success(.object(["status": .string("Accepted")]))
        default:
            return .failure(.callError(.notSupported, "\(action) is not handled by this gateway"))
        }
    }

    /// RFC 3339 in UTC with seconds, as OCPP writes times.
    static func timestamp(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: date)
    }
}

extension SiteStations.Station {
    mutating func keep(_ values: [JSONValue]) {
        meterValues += values
        if meterValues.count > SiteStations.maxMeterValues { meterValues.removeFirst(meterValues.count - SiteStations.maxMeterValues) }
    }
}
