import Foundation
import Logging
import V2GKit
import V2GLedger
import V2GOCPP

/// Where a vehicle plugs in: a charging station's identity and the EVSE's ID on it (`[ev] vehicles`).
public struct ChargerPlacement: Hashable, Sendable {
    public var station: String
    public var evse: Int

    public init(station: String, evse: Int) {
        self.station = station
        self.evse = evse
    }
}

/// An EV gateway's vehicles at OCPP charging stations (docs/ocpp.md): offers from the stations' charging-needs
/// reports, allocations sent as charging profiles, and meter reports from their energy registers.
///
/// The role thread calls it; every exchange with a station runs as a task, so a station that answers slowly or
/// never holds up neither the round nor the other stations.
public final class OCPPChargers: VehicleSource, SetpointSink, DeliveryMeter, @unchecked Sendable {  // state under `lock`
    public struct Settings: Sendable {
        /// How long a RET allocation's delivery runs, from when its setpoint is sent (an SRET allocation
        /// carries its own interval).
        public var deliverySeconds: Int64 = 60
        /// How long after an interval's end meter values may still arrive before it is measured.
        public var graceSeconds: Int64 = 15
        /// The meter-value sample interval the gateway sets on each station (`SampledDataCtrlr.TxUpdatedInterval`).
        public var sampleIntervalSeconds: Int = 5
        /// The most an EVSE can move: a register that rises faster jumped.
        public var maxEVSEPowerW: Int64 = 350_000
        /// How long a station has to answer a CALL.
        public var callTimeout: Duration = .seconds(10)

        public init() {}
    }

    /// What the gateway counted of its setpoints.
    public struct Counters: Hashable, Sendable {
        public var offers = 0
        public var setpointsSent = 0
        public var setpointsAccepted = 0
        /// Rejected by the station, answered with a CALLERROR, not answered, or the station gone.
        public var setpointsRefused = 0
        /// Allocations whose vehicle was not at its EVSE (no transaction) when they came.
        public var absent = 0
        public var cleared = 0
        public var reportsFiled = 0
        public var measuredWh: Int64 = 0
    }

    let site: SiteStations
    let line: any StationLine
    let placements: [String: ChargerPlacement]
    let settings: Settings
    let logger: Logger
    let clock: @Sendable () -> Int64
    private let lock = NSLock()
    private var deliveries: [Delivery] = []
    /// The boot count at which each station's sample interval was set.
    private var configured: [String: Int] = [:]
    private var nextProfile = 1
    private var counted = Counters()

    /// One allocation on its way through a station.
    private struct Delivery {
        var setpoint: Setpoint
        var placement: ChargerPlacement
        var transaction: String
        var interval: Range<Int64>
        var profile: Int
        /// nil while the station has not answered.
        var status: MeterReportPayload.Status?
        var measurement: MeterReportPayload.Measurement?
    }

    /// - Parameters:
    ///   - placements: each vehicle's EVSE; a vehicle without one offers nothing.
    ///   - clock: Unix seconds now.
    public init(site: SiteStations, line: any StationLine, placements: [String: ChargerPlacement], settings: Settings = Settings(),
                logger: Logger = Logger(label: "v2g.ocpp"), clock: @escaping @Sendable () -> Int64 = { Int64(time(nil)) }) {
        self.site = site
        self.line = line
        self.placements = placements
        self.settings = settings
        self.logger = logger
        self.clock = clock
    }

    public var counters: Counters { lock.withLock { counted } }

    // MARK: Offers

    /// Each placed vehicle with a transaction and charging needs at its EVSE offers what it can give over the next
    /// delivery (docs/ocpp.md, "From charging needs to an offer"); a 2.0.1 station's vehicle offers room only.
    public func offers(round: UInt64, vehicles: [String]) throws -> [String: VehicleOffer] {
        let (stations, connected) = Self.blocking { [site, line] in
            (await site.all, Set(await line.connectedStations().map(\.id)))
        }
        configure(stations.filter { connected.contains($0.identity.id) })
        let now = clock()
        var out: [String: VehicleOffer] = [:]
        for name in vehicles {
            guard let p = placements[name], connected.contains(p.station),
                  let station = stations.first(where: { $0.identity.id == p.station }),
                  station.transaction(evse: p.evse) != nil, let needsPayload = station.chargingNeeds[p.evse] else { continue }
            let needs = VehicleNeeds(notifyEVChargingNeeds: needsPayload)
            let end = min(now + settings.deliverySeconds, max(now + 1, needs.departure ?? Int64.max))
            let discharges = station.identity.version == .v21
            out[name] = VehicleOffer(energyWh: discharges ? needs.offerWh(from: now, to: end) : 0,
                                     capacityWh: needs.chargeableWh, window: now..<end)
        }
        lock.withLock { counted.offers += out.count }
        return out
    }

    /// Sets the meter-value sample interval on each station seen for the first time, or booted again since.
    private func configure(_ stations: [SiteStations.Station]) {
        let new: [String] = lock.withLock {
            let n = stations.filter { configured[$0.identity.id] != $0.boots }
            for s in n { configured[s.identity.id] = s.boots }
            return n.map(\.identity.id)
        }
        for station in new {
            let payload = JSONValue.object(["setVariableData": .array([.object([
                "attributeValue": .string("\(settings.sampleIntervalSeconds)"),
                "component": .object(["name": .string("SampledDataCtrlr")]),
                "variable": .object(["name": .string("TxUpdatedInterval")]),
            ])])])
            Task { [line, logger, timeout = settings.callTimeout] in
                let status = await line.call(station, "SetVariables", payload, timeout: timeout)
                    .map { $0["setVariableResult"]?.array?.first?["attributeStatus"]?.string ?? "?" }
                logger.info("OCPP: \(station): sample interval set: \(status)")
            }
        }
    }

    // MARK: Setpoints

    /// Sends each setpoint as a TxProfile for its interval, and clears it when the interval ends.
    public func apply(_ setpoints: [Setpoint], round: UInt64) {
        guard !setpoints.isEmpty else { return }
        let stations = Self.blocking { [site] in await site.all }
        let now = clock()
        for s in setpoints {
            guard let p = placements[s.ev] else { continue }
            let station = stations.first { $0.identity.id == p.station }
            let interval = s.interval ?? now..<(now + settings.deliverySeconds)
            let profile: Int = lock.withLock {
                defer { nextProfile = nextProfile == Int(Int32.max) ? 1 : nextProfile + 1 }
                return nextProfile
            }
            var d = Delivery(setpoint: s, placement: p, transaction: station?.transaction(evse: p.evse) ?? "", interval: interval,
                             profile: profile)
            guard let station, !d.transaction.isEmpty else {
                d.status = .absent
                lock.withLock {
                    deliveries.append(d)
                    counted.absent += 1
                }
                logger.warning("OCPP: round \(round): \(s.ev) is not at \(p.station)/\(p.evse); \(s.energyWh) Wh not delivered")
                continue
            }
            let needs = station.chargingNeeds[p.evse].map(VehicleNeeds.init(notifyEVChargingNeeds:))
            let seconds = interval.upperBound - interval.lowerBound
            let request: JSONValue
            if s.kind == .surplus {
                // Absorbing surplus: a charge limit, which 2.0.1 stations take as well.
                let watts = ChargingProfiles.power(energyWh: s.energyWh, seconds: seconds, maxW: settings.maxEVSEPowerW)
                request = ChargingProfiles.chargeLimit(evse: p.evse, transaction: d.transaction, profile: profile, watts: watts,
                                                       start: interval.lowerBound, seconds: seconds)
            } else if station.identity.version == .v21, let maxW = needs?.maxDischargeW, maxW > 0 {
                let watts = ChargingProfiles.power(energyWh: s.energyWh, seconds: seconds, maxW: maxW)
                request = ChargingProfiles.discharge(evse: p.evse, transaction: d.transaction, profile: profile, watts: watts,
                                                     start: interval.lowerBound, seconds: seconds)
            } else {
                d.status = .setpointRefused
                lock.withLock {
                    deliveries.append(d)
                    counted.setpointsRefused += 1
                }
                logger.warning("OCPP: round \(round): \(p.station) cannot discharge \(s.ev) (OCPP \(station.identity.version.rawValue), or no discharge power)")
                continue
            }
            lock.withLock {
                deliveries.append(d)
                counted.setpointsSent += 1
            }
            Task { [self] in await send(request, to: p.station, profile: profile, round: round, ev: s.ev, clearAt: interval.upperBound) }
        }
    }

    private func send(_ request: JSONValue, to station: String, profile: Int, round: UInt64, ev: String, clearAt: Int64) async {
        let answer = await line.call(station, "SetChargingProfile", request, timeout: settings.callTimeout)
        let accepted: Bool
        switch answer {
        case .success(let result):
            accepted = result["status"]?.string == "Accepted"
            if !accepted {
                logger.warning("OCPP: round \(round): \(station) rejected the profile of \(ev): \(result["status"]?.string ?? "?")")
            }
        case .failure(let failure):
            accepted = false
            logger.warning("OCPP: round \(round): \(station): SetChargingProfile for \(ev) failed: \(failure)")
        }
        lock.withLock {
            if let i = deliveries.firstIndex(where: { $0.profile == profile && $0.status == nil }) {
                deliveries[i].status = accepted ? .measured : .setpointRefused
            }
            if accepted { counted.setpointsAccepted += 1 } else { counted.setpointsRefused += 1 }
        }
        guard accepted else { return }
        // The profile ends with its duration; it is cleared at the interval's end so that nothing of it outlives
        // the allocation (a station that lost its clock, a duration rounded up).
        let wait = clearAt - clock()
        if wait > 0 { try? await Task.sleep(for: .seconds(wait)) }
        let cleared = await line.call(station, "ClearChargingProfile", .object(["chargingProfileId": .number(Double(profile))]),
                                      timeout: settings.callTimeout)
        if case .success = cleared { lock.withLock { counted.cleared += 1 } }
    }

    // MARK: Metering

    /// The meter reports of deliveries whose interval ended at least `graceSeconds` ago and whose setpoint was
    /// answered: the EVSE's export register at the interval's bounds, or why it says nothing.
    public func reports() -> [String: [MeterReportPayload]] {
        let now = clock()
        let due: [Int] = lock.withLock {
            deliveries.indices.filter { i in
                deliveries[i].measurement == nil && deliveries[i].status != nil
                    && deliveries[i].interval.upperBound.addingReportingOverflow(settings.graceSeconds).partialValue <= now
            }
        }
        if !due.isEmpty {
            let stations = Self.blocking { [site] in await site.all }
            lock.withLock {
                for i in due {
                    let d = deliveries[i]
                    var m = MeterReportPayload.Measurement(
                        allocationIndex: d.setpoint.index, station: d.placement.station, evse: UInt32(clamping: d.placement.evse),
                        transactionID: d.transaction, start: d.interval.lowerBound, end: d.interval.upperBound, startWh: 0, endWh: 0,
                        status: d.status ?? .setpointRefused)
                    if m.status == .measured {
                        let values = stations.first { $0.identity.id == d.placement.station }?.meterValues(evse: d.placement.evse) ?? []
                        let measurand: EnergyRegister.Measurand = d.setpoint.kind == .surplus ? .import : .export
                        switch EnergyRegister(values, measurand: measurand).span(from: m.start, to: m.end, maxW: settings.maxEVSEPowerW) {
                        case .success(let span):
                            (m.startWh, m.endWh) = span
                            counted.measuredWh &+= m.deliveredWh
                        case .failure(.notCovered): m.status = .notCovered
                        case .failure(.wentBackwards): m.status = .wentBackwards
                        case .failure(.jumped): m.status = .jumped
                        }
                        if m.status != .measured {
                            logger.warning("OCPP: \(d.placement.station)/\(d.placement.evse): the register of \(d.setpoint.ev) says nothing for \(m.start)..<\(m.end): \(m.status)")
                        }
                    }
                    deliveries[i].measurement = m
                }
            }
        }
        return lock.withLock {
            // A report names every allocation of its EV in the result at once: only when each is measured.
            var out: [String: [Digest: MeterReportPayload]] = [:], incomplete: Set<[UInt8]> = []
            for d in deliveries {
                guard let m = d.measurement else {
                    incomplete.insert(Array(d.setpoint.ev.utf8) + [0] + d.setpoint.allocation.bytes)
                    continue
                }
                out[d.setpoint.ev, default: [:]][d.setpoint.allocation, default: MeterReportPayload(
                    ev: d.setpoint.ev, round: d.setpoint.round, allocation: d.setpoint.allocation, measurements: [])].measurements.append(m)
            }
            return out.compactMapValues { byAllocation in
                let ready = byAllocation.values.filter { !incomplete.contains(Array($0.ev.utf8) + [0] + $0.allocation.bytes) }
                return ready.isEmpty ? nil : ready.sorted { $0.allocation < $1.allocation }
            }
        }
    }

    /// Forgets the measured deliveries of `allocation` for `ev`, and any delivery a day past its end.
    public func filed(ev: String, allocation: Digest) {
        let now = clock()
        lock.withLock {
            let before = deliveries.count
            deliveries.removeAll { d in
                (d.setpoint.ev == ev && d.setpoint.allocation == allocation && d.measurement != nil) || d.interval.upperBound < now - 86_400
            }
            counted.reportsFiled += before - deliveries.count
        }
    }

    /// Runs `body` on the concurrency pool and waits for it: the role thread is a plain thread.
    static func blocking<T: Sendable>(_ body: @escaping @Sendable () async -> T) -> T {
        let box = ResultBox<T>(), done = DispatchSemaphore(value: 0)
        Task {
            box.value = await body()
            done.signal()
        }
        done.wait()
        return box.value!
    }
}

private final class ResultBox<T>: @unchecked Sendable {  // written once before the semaphore is signalled
    var value: T?
}
