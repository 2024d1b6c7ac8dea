import FoundationEssentials
import V2GKit
import V2GLedger
import V2GNode
import Glibc

// The cross-campus step ([T] §5.3-5.4, SPEC §5): after each campus allocates locally, every control system posts
// what its round left over (unfulfilled requests, unused EVs) to the BoCS, the channel the control systems share;
// the BoCS orderer (one of them) runs SRET over all of it and posts the allocation, which every control system
// re-executes before it endorses it: the policy needs all of them, so a result on the BoCS is one every campus
// accepted. Metering, settlement and penalty lists of cross-campus trades live on the BoCS, with exchanges and
// EVs named `campus/name`.

/// A control system's seat on the BoCS: its own node there, and its key.
public final class CrossCampusSeat: @unchecked Sendable {  // one round at a time, from one thread
    public let campus: String
    public let node: LedgerNode
    public let roster: BoCSRoster
    /// SRET's strategy and P_c for the cross-campus allocation.
    public var algorithm: MatchAlgorithm = .sretDouble
    public var chargerPowerW: Int64
    public var gamma1 = Ratio(ppm: 100_000)
    public var gamma2 = Ratio(ppm: 100_000)
    public var now: @Sendable () -> Int64 = { Int64(time(nil)) }
    /// Signs and has endorsed the seat's transactions on the BoCS.
    public let author: TransactionAuthor
    private let key: SigningKey

    /// - Parameters:
    ///   - key: the control system's key (the BoCS node's, and its campus node's).
    ///   - node: its BoCS node, linked to the other control systems' BoCS nodes; it endorses.
    public init(campus: String, key: SigningKey, node: LedgerNode, roster: BoCSRoster, chargerPowerW: Int64,
                timeout: Duration = .seconds(2)) throws(LedgerError) {
        self.campus = campus
        self.key = key
        self.node = node
        self.roster = roster
        self.chargerPowerW = chargerPowerW
        try node.enableEndorsing(with: key)
        let others = roster.campuses.values.sorted()
        author = TransactionAuthor(key: key, node: node, endorsers: others, required: others.count, timeout: timeout)
    }

    public var isOrderer: Bool { key.publicKey == roster.orderer }

    /// The orderer seals the BoCS genesis block, unless the node holds it already; others do nothing.
    @discardableResult
    public func start() throws(LedgerError) -> Block? {
        guard isOrderer, node.heads[.bocs] == nil else { return nil }
        let tx = author.sign(.bocs, .config, timestamp: now(), payload: roster.config.encoded)
        return try node.seal(.bocs, [tx], orderer: key, timestamp: now())
    }

    /// What a campus round left for the others: requests that got nothing (from consumers and exchanges with
    /// no penalty list: the campus's penalties follow them) and EVs that were not used at all.
    public static func surplus(campus: String, report: RoundReport) -> CampusSurplusPayload {
        var requests: [CampusSurplusPayload.Request] = []
        var offers: [OfferPayload] = []
        if let inputs = report.inputs, let result = report.result {
            for o in result.outcomes where !o.fulfilled && o.allocatedWh == 0 {
                let r = inputs.requests[o.requestIndex]
                let consumer = ConsumerKey(exchange: ExchangeID(r.exchange), consumer: ConsumerID(r.entry.consumer))
                guard report.penalties.consumers[consumer] == nil, report.penalties.exchanges[ExchangeID(r.exchange)] == nil
                else { continue }
                requests.append(.init(exchange: r.exchange, entry: r.entry))
            }
            let used = Set(result.allocations.map(\.offerIndex))
            offers = inputs.offers.enumerated().filter { !used.contains($0.offset) && $0.element.energyWh > 0 }.map(\.element)
        }
        return CampusSurplusPayload(campus: campus, round: report.round, allocation: report.allocation?.id ?? .zero,
                                    requests: requests, offers: offers)
    }

    /// Posts the campus's surplus of a round to the BoCS, endorsed by every control system.
    @discardableResult
    public func submitSurplus(_ surplus: CampusSurplusPayload) throws(RoundError) -> Transaction {
        do { return try author.submit(.bocs, .campusSurplus, payload: surplus.encoded) } catch {
            throw node.isStopped ? .stopped : .node(error)
        }
    }

    /// The orderer's part: waits for the surpluses of `campuses` for `round` (or `deadline`), seals them, runs
    /// SRET over them with the BoCS penalty lists, has every control system re-execute and endorse the result,
    /// and seals it with its notification, metering record, settlement and penalty update.
    public func allocate(round: UInt64, campuses: Set<String>, deadline: Duration,
                         meter: some MeterReader) throws(RoundError) -> CrossCampusReport {
        var report = CrossCampusReport(round: round)
        let clock = ContinuousClock()
        var t = clock.now
        let members = node.withLedger { $0.chain(.bocs).config?.members ?? [] }
        func select(_ pool: [Transaction]) -> [String: Transaction] {
            var out: [String: Transaction] = [:]
            for tx in pool where tx.kind == .campusSurplus {
                guard let p = try? CampusSurplusPayload.decode(tx.payload), p.round == round, campuses.contains(p.campus),
                      members.contains(where: { $0.key == tx.author && $0.name == p.campus && $0.role == .controlSystem }),
                      out[p.campus] == nil else { continue }
                out[p.campus] = tx
            }
            return out
        }
        _ = node.waitForPool(timeout: deadline) { Set(select($0[.bocs] ?? []).keys) == campuses }
        if node.isStopped { throw .stopped }
        let chosen = select(node.pooled(.bocs))
        report.missing = campuses.subtracting(chosen.keys)
        report.collect = clock.now - t
        t = clock.now

        let sealed: Block
        do {
            (sealed, _) = try node.sealDroppingRejected(.bocs, chosen.keys.sorted().map { chosen[$0]! }, orderer: key,
                                                        timestamp: now())
        } catch {
            throw node.isStopped ? .stopped : .ledger(error, during: "sealing the surpluses of round \(round)")
        }
        report.blocks.append(sealed)
        node.evictPool(keeping: (round + 1)...(round + LedgerNode.roundsAhead))
        for tx in sealed.transactions {
            if let p = try? CampusSurplusPayload.decode(tx.payload) {
                report.campuses.append(p.campus)
                report.requests += p.requests.count
                report.offers += p.offers.count
            }
        }
        report.seal = clock.now - t
        t = clock.now
        // Allocated even when one side is empty (an empty result): every campus then sees the round closed.
        guard !sealed.transactions.isEmpty else { return report }

        let penalties = node.withLedger { $0.penalties }
        let result: AllocationResultPayload, inputs: RoundInputs
        do {
            (result, inputs) = try RoundRecorder.allocationResult(
                round: round, inputs: sealed.transactions, algorithm: algorithm, chargerCapacityWh: nil,
                chargerPowerW: chargerPowerW, gamma1: gamma1, gamma2: gamma2, penalties: penalties)
        } catch {
            throw .matcher(error, round: round)
        }
        report.result = RoundRecorder.match(result)
        report.inputs = inputs
        let allocationTx = author.sign(.bocs, .allocationResult, timestamp: now(), payload: result.encoded)
        report.allocate = clock.now - t
        t = clock.now

        let records = try RoundRecords.make(author, .bocs, round: round, allocation: allocationTx, result: result,
                                            inputs: inputs, penalties: penalties, timestamp: now(),
                                            recipient: { "\($0.exchange)/\($0.entry.consumer)" }, meter: MeteredNow(meter))
        // Every control system re-executes the result on the surpluses just sealed; each holds the request until
        // that block reaches it.
        let results: [Transaction]
        do { results = try author.endorseAll([allocationTx] + records) } catch {
            throw node.isStopped ? .stopped : .node(error)
        }
        do {
            report.blocks.append(try node.seal(.bocs, results, orderer: key, timestamp: now()))
        } catch {
            throw node.isStopped ? .stopped : .ledger(error, during: "sealing the cross-campus results of round \(round)")
        }
        report.record = clock.now - t
        return report
    }

    /// Waits until the BoCS holds the cross-campus allocation result of `round`; nil after `timeout` or when the
    /// node stops.
    public func waitForResult(round: UInt64, timeout: Duration) -> AllocationResultPayload? {
        var found: AllocationResultPayload?
        _ = node.waitForCommits(timeout: timeout) { ledger in
            found = Self.result(round: round, in: ledger)
            return found != nil
        }
        return found
    }

    /// The cross-campus allocation result of `round` on `ledger`'s BoCS, if committed.
    public static func result(round: UInt64, in ledger: Ledger) -> AllocationResultPayload? {
        ledger.allocationResults(on: .bocs).first { $0.round == round }
    }
}
