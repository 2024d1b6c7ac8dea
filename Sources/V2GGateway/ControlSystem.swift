import FoundationEssentials
import V2GKit
import V2GLedger
import V2GNode
import Glibc

/// The campus control system: the orderer of BoE and BoEV, which runs the round.
public final class ControlSystem: @unchecked Sendable {  // one round at a time, from one thread
    public let node: LedgerNode
    public let roster: CampusRoster
    public var chargerCapacityWh: Int64?
    /// RET, or an SRET strategy (which needs `chargerPowerW` and windows on every request and offer).
    public var algorithm: MatchAlgorithm = .ret
    public var chargerPowerW: Int64?
    public var gamma1: Ratio
    public var gamma2: Ratio
    /// How long (seconds, from its allocation result) an allocation waits for readings a meter does not have yet
    /// (meter reports filed after the delivery); after it, what is still missing is metered as not carried out.
    /// It must exceed the EV gateways' delivery interval and grace (`[ocpp] delivery_s`, `grace_s`).
    public var meteringWaitSeconds: Int64 = 1200
    /// The clock written into transactions and blocks (Unix seconds).
    public var now: @Sendable () -> Int64 = { Int64(time(nil)) }
    let author: TransactionAuthor
    private let key: SigningKey

    /// - Parameters:
    ///   - key: the orderer's key (the node's).
    ///   - roster: the campus; the CS asks its endorsers.
    ///   - timeout: how long to wait for endorsements of the CS's own transactions.
    public init(key: SigningKey, node: LedgerNode, roster: CampusRoster, chargerCapacityWh: Int64? = nil,
                gamma1: Ratio = Ratio(ppm: 100_000), gamma2: Ratio = Ratio(ppm: 100_000), timeout: Duration = .seconds(2)) {
        self.key = key
        self.node = node
        self.roster = roster
        self.chargerCapacityWh = chargerCapacityWh
        self.gamma1 = gamma1
        self.gamma2 = gamma2
        author = TransactionAuthor(key: key, node: node, endorsers: roster.endorsers, required: roster.endorsementsRequired,
                                   timeout: timeout)
    }

    /// Seals and publishes the genesis blocks of BoE and BoEV from the roster.
    @discardableResult
    public func start() throws(LedgerError) -> [Block] {
        var out: [Block] = []
        for channel in [Channel.boe, .boev] {
            let tx = author.sign(channel, .config, timestamp: now(), payload: roster.config(channel).encoded)
            out.append(try node.seal(channel, [tx], orderer: key, timestamp: now()))
        }
        return out
    }

    /// The round to run next: after every round with a committed allocation result and every round this
    /// process announced. A control system that restarts goes on after its last committed round; a round it
    /// announced before the restart but did not complete is announced again under the same number, which agents
    /// that kept running ignore (they answered it already), so that round collects only restarted agents' inputs.
    public var nextRound: UInt64 {
        let done = node.withLedger { $0.chain(.boe).lastAllocatedRound }
        return max(done, node.lastAnnouncement?.round ?? 0) + 1
    }

    /// Runs round `round`: announces it, waits until the request lists of `exchanges` and the offers of `evs`
    /// are in the pool (or `deadline` passes), seals them (BoEV, then BoE), runs the matcher on them with the
    /// committed penalty lists, and seals the allocation result, notification, metering record, settlement and
    /// penalty update into one BoE block. `meter` reads what was delivered for each allocation (clamped to
    /// 0...allocated).
    /// - Throws: `RoundError.stopped` as soon as the node is stopped, in any phase.
    public func runRound(_ round: UInt64, exchanges: Set<String>, evs: Set<String>, deadline: Duration,
                         meter: some MeterReader) throws(RoundError) -> RoundReport {
        var report = RoundReport(round: round)
        let clock = ContinuousClock()
        var t = clock.now
        let deadlineMs = Int64(Date().timeIntervalSince1970 * 1000) + Int64(deadline.components.seconds) * 1000
            + deadline.components.attoseconds / 1_000_000_000_000_000
        node.announce(RoundAnnouncement(round: round, deadline: deadlineMs, key: key))

        // Collect: the first request list of each expected exchange, the first offer of each expected EV.
        // The name each member has in a role: an exchange may only submit its own list, an EV its own offer.
        let members: [ChannelConfig.Member] = node.withLedger { ledger in
            (ledger.chain(.boe).config?.members ?? []) + (ledger.chain(.boev).config?.members ?? [])
        }
        func owns(_ key: PublicKey, _ name: String, _ role: Role) -> Bool {
            members.contains { $0.key == key && $0.name == name && $0.role == role }
        }
        // The EVs each unmetered allocation result allocated to, less those whose report is committed.
        let reportable: [Digest: Reportable] = node.withLedger { ledger in
            var out: [Digest: Reportable] = [:]
            for (id, result, inputs, allocatedAt) in ledger.unmeteredAllocations(on: .boe) {
                let reported = Set(ledger.meterReports(of: id).map(\.ev))
                out[id] = Reportable(evs: Set(result.allocations.map { inputs.offers[Int($0.offer)].ev }).subtracting(reported),
                                     allocatedAt: allocatedAt,
                                     allocations: result.allocations.map { (inputs.offers[Int($0.offer)].ev, $0.interval) })
            }
            return out
        }
        let reportedAt = now()
        // The pool is checked on every change while inputs arrive: each transaction is decoded and checked
        // once, by ID, to the name it may fill (nil: not an input of this round).
        var named: [Digest: String?] = [:]
        func name(_ tx: Transaction) -> String? {
            if let known = named[tx.id] { return known }
            var n: String?
            if tx.kind == .requestList, let p = try? RequestListPayload.decode(tx.payload), p.round == round,
               exchanges.contains(p.exchange), owns(tx.author, p.exchange, .exchange) { n = p.exchange }
            if tx.kind == .offer, let p = try? OfferPayload.decode(tx.payload), p.round == round, evs.contains(p.ev),
               owns(tx.author, p.ev, .ev) { n = p.ev }
            named[tx.id] = n
            return n
        }
        func select(_ pool: [Channel: [Transaction]]) -> (lists: [String: Transaction], offers: [String: Transaction]) {
            var lists: [String: Transaction] = [:], offers: [String: Transaction] = [:]
            // Meter reports ride with the offers, keyed apart from them: one per EV and unmetered allocation result
            // that allocated to it, and none once the ledger has one (a member cannot fill blocks with reports).
            for tx in pool[.boev] ?? [] where tx.kind == .meterReport {
                guard let p = try? MeterReportPayload.decode(tx.payload), p.round == round, owns(tx.author, p.ev, .ev),
                      reportable[p.allocation]?.admits(p, at: reportedAt) == true else { continue }
                let key = "report \(p.ev) \(p.allocation)"
                if offers[key] == nil { offers[key] = tx }
            }
            for tx in pool[.boe] ?? [] where tx.kind == .requestList {
                guard let n = name(tx), lists[n] == nil else { continue }
                lists[n] = tx
            }
            for tx in pool[.boev] ?? [] where tx.kind == .offer {
                guard let n = name(tx), offers[n] == nil else { continue }
                offers[n] = tx
            }
            return (lists, offers)
        }
        // Announced again every 100 ms while inputs are missing: an agent whose link was down misses no round.
        let collectEnd = clock.now + deadline
        while !node.waitForPool(timeout: min(.milliseconds(100), collectEnd - clock.now), until: { pool in
            let s = select(pool)
            return Set(s.lists.keys) == exchanges && Set(s.offers.keys).isSuperset(of: evs)
        }), clock.now < collectEnd {
            if node.isStopped { throw .stopped }
            node.reannounce()
        }
        if node.isStopped { throw .stopped }
        let pool = [Channel.boe: node.pooled(.boe), .boev: node.pooled(.boev)]
        let chosen = select(pool)
        report.missingExchanges = exchanges.subtracting(chosen.lists.keys)
        report.missingEVs = evs.subtracting(chosen.offers.keys)
        report.meterReports = chosen.offers.count - evs.intersection(chosen.offers.keys).count
        report.times.collect = clock.now - t
        t = clock.now

        // Seal the inputs: offers on BoEV, request lists on BoE, each sorted by name.
        // Meter reports first, in nonce order: a gateway files its vehicles' reports before their offers, and a
        // block must hold each author's transactions in nonce order.
        let offerTxs = chosen.offers.values.filter { $0.kind == .meterReport }.sorted { $0.nonce < $1.nonce }
            + chosen.offers.keys.sorted().compactMap { chosen.offers[$0]!.kind == .offer ? chosen.offers[$0] : nil }
        let listTxs = chosen.lists.keys.sorted().map { chosen.lists[$0]! }
        let sealedOffers: [Transaction], sealedLists: [Transaction]
        do {
            let (boev, droppedOffers) = try node.sealInBlocks(.boev, offerTxs, orderer: key, timestamp: now())
            let (boe, droppedLists) = try node.sealInBlocks(.boe, listTxs, orderer: key, timestamp: now())
            report.blocks += boev + boe
            report.dropped += droppedOffers.count + droppedLists.count
            sealedOffers = boev.flatMap(\.transactions)
            sealedLists = boe.flatMap(\.transactions)
        } catch {
            throw node.isStopped ? .stopped : .ledger(error, during: "sealing the inputs of round \(round)")
        }
        // Whatever else is pooled for this round or earlier, or too far ahead, will never be sealed: gone.
        report.dropped += node.evictPool(keeping: (round + 1)...(round + LedgerNode.roundsAhead))
        report.times.sealInputs = clock.now - t
        t = clock.now

        // Allocate: RET on exactly what was sealed, with the committed penalty lists, as every peer re-executes it.
        for tx in sealedLists {
            if let list = try? RequestListPayload.decode(tx.payload) {
                report.exchanges.append(list.exchange)
                report.requests += list.requests.count
            }
        }
        for tx in sealedOffers where tx.kind == .offer { if let offer = try? OfferPayload.decode(tx.payload) { report.evs.append(offer.ev) } }
        // Earlier rounds' metering, now that their reports are sealed, before this round's matcher reads the
        // penalty lists it changes.
        try meterOwed(round: round, meter: meter, report: &report)
        let sealedInputs = sealedOffers.filter { $0.kind == .offer }
        guard !sealedLists.isEmpty, !sealedInputs.isEmpty else {
            report.times.allocate = clock.now - t
            return report
        }
        let penalties = node.withLedger { $0.penalties }
        let result: AllocationResultPayload, inputs: RoundInputs
        do {
            (result, inputs) = try RoundRecorder.allocationResult(
                round: round, inputs: sealedLists + sealedInputs, algorithm: algorithm, chargerCapacityWh: chargerCapacityWh,
                chargerPowerW: chargerPowerW, gamma1: gamma1, gamma2: gamma2, penalties: penalties)
        } catch {
            throw .matcher(error, round: round)
        }
        report.result = RoundRecorder.match(result)
        report.inputs = inputs
        report.penalties = penalties
        let allocationTx = author.sign(.boe, .allocationResult, timestamp: now(), payload: result.encoded)
        report.times.allocate = clock.now - t
        t = clock.now

        // Record: notification, metering, settlement and penalty update, endorsed and sealed with the result.
        let records = try RoundRecords.make(author, .boe, round: round, allocation: allocationTx, result: result,
                                            inputs: inputs, penalties: penalties, timestamp: now(),
                                            recipient: { $0.entry.consumer }, meter: meter)
        // The endorsers re-execute the result on the inputs just sealed: each holds the request until the input
        // blocks reach it (EndorsementDesk), so the CS asks at once.
        let results: [Transaction]
        do { results = try author.endorseAll([allocationTx] + records) } catch {
            guard !node.isStopped, !report.metered.isEmpty else { throw node.isStopped ? .stopped : .node(error) }
            // An endorser that did not hold this round's metering blocks yet re-executed the result on the penalty
            // lists before them, and refused it: once it holds them, it is asked again.
            let heights = node.heads.mapValues(\.height)
            _ = node.waitForNeighbours(roster.endorsers.filter { $0 != node.publicKey }, toReach: heights, timeout: deadline)
            do { results = try author.endorseAll([allocationTx] + records) } catch {
                throw node.isStopped ? .stopped : .node(error)
            }
        }
        report.allocation = results[0]
        do {
            report.blocks.append(try node.seal(.boe, results, orderer: key, timestamp: now()))
        } catch {
            throw node.isStopped ? .stopped : .ledger(error, during: "sealing the results of round \(round)")
        }
        report.metered += records.contains { $0.kind == .meteringRecord } ? [round] : []
        report.times.record = clock.now - t
        return report
    }

    /// Meters, each in a block of its own, the earlier rounds' allocation results whose meter has every reading
    /// now, or whose wait (`meteringWaitSeconds`) is over; in round order.
    private func meterOwed(round: UInt64, meter: some MeterReader, report: inout RoundReport) throws(RoundError) {
        let owed = node.withLedger { $0.unmeteredAllocations(on: .boe) }.filter { $0.result.round < round }
        let before = report.metered.count
        defer {
            // The endorsers re-execute this round's result with the penalty lists these blocks changed: they must
            // hold them first (they wait for a result's inputs, not for the penalty lists).
            if report.metered.count > before {
                let heights = node.heads.mapValues(\.height)
                _ = node.waitForNeighbours(roster.endorsers.filter { $0 != node.publicKey }, toReach: heights, timeout: .seconds(2))
            }
        }
        for (id, result, inputs, filed) in owed {
            let penalties = node.withLedger { $0.penalties }
            let final = now() - filed > meteringWaitSeconds
            var records: [Transaction]
            do {
                // In round order: a later result waits for an earlier one, so penalty lists change in round order.
                guard let r = try RoundRecords.metering(author, .boe, round: round, allocation: id, result: result, inputs: inputs,
                                                        penalties: penalties, timestamp: now(), meter: meter, final: final) else { break }
                records = r
            } catch {
                // Settlement refused the readings (pay-as-bid overflowed on an absurd bid): the result is metered as
                // not carried out, which settles nothing, rather than left to stop every later round.
                report.meteringErrors.append("round \(result.round): \(error); metered as not carried out")
                records = try RoundRecords.metering(author, .boe, round: round, allocation: id, result: result, inputs: inputs,
                                                    penalties: penalties, timestamp: now(), meter: NothingCarriedOut(), final: true)!
            }
            let endorsed: [Transaction]
            do { endorsed = try author.endorseAll(records) } catch { throw node.isStopped ? .stopped : .node(error) }
            do {
                report.blocks.append(try node.seal(.boe, endorsed, orderer: key, timestamp: now()))
            } catch {
                throw node.isStopped ? .stopped : .ledger(error, during: "sealing the metering of round \(result.round)")
            }
            report.metered.append(result.round)
        }
    }
}

/// What a meter report of an unmetered allocation result may say: which EVs may still file one, and of which
/// allocations and intervals.
private struct Reportable {
    var evs: Set<String>
    /// When the result was signed (Unix seconds).
    var allocatedAt: Int64
    /// Each allocation's EV and interval (nil for RET, whose interval the EV gateway sets when it gets it).
    var allocations: [(ev: String, interval: Range<Int64>?)]

    /// A report the control system seals: by an EV that may still file one, naming only that EV's allocations,
    /// each over its interval (SRET) or one that starts after the result and has ended by `now` (RET). Anything
    /// else is not the delivery it claims to measure.
    func admits(_ report: MeterReportPayload, at now: Int64) -> Bool {
        guard evs.contains(report.ev) else { return false }
        return report.measurements.allSatisfy { m in
            guard Int(m.allocationIndex) < allocations.count else { return false }
            let a = allocations[Int(m.allocationIndex)]
            guard a.ev == report.ev, m.end <= now else { return false }
            if let interval = a.interval { return m.start == interval.lowerBound && m.end == interval.upperBound }
            return m.start >= allocatedAt - 60   // the gateway's clock may trail the control system's a little
        }
    }
}
