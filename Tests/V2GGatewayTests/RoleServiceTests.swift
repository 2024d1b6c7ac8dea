import Foundation
import Logging
import Testing
import V2GGateway
import V2GKit
import V2GLedger
import V2GNode
import V2GTransport

/// An exchange's consumers for tests: the same two requests every round, inside the round's hour.
struct FixedConsumers: ConsumerRequestSource {
    let exchange: String
    func requests(round: UInt64, deadline: Int64) -> [RequestListPayload.Entry] {
        let w = Int64(round) * 3600..<Int64(round + 1) * 3600
        return [.init(consumer: "\(exchange)-a", bid: 300_000, submittedAt: 1, energyWh: 3000, window: w),
                .init(consumer: "\(exchange)-b", bid: 200_000, submittedAt: 2, energyWh: 2000, window: w)]
    }
}

/// Vehicles for tests: every vehicle but the last offers 4 kWh; the last is away (absent from the answer).
struct FixedVehicles: VehicleSource {
    func offers(round: UInt64, vehicles: [String]) -> [String: VehicleOffer] {
        var out: [String: VehicleOffer] = [:]
        for v in vehicles.sorted().dropLast() {
            out[v] = VehicleOffer(energyWh: 4000, window: Int64(round) * 3600..<Int64(round + 1) * 3600)
        }
        return out
    }
}

/// Setpoints and meter readings as a charger bridge would see them.
final class Chargers: SetpointSink, MeterReader, @unchecked Sendable {
    private let lock = NSLock()
    private var setpoints: [UInt64: [Setpoint]] = [:]
    private var readings: [MeteredAllocation] = []
    func apply(_ s: [Setpoint], round: UInt64) { lock.withLock { setpoints[round, default: []] += s } }
    func delivered(_ a: MeteredAllocation) -> Int64? { lock.withLock { readings.append(a) }; return a.allocatedWh }
    var byRound: [UInt64: [Setpoint]] { lock.withLock { setpoints } }
    var metered: [MeteredAllocation] { lock.withLock { readings } }
}

/// Lines a control system service reported.
final class Lines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [RoundLine] = []
    func add(_ l: RoundLine) { lock.withLock { lines.append(l) } }
    var all: [RoundLine] { lock.withLock { lines } }
}

/// A campus whose roles are the gateway library's services, fed by test implementations of the data sources.
@Suite("Role services fed by data sources", .serialized)
struct RoleServiceTests {
    @Test func servicesTradeOnTheirSourcesAndHandBackSetpoints() throws {
        let cs = try SigningKey(), endorserKeys = try (0..<2).map { _ in try SigningKey() }
        let exchangeKeys = ["x1": try SigningKey(), "x2": try SigningKey()]
        let vehicles = try (1...3).map { Vehicle(name: "v\($0)", key: try SigningKey()) }
        let gatewayKey = try SigningKey()
        let roster = CampusRoster(orderer: cs.publicKey, endorsers: endorserKeys.map(\.publicKey), endorsementsRequired: 2,
                                  exchanges: exchangeKeys.mapValues(\.publicKey),
                                  evs: Dictionary(uniqueKeysWithValues: vehicles.map { ($0.name, $0.key.publicKey) }))
        let members = roster.members + [gatewayKey.publicKey]
        let csNode = try startNode(cs, members: members)
        let endorsers = try endorserKeys.map { k in
            let n = try startNode(k, members: members)
            try n.enableEndorsing(with: k)
            return n
        }
        let exchangeNodes = try exchangeKeys.mapValues { try startNode($0, members: members) }
        let gatewayNode = try startNode(gatewayKey, members: members)
        let all = [csNode] + endorsers + exchangeNodes.values.sorted { $0.publicKey < $1.publicKey } + [gatewayNode]
        #expect(mesh(all))

        let chargers = Chargers(), lines = Lines()
        let control = ControlSystem(key: cs, node: csNode, roster: roster, chargerCapacityWh: 30_000)
        let schedule = RoundSettings(count: 2, interval: .milliseconds(1500), collect: .milliseconds(1200),
                                     startAfter: .milliseconds(300), startAt: nil, shortfallPPM: 0, seed: 1)
        let services: [any RoleService] = [
            ControlSystemService(cs: control, campus: "T", schedule: schedule, seat: nil, meter: chargers, log: nil) { lines.add($0) },
        ] + exchangeKeys.keys.sorted().map { name in
            ExchangeService(name: name, key: exchangeKeys[name]!, node: exchangeNodes[name]!, source: FixedConsumers(exchange: name))
        } + [EVGatewayService(vehicles: vehicles, node: gatewayNode, source: FixedVehicles(), sink: chargers)]
        services.forEach { $0.start() }
        defer { services.forEach { $0.stop() } }

        #expect(eventually(.seconds(20)) { lines.all.count == 2 })
        for line in lines.all {
            #expect(line.error == nil, "\(line.error ?? "")")
            #expect(line.market.requests == 4 && line.market.offers == 2)   // v3 was away
            #expect(line.missingEVs == ["v3"] && line.missingExchanges.isEmpty)
            #expect(line.market.allocations > 0)
        }
        // Each committed allocation reaches the gateway's sink as setpoints for its vehicles, and the meters were
        // read for each of them.
        #expect(eventually(.seconds(10)) { chargers.byRound.keys.sorted() == [1, 2] })
        for round in UInt64(1)...2 {
            let (result, inputs, id, _) = try #require(gatewayNode.withLedger { $0.allocation(round: round, on: .boe) })
            let expected = result.allocations.enumerated().map { i, e in
                Setpoint(round: round, ev: inputs.offers[Int(e.offer)].ev, exchange: inputs.requests[Int(e.request)].exchange,
                         consumer: inputs.requests[Int(e.request)].entry.consumer, energyWh: e.energyWh, interval: e.interval,
                         allocation: id, index: UInt32(i))
            }
            #expect(chargers.byRound[round] == expected)
            #expect(chargers.metered.filter { $0.round == round }.count == result.allocations.count)
        }
        // Restart-safe numbering and nonces: a second control system on the same node goes on after round 2.
        #expect(ControlSystem(key: cs, node: csNode, roster: roster).nextRound == 3)
    }

    @Test func stoppingInTheMiddleOfARoundTakesLessThanASecond() throws {
        // A control system collecting for 20 s inputs that never come, and an EV gateway whose endorsers are
        // gone: each service stops within a second anyway.
        let cs = try SigningKey(), endorser = try SigningKey(), vehicle = Vehicle(name: "v1", key: try SigningKey())
        let gatewayKey = try SigningKey()
        let roster = CampusRoster(orderer: cs.publicKey, endorsers: [endorser.publicKey], endorsementsRequired: 1,
                                  exchanges: ["x1": try SigningKey().publicKey], evs: ["v1": vehicle.key.publicKey])
        let members = roster.members + [gatewayKey.publicKey]
        let csNode = try startNode(cs, members: members)
        let gatewayNode = try startNode(gatewayKey, members: members)
        #expect(mesh([csNode, gatewayNode]))
        let schedule = RoundSettings(count: 1, interval: .seconds(30), collect: .seconds(20), startAfter: .zero,
                                     startAt: nil, shortfallPPM: 0, seed: 1)
        let control = ControlSystemService(cs: ControlSystem(key: cs, node: csNode, roster: roster), campus: "T",
                                           schedule: schedule, seat: nil, meter: SyntheticMeters(shortfallPPM: 0, seed: 1), log: nil)
        let gateway = EVGatewayService(vehicles: [vehicle], node: gatewayNode, source: FixedVehicles(),
                                       sink: LoggedSetpoints(logger: Logger(label: "test")))
        control.start()
        gateway.start()
        #expect(eventually(.seconds(10)) { gatewayNode.lastAnnouncement?.round == 1 })   // the round is collecting
        Thread.sleep(forTimeInterval: 0.2)
        let clock = ContinuousClock()
        let t0 = clock.now
        control.stop()
        let controlStop = clock.now - t0
        let t1 = clock.now
        gateway.stop()
        let gatewayStop = clock.now - t1
        print("stopped mid-round: control system in \(controlStop), EV gateway in \(gatewayStop)")
        #expect(controlStop < .seconds(1))
        #expect(gatewayStop < .seconds(1))
    }
}
