import FoundationEssentials
import Logging
import V2GKit
import V2GLedger
import V2GOCPP
import Dispatch
import Glibc

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
    private let lock = Lock()
    private var deliveries: [Delivery] = []
    /// The boot count at which each station's sample interval was set.
    private var configured: [String: Int] = [:]
    private var nextProfile = 1
    private var counted = Counters()

    /// A vehicle's allocations of one result over one interval, on their way through its station as one profile
    /// (a vehicle split between consumers discharges once, at their summed power).
    private struct Delivery {
        /// In allocation order; all of one vehicle, one allocation result, one interval.
        var setpoints: [Setpoint]
        var placement: ChargerPlacement
        var transaction: String
        var interval: Range<Int64>
        var profile: Int
        /// nil while the station has not answered.
        var status: MeterReportPayload.Status?
        /// One per setpoint, once read.
        var measurements: [MeterReportPayload.Measurement]?
        var ev: String { setpoints[0].ev }
        var allocation: Digest { setpoints[0].allocation }
        var energyWh: Int64 { setpoints.reduce(0) { $0 &+ $1.energyWh } }
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
        // A vehicle still carrying out an allocation offers nothing more until its interval ends: an offer is
        // what it can give over the next delivery, and that energy is promised already.
        let busy: Set<String> = lock.withLock { Set(deliveries.filter { $0.interval.upperBound > now && $0.status != .setpointRefused }.map(\.ev)) }
        var out: [String: VehicleOffer] = [:]
        for name in vehicles where !busy.contains(name) {
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

    /// Sends each vehicle's setpoints of a result as one TxProfile for their interval (energies summed), and
    /// clears it when the interval ends.
    public func apply(_ setpoints: [Setpoint], round: UInt64) {
        guard !setpoints.isEmpty else { return }
        let stations = Self.blocking { [site] in await site.all }
        let now = clock()
        var groups: [Delivery] = []
        for s in setpoints {
            guard let p = placements[s.ev] else { continue }
            let interval = s.interval ?? now..<(now + settings.deliverySeconds)
            if let i = groups.firstIndex(where: { $0.ev == s.ev && $0.allocation == s.allocation && $0.interval == interval }) {
                groups[i].setpoints.append(s)
            } else {
                let transaction = stations.first { $0.identity.id == p.station }?.transaction(evse: p.evse) ?? ""
                groups.append(Delivery(setpoints: [s], placement: p, transaction: transaction, interval: interval, profile: 0))
            }
        }
        for var d in groups {
            d.profile = lock.withLock {
                defer { nextProfile = nextProfile == Int(Int32.max) ? 1 : nextProfile + 1 }
                return nextProfile
            }
            let p = d.placement, energy = d.energyWh, kind = d.setpoints[0].kind
            guard let station = stations.first(where: { $0.identity.id == p.station }), !d.transaction.isEmpty else {
                d.status = .absent
                lock.withLock {
                    deliveries.append(d)
                    counted.absent += 1
                }
                logger.warning("OCPP: round \(round): \(d.ev) is not at \(p.station)/\(p.evse); \(energy) Wh not delivered")
                continue
            }
            let needs = station.chargingNeeds[p.evse].map(VehicleNeeds.init(notifyEVChargingNeeds:))
            let seconds = d.interval.upperBound - d.interval.lowerBound
            let request: JSONValue
            if kind == .surplus {
                // Absorbing surplus: a charge limit, which 2.0.1 stations take as well.
                let watts = ChargingProfiles.power(energyWh: energy, seconds: seconds, maxW: settings.maxEVSEPowerW)
                request = ChargingProfiles.chargeLimit(evse: p.evse, transaction: d.transaction, profile: d.profile, watts: watts,
                                                       start: d.interval.lowerBound, seconds: seconds)
            } else if station.identity.version == .v21, let maxW = needs?.maxDischargeW, maxW > 0 {
                let watts = ChargingProfiles.power(energyWh: energy, seconds: seconds, maxW: maxW)
                request = ChargingProfiles.discharge(evse: p.evse, transaction: d.transaction, profile: d.profile, watts: watts,
                                                     start: d.interval.lowerBound, seconds: seconds)
            } else {
                d.status = .setpointRefused
                lock.withLock {
                    deliveries.append(d)
                    counted.setpointsRefused += 1
                }
                logger.warning("OCPP: round \(round): \(p.station) cannot discharge \(d.ev) (OCPP \(station.identity.version.rawValue), or no discharge power)")
                continue
            }
            lock.withLock {
                deliveries.append(d)
                counted.setpointsSent += 1
            }
            let profile = d.profile, ev = d.ev, clearAt = d.interval.upperBound
            Task { [self] in await send(request, to: p.station, profile: profile, round: round, ev: ev, clearAt: clearAt) }
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
    /// answered: the EVSE's register at the interval's bounds, shared out over the vehicle's allocations in
    /// allocation order (each a slice of the rise, up to its energy, so no energy counts twice), or why it says
    /// nothing. A report names every allocation of its vehicle in the result, so it waits for all of them.
    public func reports() -> [String: [MeterReportPayload]] {
        let now = clock()
        let due: Bool = lock.withLock {
            deliveries.contains { d in
                d.measurements == nil && d.status != nil
                    && d.interval.upperBound.addingReportingOverflow(settings.graceSeconds).partialValue <= now
            }
        }
        let stations = due ? Self.blocking { [site] in await site.all } : []
        return lock.withLock {
            for i in deliveries.indices where deliveries[i].measurements == nil && deliveries[i].status != nil
                && deliveries[i].interval.upperBound.addingReportingOverflow(settings.graceSeconds).partialValue <= now {
                deliveries[i].measurements = measure(deliveries[i], stations: stations)
            }
            var out: [String: [Digest: MeterReportPayload]] = [:], incomplete: Set<[UInt8]> = []
            for d in deliveries {
                let key = Array(d.ev.utf8) + [0] + d.allocation.bytes
                guard let ms = d.measurements else {
                    incomplete.insert(key)
                    continue
                }
                out[d.ev, default: [:]][d.allocation, default: MeterReportPayload(
                    ev: d.ev, round: d.setpoints[0].round, allocation: d.allocation, measurements: [])].measurements += ms
            }
            return out.compactMapValues { byAllocation in
                let ready = byAllocation.values.filter { !incomplete.contains(Array($0.ev.utf8) + [0] + $0.allocation.bytes) }
                return ready.isEmpty ? nil : ready.sorted { $0.allocation < $1.allocation }
            }
        }
    }

    /// The measurements of a delivery whose interval is over, one per setpoint. Under `lock`.
    private func measure(_ d: Delivery, stations: [SiteStations.Station]) -> [MeterReportPayload.Measurement] {
        var status = d.status ?? .setpointRefused
        var startWh: Int64 = 0, rise: Int64 = 0
        if status == .measured {
            let measurand: EnergyRegister.Measurand = d.setpoints[0].kind == .surplus ? .import : .export
            let register = stations.first { $0.identity.id == d.placement.station }?.register(evse: d.placement.evse, measurand)
                ?? EnergyRegister([], measurand: measurand)
            switch register.span(from: d.interval.lowerBound, to: d.interval.upperBound, maxW: settings.maxEVSEPowerW) {
            case .success(let span):
                startWh = span.startWh
                rise = max(0, span.endWh &- span.startWh)
                counted.measuredWh &+= min(rise, d.energyWh)
            case .failure(.notCovered): status = .notCovered
            case .failure(.wentBackwards): status = .wentBackwards
            case .failure(.jumped): status = .jumped
            }
            if status != .measured {
                logger.warning("OCPP: \(d.placement.station)/\(d.placement.evse): the register of \(d.ev) says nothing for \(d.interval.lowerBound)..<\(d.interval.upperBound): \(status)")
            }
        }
        var offset: Int64 = 0
        return d.setpoints.map { s in
            // Each allocation gets the next slice of the rise, up to its energy; the last takes any excess (which
            // metering clamps to what was allocated).
            let share = s.index == d.setpoints.last!.index ? max(0, rise - offset) : min(s.energyWh, max(0, rise - offset))
            defer { offset += share }
            return MeterReportPayload.Measurement(
                allocationIndex: s.index, station: d.placement.station, evse: UInt32(clamping: d.placement.evse),
                transactionID: d.transaction, start: d.interval.lowerBound, end: d.interval.upperBound,
                startWh: status == .measured ? startWh &+ offset : 0, endWh: status == .measured ? startWh &+ offset &+ share : 0,
                status: status)
        }
    }

    /// Forgets the measured deliveries of `allocation` for `ev`, and any delivery a day past its end.
    public func filed(ev: String, allocation: Digest) {
        let now = clock()
        lock.withLock {
            let before = deliveries.count
            deliveries.removeAll { d in
                (d.ev == ev && d.allocation == allocation && d.measurements != nil) || d.interval.upperBound < now - 86_400
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
