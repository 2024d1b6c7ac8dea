extension Transaction {
    /// One line saying what the transaction records (its payload decoded), for people reading a chain;
    /// a payload that does not decode is named as such, never thrown.
    public var summary: String {
        do {
            switch kind {
            case .config:
                let c = try ChannelConfig.decode(payload)
                return "channel \(c.name), \(c.members.count) members, \(c.endorsementsRequired) of \(c.endorsers.count) endorsements required"
            case .requestList:
                let r = try RequestListPayload.decode(payload)
                let wh = r.requests.reduce(Int64(0)) { $0 &+ $1.energyWh }
                return "exchange \(r.exchange), round \(r.round), \(r.requests.count) requests for \(wh) Wh"
            case .offer:
                let o = try OfferPayload.decode(payload)
                return "EV \(o.ev), round \(o.round), offers \(o.energyWh) Wh"
            case .allocationResult:
                let a = try AllocationResultPayload.decode(payload)
                let wh = a.allocations.reduce(Int64(0)) { $0 &+ $1.energyWh }
                return "round \(a.round), \(a.algorithm), \(a.inputs.count) inputs, \(a.allocations.count) allocations of \(wh) Wh, "
                    + "\(a.outcomes.filter(\.fulfilled).count)/\(a.outcomes.count) requests fulfilled"
            case .notification:
                let n = try NotificationPayload.decode(payload)
                return "round \(n.round), allocation \(Self.short(n.allocation)), recipients \(n.recipients.joined(separator: ", "))"
            case .meteringRecord:
                let m = try MeteringPayload.decode(payload)
                let wh = m.readings.reduce(Int64(0)) { $0 &+ $1.deliveredWh }
                return "round \(m.round), \(m.readings.count) readings, \(wh) Wh delivered"
            case .settlement:
                let s = try SettlementPayload.decode(payload)
                let total = s.transfers.reduce(Int64(0)) { $0 &+ $1.amount }
                return "round \(s.round), \(s.transfers.count) transfers, \(total) µ-units"
            case .penaltyUpdate:
                let p = try PenaltyUpdatePayload.decode(payload)
                let who = p.consumers.map { "\($0.exchange)/\($0.consumer)" } + p.exchanges.map(\.exchange)
                return "round \(p.round), new lists for " + (who.isEmpty ? "nobody" : who.joined(separator: ", "))
            case .modelUpdate:
                let m = try ModelUpdatePayload.decode(payload)
                return "round \(m.round), model \(m.model), weights \(Self.short(m.weightsDigest))"
            case .campusSurplus:
                let c = try CampusSurplusPayload.decode(payload)
                return "campus \(c.campus), round \(c.round), \(c.requests.count) unfulfilled requests, \(c.offers.count) unused EVs"
            case .meterReport:
                let m = try MeterReportPayload.decode(payload)
                let wh = m.measurements.reduce(Int64(0)) { $0 &+ $1.deliveredWh }
                return "\(m.ev), round \(m.round), \(m.measurements.count) measurements of \(Self.short(m.allocation)), \(wh) Wh delivered"
            }
        } catch {
            return "undecodable payload (\(error.message))"
        }
    }

    private static func short(_ digest: Digest) -> String { String(digest.description.prefix(12)) + "…" }
}
