import FoundationEssentials
import Logging
import V2GLedger
import V2GNode
import V2GKit

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
    /// What the chargers measured, filed as meter reports; nil files none (the control system's meters are
    /// its own).
    let deliveries: (any DeliveryMeter)?
    let logger: Logger
    private let thread = RoleThread()
    /// How many submissions are in flight at once (each waits for an endorsement round trip).
    static let width = 32
    /// Rounds whose allocation is awaited, kept for this many rounds at most.
    static let awaitedRounds = 8

    public init(vehicles: [Vehicle], node: LedgerNode, source: any VehicleSource, sink: any SetpointSink,
                deliveries: (any DeliveryMeter)? = nil, logger: Logger = Logger(label: "v2g.ev-gateway")) {
        self.vehicles = vehicles
        self.node = node
        self.source = source
        self.sink = sink
        self.deliveries = deliveries
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
            fileReports(round: a.round, agents: agents)
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

    /// Files, in `round`, each meter report not committed yet, signed by its vehicle: before the offers, so the
    /// control system finds them pooled when the offers are in. A report the control system did not seal in
    /// time is filed again in the next round.
    private func fileReports(round: UInt64, agents: [String: EVAgent]) {
        guard let deliveries else { return }
        var pending: [(EVAgent, MeterReportPayload)] = []
        for (ev, reports) in deliveries.reports() {
            guard let agent = agents[ev] else { continue }
            for var report in reports {
                // Done once its report is committed or its result metered (from the report or, past the wait,
                // without it). A result closed rounds ago is no longer kept, its reports with it: its round is
                // history (only an open result is kept however old, and that one still wants the report).
                let done = node.withLedger { l in
                    l.meterReports(of: report.allocation).contains { $0.ev == ev } || l.metering(of: report.allocation) != nil
                        || (!l.keeps(report.allocation) && report.round &+ l.closedRoundsKept <= l.chain(.boe).lastAllocatedRound)
                }
                if done {
                    deliveries.filed(ev: ev, allocation: report.allocation)
                    continue
                }
                report.round = round
                pending.append((agent, report))
            }
        }
        guard !pending.isEmpty else { return }
        let failures = Failures(), filing = pending
        Fanout.run(filing.count, width: Self.width) { i in
            let (agent, report) = filing[i]
            do { try agent.author.submit(.boev, .meterReport, payload: report.encoded) } catch {
                failures.add("\(agent.name): \(error)")
            }
        }
        let failed = failures.all
        if failed.isEmpty {
            logger.info("filed \(pending.count) meter reports in round \(round)")
        } else if !thread.isStopped {
            logger.warning("round \(round): \(failed.count) of \(pending.count) meter reports not filed; first: \(failed[0])")
        }
    }

    /// Hands the sink the setpoints of every awaited round whose allocation result is now committed; returns the
    /// rounds still awaited.
    private func applySetpoints(_ awaiting: [UInt64]) -> [UInt64] {
        guard !awaiting.isEmpty else { return [] }
        let mine = Set(vehicles.map(\.name))
        var still: [UInt64] = []
        for round in awaiting {
            let (found, allocated, kept) = node.withLedger {
                ($0.allocation(round: round, on: .boe), $0.chain(.boe).lastAllocatedRound, $0.closedRoundsKept)
            }
            guard let (result, inputs, id, _) = found else {
                // A round allocated long ago whose result is gone from memory (or was never allocated): its
                // setpoints are history now.
                if round &+ kept <= allocated {
                    logger.warning("round \(round): no allocation result kept any more; its setpoints are skipped")
                } else {
                    still.append(round)
                }
                continue
            }
            let setpoints: [Setpoint] = result.allocations.enumerated().compactMap { i, e in
                let offer = inputs.offers[Int(e.offer)], request = inputs.requests[Int(e.request)]
                guard mine.contains(offer.ev) else { return nil }
                return Setpoint(round: round, ev: offer.ev, exchange: request.exchange, consumer: request.entry.consumer,
                                energyWh: e.energyWh, interval: e.interval, allocation: id, index: UInt32(i),
                                kind: request.entry.kind)
            }
            sink.apply(setpoints, round: round)
        }
        return still
    }
}

/// Failure lines written from the submitting threads.
private final class Failures: @unchecked Sendable {
    private let lock = Lock()
    private var lines: [String] = []
    func add(_ s: String) { lock.withLock { lines.append(s) } }
    var all: [String] { lock.withLock { lines } }
}
