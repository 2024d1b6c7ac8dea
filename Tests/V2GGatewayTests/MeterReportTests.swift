import Foundation
import Testing
import V2GGateway
import V2GKit
import V2GLedger
import V2GNode

/// Chargers that measure after the delivery: every setpoint of `measured` vehicles is reported delivered in
/// full (registers 1000 → 1000 + energy, plus 500 Wh more than allocated for v1, which the metering must clamp);
/// other vehicles' chargers never report.
final class ReportingChargers: SetpointSink, DeliveryMeter, @unchecked Sendable {
    let measured: Set<String>
    private let lock = NSLock()
    private var setpoints: [Setpoint] = []
    private var filedReports: Set<String> = []

    init(measured: Set<String>) { self.measured = measured }

    func apply(_ s: [Setpoint], round: UInt64) { lock.withLock { setpoints += s } }

    func reports() -> [String: [MeterReportPayload]] {
        lock.withLock {
            var out: [String: [Digest: MeterReportPayload]] = [:]
            for s in setpoints where measured.contains(s.ev) && !filedReports.contains("\(s.ev) \(s.allocation)") {
                let extra: Int64 = s.ev == "v1" ? 500 : 0
                let m = MeterReportPayload.Measurement(allocationIndex: s.index, station: "ST-\(s.ev)", evse: 1, transactionID: "T\(s.round)",
                                                       start: 100, end: 160, startWh: 1000, endWh: 1000 + s.energyWh + extra, status: .measured)
                out[s.ev, default: [:]][s.allocation, default: MeterReportPayload(ev: s.ev, round: 0, allocation: s.allocation,
                                                                                  measurements: [])].measurements.append(m)
            }
            return out.mapValues { Array($0.values) }
        }
    }

    func filed(ev: String, allocation: Digest) { lock.withLock { _ = filedReports.insert("\(ev) \(allocation)") } }
    var all: [Setpoint] { lock.withLock { setpoints } }
}

@Suite("Metering from meter reports", .serialized)
struct MeterReportTests {
    /// v1's charger reports every delivery; v2's never does. Each round is metered once v1's report is sealed
    /// and, past `meteringRounds`, with v2's allocations as not carried out: settlement pays v1 only, and no
    /// consumer or exchange is penalised for a charger that never reported (the market goes on trading).
    @Test func roundsAreMeteredFromTheReportsTheGatewayFiles() throws {
        let cs = try SigningKey(), endorserKey = try SigningKey(), exchangeKey = try SigningKey()
        let vehicles = try (1...3).map { Vehicle(name: "v\($0)", key: try SigningKey()) }
        let gatewayKey = try SigningKey()
        let roster = CampusRoster(orderer: cs.publicKey, endorsers: [endorserKey.publicKey], endorsementsRequired: 1,
                                  exchanges: ["x1": exchangeKey.publicKey],
                                  evs: Dictionary(uniqueKeysWithValues: vehicles.map { ($0.name, $0.key.publicKey) }))
        let members = roster.members + [gatewayKey.publicKey]
        let csNode = try startNode(cs, members: members)
        let endorser = try startNode(endorserKey, members: members)
        try endorser.enableEndorsing(with: endorserKey)
        let exchangeNode = try startNode(exchangeKey, members: members), gatewayNode = try startNode(gatewayKey, members: members)
        #expect(mesh([csNode, endorser, exchangeNode, gatewayNode]))

        let chargers = ReportingChargers(measured: ["v1"]), lines = Lines()
        let control = ControlSystem(key: cs, node: csNode, roster: roster, chargerCapacityWh: 30_000)
        control.meteringRounds = 2
        let schedule = RoundSettings(count: 6, interval: .milliseconds(1200), collect: .milliseconds(900),
                                     startAfter: .milliseconds(300), metering: .reports, meteringRounds: 2)
        let services: [any RoleService] = [
            ControlSystemService(cs: control, campus: "T", schedule: schedule, seat: nil, meter: ReportedMeters(node: csNode),
                                 log: nil) { lines.add($0) },
            ExchangeService(name: "x1", key: exchangeKey, node: exchangeNode, source: FixedConsumers(exchange: "x1")),
            EVGatewayService(vehicles: vehicles, node: gatewayNode, source: FixedVehicles(), sink: chargers, deliveries: chargers),
        ]
        services.forEach { $0.start() }
        defer { services.forEach { $0.stop() } }
        #expect(eventually(.seconds(30)) { lines.all.count == 6 })
        for line in lines.all { #expect(line.error == nil, "\(line.error ?? "")") }
        // No round is metered in its own block: no report can exist before the allocation.
        #expect(lines.all.allSatisfy { !$0.metered.contains($0.round) })

        // Rounds 1...3 are metered by round 6 (round r at the latest in r + meteringRounds + 1).
        let setpoints = chargers.all
        var paidToV1: Int64 = 0
        for round in UInt64(1)...3 {
            let (result, inputs, id) = try #require(csNode.withLedger { $0.allocation(round: round, on: .boe) })
            let (metering, _) = try #require(csNode.withLedger { $0.metering(of: id) }, "round \(round) is not metered")
            #expect(metering.round > round)
            let reports = csNode.withLedger { $0.meterReports(of: id) }
            #expect(reports.map(\.ev) == ["v1"])
            for (i, a) in result.allocations.enumerated() {
                let ev = inputs.offers[Int(a.offer)].ev
                let reading = try #require(metering.readings.first { $0.allocationIndex == UInt32(i) })
                // v1's register rose 500 Wh more than allocated: clamped. v2's never reported: not carried out.
                #expect(reading.deliveredWh == (ev == "v1" ? a.energyWh : MeteringPayload.Reading.notCarriedOut),
                        "round \(round) allocation \(i) (\(ev))")
                if ev == "v1" { paidToV1 += a.energyWh }
                #expect(setpoints.contains { $0.allocation == id && $0.index == UInt32(i) && $0.ev == ev })
            }
        }
        #expect(paidToV1 > 0)
        let balances = csNode.withLedger { $0.balances }
        #expect((balances[Settlement.evAccount("v1")] ?? 0) > 0)
        #expect(balances[Settlement.evAccount("v2")] ?? 0 == 0)
        #expect(balances.values.reduce(0, +) == 0)
        let penalties = csNode.withLedger { $0.penalties }
        #expect(penalties.consumers.isEmpty && penalties.exchanges.isEmpty, "\(penalties)")
        #expect(lines.all.allSatisfy { $0.market.allocations > 0 })
    }
}
