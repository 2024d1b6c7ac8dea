import Foundation
import Testing
import V2GGateway
import V2GKit
import V2GLedger
@testable import V2GOCPP

/// Stations as the bridge reaches them: who is connected, and how each answers SetChargingProfile.
final class FakeLine: StationLine, @unchecked Sendable {
    private let lock = NSLock()
    private var calls: [(station: String, action: String, payload: JSONValue)] = []
    let stations: [StationIdentity]
    let answer: @Sendable (String, String) -> Result<JSONValue, CallFailure>

    init(_ stations: [StationIdentity], answer: @escaping @Sendable (String, String) -> Result<JSONValue, CallFailure>) {
        self.stations = stations
        self.answer = answer
    }

    func connectedStations() async -> [StationIdentity] { stations }
    func call(_ station: String, _ action: String, _ payload: JSONValue, timeout: Duration) async -> Result<JSONValue, CallFailure> {
        lock.withLock { calls.append((station, action, payload)) }
        return answer(station, action)
    }
    func sent(_ action: String) -> [(station: String, payload: JSONValue)] {
        lock.withLock { calls.filter { $0.action == action }.map { ($0.station, $0.payload) } }
    }
}

/// A clock the test moves.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var t: Int64
    init(_ t: Int64) { self.t = t }
    var now: Int64 { lock.withLock { t } }
    func set(_ v: Int64) { lock.withLock { t = v } }
}

@Suite("The OCPP charger bridge")
struct OCPPChargersTests {
    static let t0: Int64 = 1_800_000_000

    /// A station's messages, through the site's handler as the server would pass them.
    static func feed(_ site: SiteStations, _ station: StationIdentity, _ action: String, _ json: String) async {
        let payload = JSONValue(parsing: json)!
        _ = await site.handle(action, payload, from: station)
    }

    static func meterValue(_ at: Int64, _ wh: Double) -> String {
        #"{"timestamp":"\#(RFC3339.string(at))","sampledValue":[{"value":\#(wh),"measurand":"Energy.Active.Export.Register"}]}"#
    }

    @Test func chargingNeedsBecomeOffersAllocationsBecomeProfilesAndRegistersBecomeReports() async throws {
        let a = StationIdentity(id: "A", version: .v21), b = StationIdentity(id: "B", version: .v21)
        let old = StationIdentity(id: "C", version: .v201), silent = StationIdentity(id: "E", version: .v21)
        let site = SiteStations()
        for (s, tx) in [(a, "TA"), (b, "TB"), (old, "TC"), (silent, "TE")] {
            await Self.feed(site, s, "TransactionEvent", #"{"eventType":"Started","timestamp":"\#(RFC3339.string(Self.t0))","triggerReason":"Authorized","seqNo":0,"transactionInfo":{"transactionId":"\#(tx)"},"evse":{"id":1,"connectorId":1}}"#)
        }
        let needs = #"{"evseId":1,"chargingNeeds":{"requestedEnergyTransfer":"AC_BPT","departureTime":"\#(RFC3339.string(Self.t0 + 30))","v2xChargingParameters":{"evMinV2XEnergyRequest":-5000,"evMaxV2XEnergyRequest":8000,"maxDischargePower":7200}}}"#
        await Self.feed(site, a, "NotifyEVChargingNeeds", needs)
        await Self.feed(site, b, "NotifyEVChargingNeeds", needs)
        await Self.feed(site, silent, "NotifyEVChargingNeeds", needs)
        await Self.feed(site, old, "NotifyEVChargingNeeds", #"{"evseId":1,"chargingNeeds":{"requestedEnergyTransfer":"AC_three_phase","acChargingParameters":{"energyAmount":9000,"evMinCurrent":6,"evMaxCurrent":16,"evMaxVoltage":400}}}"#)
        // B rejects every profile; E never answers one.
        let line = FakeLine([a, b, old, silent]) { station, action in
            action == "SetChargingProfile" && station == "E" ? .failure(.timeout)
                : action == "SetChargingProfile" && station == "B" ? .success(.object(["status": .string("Rejected")]))
                : action == "SetVariables" ? .success(.object(["setVariableResult": .array([])]))
                : .success(.object(["status": .string("Accepted")]))
        }
        let clock = TestClock(Self.t0)
        var settings = OCPPChargers.Settings()
        settings.deliverySeconds = 60
        settings.graceSeconds = 5
        let chargers = OCPPChargers(site: site, line: line, placements: [
            "va": ChargerPlacement(station: "A", evse: 1), "vb": ChargerPlacement(station: "B", evse: 1),
            "vc": ChargerPlacement(station: "C", evse: 1), "vd": ChargerPlacement(station: "D", evse: 1),
            "ve": ChargerPlacement(station: "E", evse: 1),
        ], settings: settings, clock: { clock.now })

        // Offers: 7.2 kW until departure, 30 s away (before the 60 s delivery ends): 60 Wh. The 2.0.1 station's
        // vehicle gives nothing and has room for 9 kWh; a vehicle at an unknown station offers nothing.
        let offers = try await onThread { try chargers.offers(round: 1, vehicles: ["va", "vb", "vc", "vd"]) }
        #expect(offers["va"] == VehicleOffer(energyWh: 60, capacityWh: 8000, window: Self.t0..<(Self.t0 + 30)))
        #expect(offers["vc"] == VehicleOffer(energyWh: 0, capacityWh: 9000, window: Self.t0..<(Self.t0 + 60)))
        #expect(offers["vd"] == nil)

        let id = Digest.of(Array("allocation".utf8))
        await onThread { chargers.apply([
            Setpoint(round: 1, ev: "va", exchange: "x", consumer: "c1", energyWh: 50, interval: (Self.t0 + 10)..<(Self.t0 + 40),
                     allocation: id, index: 0),
            Setpoint(round: 1, ev: "vb", exchange: "x", consumer: "c2", energyWh: 20, interval: nil, allocation: id, index: 1),
            Setpoint(round: 1, ev: "vc", exchange: "x", consumer: "c3", energyWh: 20, interval: nil, allocation: id, index: 2),
            Setpoint(round: 1, ev: "ve", exchange: "x", consumer: "c4", energyWh: 20, interval: nil, allocation: id, index: 3),
            Setpoint(round: 1, ev: "vd", exchange: "x", consumer: "c5", energyWh: 20, interval: nil, allocation: id, index: 4),
            Setpoint(round: 1, ev: "va", exchange: "x", consumer: "c6", energyWh: 10, interval: (Self.t0 + 10)..<(Self.t0 + 40),
                     allocation: id, index: 5),
        ], round: 1) }
        try await waitUntil { chargers.counters.setpointsAccepted == 1 && chargers.counters.setpointsRefused == 3 }
        #expect(chargers.counters.absent == 1)   // vd's station is unknown
        // va's two allocations are one profile: 60 Wh in 30 s, a setpoint of -7200 W from t0 + 10 for 30 s.
        #expect(line.sent("SetChargingProfile").filter { $0.station == "A" }.count == 1)
        let profile = try #require(line.sent("SetChargingProfile").first { $0.station == "A" }?.payload)
        let schedule = profile["chargingProfile"]?["chargingSchedule"]?.array?.first
        #expect(schedule?["chargingSchedulePeriod"]?.array?.first?["setpoint"]?.number == -7200)
        #expect(schedule?["startSchedule"]?.string == RFC3339.string(Self.t0 + 10))
        #expect(schedule?["duration"]?.number == 30)
        #expect(profile["chargingProfile"]?["transactionId"]?.string == "TA")
        // The 2.0.1 station was not asked to discharge.
        #expect(!line.sent("SetChargingProfile").contains { $0.station == "C" })

        // Registers: A rose 49 Wh over the interval; nothing is reported before the grace ends.
        for (t, wh) in [(Self.t0 + 9, 1000.0), (Self.t0 + 25, 1024.5), (Self.t0 + 41, 1049.2)] {
            await Self.feed(site, a, "TransactionEvent", #"{"eventType":"Updated","timestamp":"\#(RFC3339.string(t))","triggerReason":"MeterValuePeriodic","seqNo":1,"transactionInfo":{"transactionId":"TA"},"meterValue":[\#(Self.meterValue(t, wh))]}"#)
        }
        clock.set(Self.t0 + 44)
        #expect(await onThread { chargers.reports() }.isEmpty)
        clock.set(Self.t0 + 70)   // past every interval and its grace
        let reports = await onThread { chargers.reports() }
        // The register rose 49 Wh: the first allocation's slice is all of it, the second's nothing (no Wh counts twice).
        let va = try #require(reports["va"]?.first?.measurements)
        #expect(va.map(\.allocationIndex) == [0, 5])
        #expect(va[0].status == .measured && va[0].startWh == 1000 && va[0].endWh == 1049 && va[0].deliveredWh == 49 && va[0].transactionID == "TA")
        #expect(va[1].status == .measured && va[1].startWh == 1049 && va[1].endWh == 1049 && va[1].deliveredWh == 0)
        // While its interval runs a vehicle offers nothing more; after it, it offers again.
        clock.set(Self.t0 + 20)
        #expect(try await onThread { try chargers.offers(round: 2, vehicles: ["va"]) }.isEmpty)
        clock.set(Self.t0 + 70)
        #expect(try await onThread { try chargers.offers(round: 3, vehicles: ["va"]) }["va"] != nil)
        #expect(reports["vb"]?.first?.measurements.first?.status == .setpointRefused)
        #expect(reports["vc"]?.first?.measurements.first?.status == .setpointRefused)
        #expect(reports["ve"]?.first?.measurements.first?.status == .setpointRefused)   // no answer
        #expect(reports["vd"]?.first?.measurements.first?.status == .absent)
        // Filed reports are forgotten.
        chargers.filed(ev: "va", allocation: id)
        #expect(await onThread { chargers.reports() }["va"] == nil)
    }

    @Test func aRegisterThatGoesBackwardsMeasuresNothing() async throws {
        let a = StationIdentity(id: "A", version: .v21), site = SiteStations()
        await Self.feed(site, a, "TransactionEvent", #"{"eventType":"Started","timestamp":"\#(RFC3339.string(Self.t0))","triggerReason":"Authorized","seqNo":0,"transactionInfo":{"transactionId":"TA"},"evse":{"id":2,"connectorId":1}}"#)
        await Self.feed(site, a, "NotifyEVChargingNeeds", #"{"evseId":2,"chargingNeeds":{"requestedEnergyTransfer":"AC_BPT","v2xChargingParameters":{"evMinV2XEnergyRequest":-5000,"maxDischargePower":7200}}}"#)
        let line = FakeLine([a]) { _, _ in .success(.object(["status": .string("Accepted")])) }
        let clock = TestClock(Self.t0)
        let chargers = OCPPChargers(site: site, line: line, placements: ["va": ChargerPlacement(station: "A", evse: 2)], clock: { clock.now })
        let id = Digest.of([1])
        await onThread { chargers.apply([Setpoint(round: 1, ev: "va", exchange: "x", consumer: "c", energyWh: 50,
                                                  interval: (Self.t0 + 10)..<(Self.t0 + 40), allocation: id, index: 0)], round: 1) }
        try await waitUntil { chargers.counters.setpointsAccepted == 1 }
        for (t, wh) in [(Self.t0 + 9, 1000.0), (Self.t0 + 25, 990.0), (Self.t0 + 41, 1049.0)] {
            await Self.feed(site, a, "MeterValues", #"{"evseId":2,"meterValue":[\#(Self.meterValue(t, wh))]}"#)
        }
        clock.set(Self.t0 + 100)
        let m = try #require(await onThread { chargers.reports() }["va"]?.first?.measurements.first)
        #expect(m.status == .wentBackwards && m.deliveredWh == 0)
    }
}

/// Runs `body` on a thread of its own, as the EV gateway's role thread calls the bridge: it blocks on the
/// stations' actor, which a thread of the concurrency pool must not.
func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { c in Thread { c.resume(with: Result { try body() }) }.start() }
}

func onThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { c in Thread { c.resume(returning: body()) }.start() }
}

/// Polls `condition` for up to 5 s.
func waitUntil(_ condition: () -> Bool) async throws {
    let deadline = ContinuousClock.now + .seconds(5)
    while !condition() {
        guard ContinuousClock.now < deadline else { Issue.record("timed out"); return }
        try await Task.sleep(for: .milliseconds(10))
    }
}
