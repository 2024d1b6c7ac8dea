import Foundation
import V2GKit
import V2GLedger

// A V2GNet trading round ([T] §5.1-5.2, SPEC §5) between separate parties, each holding only its own key:
// exchanges and EVs submit their inputs (endorsed over the network, then gossiped to the control system),
// endorsers answer endorsement requests, and the control system (the orderer) seals the inputs, runs RET on
// them and writes the round's results, as `CampusNetwork.runRound` does when one process holds every key.

/// Why a party could not play its part in a round.
public struct RoundError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case tooFewEndorsements   // the endorsers did not answer enough within the timeout
        case ledger               // the ledger refused a block, or an input does not decode
        case network              // the peer failed (stopped)
        case matcher              // RET, pricing or the penalty rules refused the inputs
    }
    public let code: Code
    public let message: String
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
    public var description: String { "\(code.rawValue): \(message)" }
}

/// Who takes part in a campus, by public key only: what every party knows of the others. Its channel configs
/// are those of `CampusNetwork.config`.
public struct CampusRoster: Sendable {
    public var orderer: PublicKey
    public var endorsers: [PublicKey]
    public var endorsementsRequired: Int
    public var exchanges: [String: PublicKey]
    public var evs: [String: PublicKey]

    public init(orderer: PublicKey, endorsers: [PublicKey], endorsementsRequired: Int, exchanges: [String: PublicKey],
                evs: [String: PublicKey]) {
        self.orderer = orderer
        self.endorsers = endorsers
        self.endorsementsRequired = endorsementsRequired
        self.exchanges = exchanges
        self.evs = evs
    }

    /// The config of a channel: the CS orders; exchanges sit on BoE, EVs on BoEV; endorsers on both.
    public func config(_ channel: Channel) -> ChannelConfig {
        var members = [ChannelConfig.Member(key: orderer, role: .orderer, name: "CS"),
                       ChannelConfig.Member(key: orderer, role: .controlSystem, name: "CS")]
        members += endorsers.enumerated().map { ChannelConfig.Member(key: $1, role: .endorser, name: "endorser\($0 + 1)") }
        if channel == .boe { members += exchanges.sorted { $0.key < $1.key }.map { .init(key: $1, role: .exchange, name: $0) } }
        if channel == .boev { members += evs.sorted { $0.key < $1.key }.map { .init(key: $1, role: .ev, name: $0) } }
        return ChannelConfig(name: "\(channel)", orderer: orderer, members: members,
                             endorsementsRequired: UInt32(endorsementsRequired), endorsers: endorsers)
    }

    /// Every key of the campus, sorted: what each node's ZAP handler admits.
    public var members: [PublicKey] {
        Array(Set([orderer] + endorsers + Array(exchanges.values) + Array(evs.values))).sorted()
    }
}

/// Signs transactions with one key and increasing nonces, has them endorsed over the network, and gossips them.
final class TransactionAuthor: @unchecked Sendable {  // `nonce` under `lock`
    let key: SigningKey
    let node: LedgerNode
    let endorsers: [PublicKey]
    let required: Int
    let timeout: Duration
    private let lock = NSLock()
    private var nonce: UInt64

    init(key: SigningKey, node: LedgerNode, endorsers: [PublicKey], required: Int, timeout: Duration, firstNonce: UInt64 = 1) {
        self.key = key
        self.node = node
        self.endorsers = endorsers
        self.required = required
        self.timeout = timeout
        self.nonce = firstNonce - 1
    }

    /// A signed transaction with the author's next nonce, not yet endorsed.
    func sign(_ channel: Channel, _ kind: TransactionKind, timestamp: Int64 = Int64(time(nil)), payload: [UInt8]) -> Transaction {
        let n: UInt64 = lock.withLock {
            nonce += 1
            return nonce
        }
        let tx = Transaction(channel: channel, kind: kind, author: key, nonce: n, timestamp: timestamp, payload: payload)
        node.signatures.noteValid(tx.author, tx.signature, of: tx.id.bytes)   // ours: valid by construction
        return tx
    }

    /// Collects `required` endorsements for `tx` (up to `timeout`) and returns it endorsed.
    func endorse(_ tx: Transaction) throws(RoundError) -> Transaction {
        // An author that is an endorser too (a control system on the BoCS) endorses through its own node's checks.
        var got: [Endorsement] = []
        if endorsers.contains(key.publicKey), let own = node.state.endorse(tx, log: { _ in }) { got.append(own) }
        let others = endorsers.filter { $0 != key.publicKey }
        do {
            if got.count < required {
                got += try node.peer.requestEndorsements(tx, from: others, required: required - got.count, timeout: timeout)
            }
        } catch {
            throw RoundError(.network, "\(error)")
        }
        got.sort { $0.endorser < $1.endorser }
        // The peer verified each endorsement as it arrived; the block that carries them need not again.
        let id = tx.id.bytes
        for e in got { node.signatures.noteValid(e.endorser, e.signature, of: id) }
        guard got.count >= required else {
            throw RoundError(.tooFewEndorsements, "\(tx.kind) \(tx.id): \(got.count) of \(required) endorsements within \(timeout)")
        }
        var endorsed = tx
        endorsed.endorsements = got
        return endorsed
    }

    /// Has `txs` endorsed, all requests in flight at once; in their order.
    func endorseAll(_ txs: [Transaction]) throws(RoundError) -> [Transaction] {
        let results = ResultBox<Transaction>(count: txs.count)
        DispatchQueue.concurrentPerform(iterations: txs.count) { i in
            do throws(RoundError) {
                results.set(i, .success(try endorse(txs[i])))
            } catch {
                results.set(i, .failure(error))
            }
        }
        var out: [Transaction] = []
        for r in results.values {
            switch r {
            case .success(let tx): out.append(tx)
            case .failure(let e): throw e
            case nil: throw RoundError(.network, "an endorsement request did not finish")
            }
        }
        return out
    }

    /// Signs, endorses and gossips a transaction to the neighbours (the control system among them).
    func submit(_ channel: Channel, _ kind: TransactionKind, payload: [UInt8]) throws(RoundError) -> Transaction {
        let tx = try endorse(sign(channel, kind, payload: payload))
        node.peer.gossip(tx)
        _ = node.offerToPool(tx)   // the author may be the channel's orderer (a control system on the BoCS)
        return tx
    }
}

/// An exchange's agent: submits the request list of its consumers for a round, on BoE.
public final class ExchangeAgent: Sendable {
    public let name: String
    public let node: LedgerNode
    let author: TransactionAuthor

    /// - Parameters:
    ///   - name: the exchange's name, as the BoE config lists it.
    ///   - key: the exchange's key (the node's).
    ///   - node: its ledger node, linked to the endorsers and the control system.
    ///   - endorsers: whom to ask for endorsements; `endorsementsRequired` of them must answer within `timeout`.
    ///   - firstNonce: the nonce of its first transaction; an agent that restarts must start above every nonce it
    ///     used (`Ledger.lastNonce(of:)` holds those committed).
    public init(name: String, key: SigningKey, node: LedgerNode, endorsers: [PublicKey], endorsementsRequired: Int,
                timeout: Duration = .seconds(2), firstNonce: UInt64 = 1) {
        self.name = name
        self.node = node
        author = TransactionAuthor(key: key, node: node, endorsers: endorsers, required: endorsementsRequired, timeout: timeout,
                                   firstNonce: firstNonce)
    }

    /// Signs the request list for `round`, has it endorsed and gossips it to the control system.
    /// - Returns: the endorsed transaction.
    /// - Throws: `RoundError.tooFewEndorsements` if the endorsers did not answer in time.
    @discardableResult
    public func submit(round: UInt64, requests: [RequestListPayload.Entry]) throws(RoundError) -> Transaction {
        try author.submit(.boe, .requestList, payload: RequestListPayload(exchange: name, round: round, requests: requests).encoded)
    }
}

/// An EV's agent: submits its offer for a round, on BoEV.
public final class EVAgent: Sendable {
    public let name: String
    public let node: LedgerNode
    let author: TransactionAuthor

    /// - Parameter firstNonce: as for `ExchangeAgent`.
    public init(name: String, key: SigningKey, node: LedgerNode, endorsers: [PublicKey], endorsementsRequired: Int,
                timeout: Duration = .seconds(2), firstNonce: UInt64 = 1) {
        self.name = name
        self.node = node
        author = TransactionAuthor(key: key, node: node, endorsers: endorsers, required: endorsementsRequired, timeout: timeout,
                                   firstNonce: firstNonce)
    }

    /// Signs the offer of `energyWh` for `round` (available in `window`, for SRET), has it endorsed and gossips it
    /// to the control system.
    @discardableResult
    public func submit(round: UInt64, energyWh: Int64, capacityWh: Int64 = 0, window: Range<Int64>? = nil) throws(RoundError)
        -> Transaction {
        try author.submit(.boev, .offer, payload: OfferPayload(ev: name, round: round, energyWh: energyWh, capacityWh: capacityWh,
                                                               window: window).encoded)
    }
}

/// An endorser: its node answers `endorse` requests on the channels that name it, after checking the author's
/// membership and role, the signature and the payload.
public final class Endorser: Sendable {
    public let node: LedgerNode

    /// - Parameter key: the node's own key.
    public init(node: LedgerNode, key: SigningKey) throws(LedgerError) {
        self.node = node
        try node.enableEndorsing(with: key)
    }

    /// Requests answered with an endorsement.
    public var given: Int { node.counters.endorsementsGiven }
    /// Requests refused, by `LedgerError.Code` raw value.
    public var refused: [String: Int] { node.counters.endorsementRefusals }
}

/// How long the control system's phases of one round took.
public struct RoundTimes: Hashable, Sendable {
    /// From the start of the round until the expected request lists and offers were in the pool (or the deadline).
    public var collect: Duration = .zero
    /// Sealing and publishing the BoEV block of offers and the BoE block of request lists.
    public var sealInputs: Duration = .zero
    /// RET on the committed inputs, and the allocation result built from it.
    public var allocate: Duration = .zero
    /// Notification, metering, settlement and penalty update: signed, endorsed, sealed into the BoE block.
    public var record: Duration = .zero
    public var total: Duration { collect + sealInputs + allocate + record }
    public init() {}
}

/// One allocation as the meters see it: who was to get how much from whom.
public struct MeteredAllocation: Hashable, Sendable {
    public var round: UInt64
    public var exchange: String
    public var consumer: String
    public var ev: String
    public var allocatedWh: Int64
}

/// What the control system did in a round.
public struct RoundReport: Sendable {
    public var round: UInt64
    public var times = RoundTimes()
    /// The exchanges and EVs whose inputs were sealed, and the requests their lists hold.
    public var exchanges: [String] = []
    public var requests = 0
    public var evs: [String] = []
    /// Expected inputs that had not arrived by the deadline.
    public var missingExchanges: Set<String> = []
    public var missingEVs: Set<String> = []
    /// The blocks sealed: BoEV inputs, BoE inputs, BoE results (none without inputs).
    public var blocks: [Block] = []
    /// The matcher's allocation, nil if there was nothing to allocate.
    public var result: MatchResult?
    /// The committed allocation result transaction, the inputs it ran on, and the penalty lists it ran with.
    public var allocation: Transaction?
    public var inputs: RoundInputs?
    public var penalties = PenaltyBook()
    /// Pooled transactions dropped: inputs the ledger refused, duplicates, or inputs of this or earlier rounds
    /// that were not taken.
    public var dropped = 0
}

/// The campus control system: the orderer of BoE and BoEV, which runs the round.
public final class ControlSystem: @unchecked Sendable {  // one round at a time, from one thread
    public let node: LedgerNode
    public let roster: CampusRoster
    public var chargerCapacityWh: Int64?
    /// RET, or an SRET strategy (which needs `chargerPowerW` and windows on every request and offer).
    public var algorithm: AllocationResultPayload.Algorithm = .ret
    public var chargerPowerW: Int64?
    public var gamma1: Ratio
    public var gamma2: Ratio
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

    /// Runs round `round`: waits until the request lists of `exchanges` and the offers of `evs` are in the pool
    /// (or `deadline` passes), seals them (BoEV, then BoE), runs RET on them with the committed penalty lists,
    /// and seals the allocation result, notification, metering record, settlement and penalty update into one
    /// BoE block. `meter` stands in for the meters: the energy delivered for an allocation (clamped to
    /// 0...allocated).
    public func runRound(_ round: UInt64, exchanges: Set<String>, evs: Set<String>, deadline: Duration,
                         meter: (MeteredAllocation) -> Int64) throws(RoundError) -> RoundReport {
        var report = RoundReport(round: round)
        let clock = ContinuousClock()
        var t = clock.now
        node.announce(RoundAnnouncement(round: round, deadline: Int64(Date().timeIntervalSince1970 * 1000) + milliseconds(deadline),
                                        key: key))

        // Collect: the first request list of each expected exchange, the first offer of each expected EV.
        // The name each member has in a role: an exchange may only submit its own list, an EV its own offer.
        let members: [ChannelConfig.Member] = node.withLedger { ledger in
            (ledger.chain(.boe).config?.members ?? []) + (ledger.chain(.boev).config?.members ?? [])
        }
        func owns(_ key: PublicKey, _ name: String, _ role: Role) -> Bool {
            members.contains { $0.key == key && $0.name == name && $0.role == role }
        }
        // The pool is polled every few milliseconds while inputs arrive: each transaction is decoded and checked
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
            return Set(s.lists.keys) == exchanges && Set(s.offers.keys) == evs
        }), clock.now < collectEnd {
            node.reannounce()
        }
        let pool = [Channel.boe: node.pooled(.boe), .boev: node.pooled(.boev)]
        let chosen = select(pool)
        report.missingExchanges = exchanges.subtracting(chosen.lists.keys)
        report.missingEVs = evs.subtracting(chosen.offers.keys)
        report.times.collect = clock.now - t
        t = clock.now

        // Seal the inputs: offers on BoEV, request lists on BoE, each sorted by name.
        let offerTxs = chosen.offers.keys.sorted().map { chosen.offers[$0]! }
        let listTxs = chosen.lists.keys.sorted().map { chosen.lists[$0]! }
        let sealedOffers: [Transaction], sealedLists: [Transaction]
        do {
            let (boev, droppedOffers) = try node.sealDroppingRejected(.boev, offerTxs, orderer: key, timestamp: now())
            let (boe, droppedLists) = try node.sealDroppingRejected(.boe, listTxs, orderer: key, timestamp: now())
            report.blocks += [boev, boe]
            report.dropped += droppedOffers.count + droppedLists.count
            sealedOffers = boev.transactions
            sealedLists = boe.transactions
        } catch {
            throw RoundError(.ledger, "sealing the inputs of round \(round): \(error)")
        }
        report.dropped += dropStale(round: round, pool: pool)
        report.times.sealInputs = clock.now - t
        t = clock.now

        // Allocate: RET on exactly what was sealed, with the committed penalty lists, as every peer re-executes it.
        for tx in sealedLists {
            if let list = try? RequestListPayload.decode(tx.payload) {
                report.exchanges.append(list.exchange)
                report.requests += list.requests.count
            }
        }
        for tx in sealedOffers { if let offer = try? OfferPayload.decode(tx.payload) { report.evs.append(offer.ev) } }
        guard !sealedLists.isEmpty, !sealedOffers.isEmpty else {
            report.times.allocate = clock.now - t
            return report
        }
        let penalties = node.withLedger { $0.penalties }
        let result: AllocationResultPayload, inputs: RoundInputs
        do {
            (result, inputs) = try RoundRecorder.allocationResult(
                round: round, inputs: sealedLists + sealedOffers, algorithm: algorithm, chargerCapacityWh: chargerCapacityWh,
                chargerPowerW: chargerPowerW, gamma1: gamma1, gamma2: gamma2, penalties: penalties)
        } catch {
            throw RoundError(.matcher, "\(algorithm) refuses round \(round): \(error)")
        }
        report.result = RoundRecorder.match(result)
        report.inputs = inputs
        report.penalties = penalties
        let allocationTx = author.sign(.boe, .allocationResult, timestamp: now(), payload: result.encoded)
        report.times.allocate = clock.now - t
        t = clock.now

        // Record: notification, metering, settlement and penalty update, endorsed and sealed with the result.
        let records = try author.records(.boe, round: round, allocation: allocationTx, result: result, inputs: inputs,
                                         penalties: penalties, timestamp: now(), recipient: { $0.entry.consumer }, meter: meter)
        // The endorsers re-execute the result on the inputs just sealed: they must hold them first.
        let inputHeights = Dictionary(report.blocks.map { ($0.channel, $0.height) }, uniquingKeysWith: max)
        guard node.waitForNeighbours(roster.endorsers, toReach: inputHeights, timeout: author.timeout) else {
            throw RoundError(.tooFewEndorsements, "the endorsers did not commit the inputs of round \(round) within \(author.timeout)")
        }
        let results = try author.endorseAll([allocationTx] + records)
        report.allocation = results[0]
        do {
            report.blocks.append(try node.seal(.boe, results, orderer: key, timestamp: now()))
        } catch {
            throw RoundError(.ledger, "sealing the results of round \(round): \(error)")
        }
        report.times.record = clock.now - t
        return report
    }

    /// Drops pooled inputs of this round or earlier that were not sealed (duplicates, unexpected senders).
    private func dropStale(round: UInt64, pool: [Channel: [Transaction]]) -> Int {
        var stale: Set<Digest> = []
        for tx in pool[.boe] ?? [] where tx.kind == .requestList {
            if let p = try? RequestListPayload.decode(tx.payload), p.round <= round { stale.insert(tx.id) }
        }
        for tx in pool[.boev] ?? [] where tx.kind == .offer {
            if let p = try? OfferPayload.decode(tx.payload), p.round <= round { stale.insert(tx.id) }
        }
        let still = Set((node.pooled(.boe) + node.pooled(.boev)).map(\.id)).intersection(stale)
        node.removeFromPool(still)
        return still.count
    }
}

/// Results written from several threads, read after they are done.
private final class ResultBox<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [Result<T, RoundError>?]
    init(count: Int) { items = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ r: Result<T, RoundError>) { lock.withLock { items[i] = r } }
    var values: [Result<T, RoundError>?] { lock.withLock { items } }
}
