import Foundation
import Logging
import V2GLedger
import V2GNode

/// A vehicle an EV gateway trades for: its name on BoEV and the key its offers are signed with.
public struct Vehicle: Sendable {
    public var name: String
    public var key: SigningKey

    public init(name: String, key: SigningKey) {
        self.name = name
        self.key = key
    }
}

/// An EV gateway (a charger's or a road-side unit's): answers each announcement with an offer per vehicle its
/// `VehicleSource` says is present, each signed by the vehicle's own key, and hands each committed round's
/// allocations for its vehicles to its `SetpointSink`.
public final class EVGatewayService: RoleService, @unchecked Sendable {  // `agents` and `awaiting` only on the thread
    public let node: LedgerNode
    public let vehicles: [Vehicle]
    let source: any VehicleSource
    let sink: any SetpointSink
    let logger: Logger
    private let thread = RoleThread()
    /// How many submissions are in flight at once (each waits for an endorsement round trip).
    static let width = 32
    /// Rounds whose allocation is awaited, kept for this many rounds at most.
    static let awaitedRounds = 8

    public init(vehicles: [Vehicle], node: LedgerNode, source: any VehicleSource, sink: any SetpointSink,
                logger: Logger = Logger(label: "v2g.ev-gateway")) {
        self.vehicles = vehicles
        self.node = node
        self.source = source
        self.sink = sink
        self.logger = logger
    }

    public func start() { thread.start(name: "v2g-ev-gateway") { [self] in loop() } }

    /// Stops the node (every wait of a submission ends with it) and the service's thread, within a second.
    public func stop() {
        thread.requestStop()
        node.stop()
        thread.stop()
    }

    private func loop() {
        var last = node.lastAnnouncement?.round ?? 0
        var agents: [String: EVAgent] = [:]
        var awaiting: [UInt64] = []
        while !thread.isStopped, !node.isStopped {   // a node stopped by its owner ends the role too
            let announcement = node.waitForAnnouncement(after: last, timeout: .milliseconds(200))
            awaiting = applySetpoints(awaiting)
            guard let a = announcement else { continue }
            last = a.round
            if agents.isEmpty, let first = vehicles.first, let policy = TransactionAuthor(key: first.key, node: node, channel: .boev) {
                for v in vehicles {
                    agents[v.name] = EVAgent(name: v.name, author: TransactionAuthor(
                        key: v.key, node: node, endorsers: policy.endorsers, required: policy.required))
                }
            }
            guard !agents.isEmpty else { continue }
            let offers: [String: VehicleOffer]
            do { offers = try source.offers(round: a.round, vehicles: vehicles.map(\.name)) } catch {
                logger.warning("round \(a.round): no offers: \(error)")
                continue
            }
            submit(round: a.round, offers: offers.compactMap { name, offer in agents[name].map { ($0, offer) } })
            awaiting = Array((awaiting + [a.round]).suffix(Self.awaitedRounds))
        }
    }

    private func submit(round: UInt64, offers: [(EVAgent, VehicleOffer)]) {
        let failures = Failures()
        Fanout.run(offers.count, width: Self.width) { i in
            let (agent, offer) = offers[i]
            do {
                try agent.submit(round: round, energyWh: offer.energyWh, capacityWh: offer.capacityWh, window: offer.window)
            } catch {
                failures.add("\(agent.name): \(error)")
            }
        }
        let failed = failures.all
        if failed.isEmpty {
            logger.info("submitted the offers of round \(round)", metadata: ["vehicles": "\(offers.count)"])
        } else if !thread.isStopped {
            logger.warning("round \(round): \(failed.count) of \(offers.count) offers not submitted; first: \(failed[0])")
        }
    }

    /// Hands the sink the setpoints of every awaited round whose allocation result is now committed; returns the
    /// rounds still awaited.
    private func applySetpoints(_ awaiting: [UInt64]) -> [UInt64] {
        guard !awaiting.isEmpty else { return [] }
        let mine = Set(vehicles.map(\.name))
        var still: [UInt64] = []
        for round in awaiting {
            guard let (result, inputs) = node.withLedger({ $0.allocation(round: round, on: .boe) }) else {
                still.append(round)
                continue
            }
            let setpoints: [Setpoint] = result.allocations.compactMap { e in
                let offer = inputs.offers[Int(e.offer)], request = inputs.requests[Int(e.request)]
                guard mine.contains(offer.ev) else { return nil }
                return Setpoint(round: round, ev: offer.ev, exchange: request.exchange, consumer: request.entry.consumer,
                                energyWh: e.energyWh, interval: e.interval)
            }
            sink.apply(setpoints, round: round)
        }
        return still
    }
}

/// Failure lines written from the submitting threads.
private final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func add(_ s: String) { lock.withLock { lines.append(s) } }
    var all: [String] { lock.withLock { lines } }
}
