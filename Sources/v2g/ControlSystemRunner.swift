import Foundation
import Logging
import V2GKit
import V2GLedger
import V2GNode

/// The control system's gateway: seals the campus's genesis blocks, runs `[rounds]` rounds (announce, collect,
/// seal, allocate, record), and, with a `[bocs]` seat, the cross-campus step after each; writes a line per round
/// to DATA_DIR/rounds.jsonl and the log.
final class ControlSystemRunner: RoleRunner, @unchecked Sendable {  // the round state lives on the thread
    let campus: CampusSettings
    let rounds: RoundSettings
    let cs: ControlSystem
    let seat: CrossCampusSeat?
    /// The BoCS node: started and stopped with the runner.
    let bocsNode: LedgerNode?
    let logger: Logger
    let log: RoundLog
    /// Told of each round (metrics).
    let onRound: @Sendable (RoundLine) -> Void
    private let flag = StopFlag()
    private var thread: JoinableThread?

    init(settings: NodeConfig, key: SigningKey, node: LedgerNode, logger: Logger,
         onRound: @escaping @Sendable (RoundLine) -> Void) throws {
        guard let campus = settings.roles.campus, let rounds = settings.roles.rounds, let matcher = settings.matcher else {
            throw CommandFailure.badInput("a control system that runs rounds needs [campus], [rounds] and [matcher]")
        }
        self.campus = campus
        self.rounds = rounds
        self.logger = logger
        self.onRound = onRound
        let roster = CampusRoster(orderer: key.publicKey, endorsers: campus.endorsers,
                                  endorsementsRequired: campus.endorsementsRequired, exchanges: campus.exchanges, evs: campus.evs)
        cs = ControlSystem(key: key, node: node, roster: roster, chargerCapacityWh: matcher.chargerCapacityWh,
                           gamma1: matcher.gamma1, gamma2: matcher.gamma2)
        cs.algorithm = Self.payloadAlgorithm(matcher.algorithm)
        cs.chargerPowerW = matcher.chargerPowerW
        log = try RoundLog(path: (settings.dataDir as NSString).appendingPathComponent("rounds.jsonl"))
        if let b = settings.roles.bocs {
            let others = b.campuses.filter { $0.key != key.publicKey }
            let nodeLogger = logger
            let bocs = try LedgerNode(key: key, configuration: LedgerNodeConfiguration(
                peer: PeerConfiguration(bindEndpoint: b.listen, members: b.campuses.map(\.key),
                                        neighbours: others.map { Neighbour(endpoint: $0.endpoint, key: $0.key) }),
                storePath: (settings.dataDir as NSString).appendingPathComponent(b.storeName),
                catchUpInterval: settings.catchUpInterval,
                log: { line in nodeLogger.warning("BoCS: \(line)") }))
            let seat = try CrossCampusSeat(campus: campus.name, key: key, node: bocs,
                                           roster: BoCSRoster(orderer: b.orderer, campuses: Dictionary(
                                               uniqueKeysWithValues: b.campuses.map { ($0.name, $0.key) })),
                                           chargerPowerW: b.chargerPowerW)
            seat.algorithm = b.algorithm
            seat.gamma1 = matcher.gamma1
            seat.gamma2 = matcher.gamma2
            bocsNode = bocs
            self.seat = seat
        } else {
            bocsNode = nil
            seat = nil
        }
    }

    static func payloadAlgorithm(_ a: MatchAlgorithm) -> AllocationResultPayload.Algorithm {
        switch a {
        case .sretDouble: return .sretDouble
        case .sretSingleEnergy: return .sretSingleEnergy
        case .sretSingleCount: return .sretSingleCount
        default: return .ret
        }
    }

    func start() {
        bocsNode?.start()
        thread = JoinableThread(name: "v2g-control-system") { [self] in loop() }
    }

    func stop() {
        flag.set()
        thread?.join()
        bocsNode?.stop()
    }

    /// Unix milliseconds now.
    static func nowMs() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    /// How long until the next round slot: `[rounds] start_at_unix_ms` and every interval after it.
    private func untilNextSlot() -> Duration {
        guard let startAt = rounds.startAt else { return .zero }
        let interval = Int64(RoundLine.ms(rounds.interval))
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
            logger.critical("cannot seal the genesis blocks: \(error)")
            return
        }
        if flag.sleep(rounds.startAt == nil ? rounds.startAfter : untilNextSlot()) { return }
        // Round numbers go on from what the chain holds, so a restarted CS does not repeat one.
        let done = cs.node.withLedger { $0.allocationResults(on: .boe).map(\.round).max() ?? 0 }
        let first = max(done, cs.node.lastAnnouncement?.round ?? 0) + 1
        guard rounds.count > 0 else { return }
        for round in first..<(first + UInt64(rounds.count)) {
            let start = ContinuousClock.now
            let line = runRound(round)
            log.append(line)
            onRound(line)
            logger.info("round \(round) done", metadata: Self.metadata(line))
            let wait = rounds.startAt == nil ? rounds.interval - (ContinuousClock.now - start) : untilNextSlot()
            if round + 1 < first + UInt64(rounds.count), flag.sleep(wait) { return }
        }
        logger.info("ran \(rounds.count) rounds; serving until stopped")
    }

    private func runRound(_ round: UInt64) -> RoundLine {
        var line = RoundLine(campus: campus.name, round: round)
        let shortfall = rounds.shortfallPPM, seed = rounds.seed
        let meter: (MeteredAllocation) -> Int64 = { SyntheticLoad.delivered($0, shortfallPPM: shortfall, seed: seed) }
        let start = ContinuousClock.now
        var convergence: JoinableThread?
        let converged = Locked<Double?>(nil)
        do {
            let report = try cs.runRound(round, exchanges: Set(campus.exchanges.keys), evs: Set(campus.evs.keys),
                                         deadline: rounds.collect, meter: meter)
            line.record(report)
            // Measured beside the cross-campus step: when every node of the campus holds the round's blocks.
            let node = cs.node
            let heights = node.heads.mapValues(\.height)
            convergence = JoinableThread(name: "v2g-convergence") {
                if node.waitForNeighbours(Array(node.peer.connectedNeighbours), toReach: heights, timeout: .seconds(10)) {
                    converged.take { $0 = RoundLine.ms(ContinuousClock.now - start) }
                }
            }
            if let seat {
                let surplus = CrossCampusSeat.surplus(campus: campus.name, report: report)
                line.surplusRequests = surplus.requests.count
                line.surplusOffers = surplus.offers.count
                try seat.submitSurplus(surplus)
                if seat.isOrderer {
                    line.record(try seat.allocate(round: round, campuses: Set(seat.roster.campuses.keys),
                                                  deadline: rounds.collect, meter: meter))
                } else if seat.waitForResult(round: round, timeout: rounds.collect * 2 + .seconds(2)) == nil {
                    line.error = "the cross-campus result of round \(round) did not arrive"
                }
            }
        } catch {
            line.error = "\(error)"
            logger.error("round \(round) failed: \(error)")
        }
        convergence?.join()
        line.convergedMs = converged.value
        var heights: [String: UInt64] = [:]
        for (c, h) in cs.node.heads { heights["\(c)"] = h.height }
        if let h = bocsNode?.heads[.bocs] { heights["BoCS"] = h.height }
        line.heights = heights
        return line
    }

    static func metadata(_ line: RoundLine) -> Logger.Metadata {
        var m: Logger.Metadata = [
            "requests": "\(line.market.requests)", "offers": "\(line.market.offers)",
            "allocations": "\(line.market.allocations)", "fulfilled": "\(line.market.fulfilled)",
            "total_ms": "\(String(format: "%.1f", line.phases.total))",
        ]
        if let c = line.cross { m["cross_allocations"] = "\(c.market.allocations)" }
        if let e = line.error { m["error"] = "\(e)" }
        return m
    }
}
