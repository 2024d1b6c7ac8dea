import FoundationEssentials
import Logging
import V2GKit
import V2GLedger
import V2GNode

/// The control system's gateway: seals the campus's genesis blocks, runs its rounds on their schedule (announce,
/// collect, seal, allocate, record) and, with a seat on the BoCS, the cross-campus step after each; appends a
/// line per round to its `RoundLog` and the log. Round numbers go on from what the chain holds.
public final class ControlSystemService: RoleService, @unchecked Sendable {  // the round state lives on the thread
    public let cs: ControlSystem
    public let campus: String
    public let schedule: RoundSettings
    public let seat: CrossCampusSeat?
    let meter: any MeterReader
    let log: RoundLog?
    let logger: Logger
    /// Told of each round (metrics).
    let onRound: @Sendable (RoundLine) -> Void
    private let thread = RoleThread()

    /// - Parameters:
    ///   - cs: the campus's control system, on its node.
    ///   - campus: the campus's name (on the BoCS, and in round lines).
    ///   - schedule: how many rounds, when, and how long inputs are collected.
    ///   - seat: the control system's seat on the BoCS, whose node the service starts and stops; nil for none.
    ///   - meter: what the meters measured for each allocation.
    ///   - log: where each round's line is appended.
    public init(cs: ControlSystem, campus: String, schedule: RoundSettings, seat: CrossCampusSeat?, meter: any MeterReader,
                log: RoundLog?, logger: Logger = Logger(label: "v2g.control-system"),
                onRound: @escaping @Sendable (RoundLine) -> Void = { _ in }) {
        self.cs = cs
        self.campus = campus
        self.schedule = schedule
        self.seat = seat
        self.meter = meter
        self.log = log
        self.logger = logger
        self.onRound = onRound
    }

    public func start() {
        seat?.node.start()
        thread.start(name: "v2g-control-system") { [self] in loop() }
    }

    /// Stops the campus node and the BoCS node (which ends every wait of a round at once) and the rounds.
    public func stop() {
        thread.requestStop()
        cs.node.stop()
        seat?.node.stop()
        thread.stop()
    }

    /// Unix milliseconds now.
    static func nowMs() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    /// How long until the next round slot: the schedule's `startAt` and every interval after it.
    private func untilNextSlot() -> Duration {
        guard let startAt = schedule.startAt else { return .zero }
        let interval = Int64(RoundLine.ms(schedule.interval))
        let now = Self.nowMs()
        let next = now <= startAt ? startAt : startAt + ((now - startAt + interval - 1) / interval) * interval
        return .milliseconds(next - now)
    }

    private func loop() {
        // Genesis first: agents act on an announcement only once they hold the campus's channel configs.
        do {
            if cs.node.heads[.boe] == nil { try cs.start() }
            try seat?.start()
        } catch {
            if !thread.isStopped { logger.critical("cannot seal the genesis blocks: \(error)") }
            return
        }
        if thread.sleep(schedule.startAt == nil ? schedule.startAfter : untilNextSlot()) { return }
        let first = cs.nextRound
        guard schedule.count > 0 else { return }
        for round in first..<(first + UInt64(schedule.count)) {
            let start = ContinuousClock.now
            guard let line = runRound(round) else { return }   // stopped
            log?.append(line)
            onRound(line)
            logger.info("round \(round) done", metadata: Self.metadata(line))
            let wait = schedule.startAt == nil ? schedule.interval - (ContinuousClock.now - start) : untilNextSlot()
            if round + 1 < first + UInt64(schedule.count), thread.sleep(wait) { return }
        }
        logger.info("ran \(schedule.count) rounds; serving until stopped")
    }

    /// One round and its cross-campus step; nil if the service was stopped during it.
    private func runRound(_ round: UInt64) -> RoundLine? {
        var line = RoundLine(campus: campus, round: round)
        let start = ContinuousClock.now
        var joinConvergence: (() -> Void)?
        let converged = ConvergedAt()
        do {
            let report = try cs.runRound(round, exchanges: Set(cs.roster.exchanges.keys), evs: Set(cs.roster.evs.keys),
                                         deadline: schedule.collect, meter: meter)
            line.record(report)
            for e in report.meteringErrors { logger.warning("metering: \(e)") }
            // Measured beside the cross-campus step: when every node of the campus holds the round's blocks.
            let node = cs.node
            let heights = node.heads.mapValues(\.height)
            joinConvergence = inBackground("v2g-convergence") {
                if node.waitForNeighbours(Array(node.peer.connectedNeighbours), toReach: heights, timeout: .seconds(10)) {
                    converged.set(RoundLine.ms(ContinuousClock.now - start))
                }
            }
            if let seat {
                let surplus = CrossCampusSeat.surplus(campus: campus, report: report)
                line.surplusRequests = surplus.requests.count
                line.surplusOffers = surplus.offers.count
                try seat.submitSurplus(surplus)
                if seat.isOrderer {
                    line.record(try seat.allocate(round: round, campuses: Set(seat.roster.campuses.keys),
                                                  deadline: schedule.collect, meter: meter))
                } else if seat.waitForResult(round: round, timeout: schedule.collect * 2 + .seconds(2)) == nil {
                    line.error = "the cross-campus result of round \(round) did not arrive"
                }
            }
        } catch {
            joinConvergence?()
            if thread.isStopped || error == .stopped { return nil }
            line.error = "\(error)"
            logger.error("round \(round) failed: \(error)")
        }
        joinConvergence?()
        if thread.isStopped { return nil }
        line.convergedMs = converged.value
        var heights: [String: UInt64] = [:]
        for (c, h) in cs.node.heads { heights["\(c)"] = h.height }
        if let h = seat?.node.heads[.bocs] { heights["BoCS"] = h.height }
        line.heights = heights
        return line
    }

    static func metadata(_ line: RoundLine) -> Logger.Metadata {
        var m: Logger.Metadata = [
            "requests": "\(line.market.requests)", "offers": "\(line.market.offers)",
            "allocations": "\(line.market.allocations)", "fulfilled": "\(line.market.fulfilled)",
            "total_ms": "\(String(cFormat: "%.1f", line.phases.total))",
        ]
        if let c = line.cross { m["cross_allocations"] = "\(c.market.allocations)" }
        if let e = line.error { m["error"] = "\(e)" }
        return m
    }
}

/// When the campus converged, written by the convergence thread.
private final class ConvergedAt: @unchecked Sendable {
    private let lock = Lock()
    private var ms: Double?
    func set(_ v: Double) { lock.withLock { ms = v } }
    var value: Double? { lock.withLock { ms } }
}
