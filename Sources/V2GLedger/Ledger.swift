import V2GKit

/// One channel's chain as a validating peer tracks it.
public struct ChainState: Sendable {
    public internal(set) var config: ChannelConfig? {
        didSet {
            // Looked up for every transaction: index the config once.
            roles = [:]
            for m in config?.members ?? [] { roles[m.key, default: []].insert(m.role) }
            endorsers = Set(config?.endorsers ?? [])
        }
    }
    var roles: [PublicKey: Set<Role>] = [:]
    var endorsers: Set<PublicKey> = []
    /// Height of the last block; nil before genesis.
    public internal(set) var height: UInt64?
    public internal(set) var head: Digest = .zero
    var lastNonce: [PublicKey: UInt64] = [:]
    /// The latest round with a committed allocation result on this channel (0 before the first).
    public internal(set) var lastAllocatedRound: UInt64 = 0

    /// The highest nonce of `author` committed on this channel (0 if none): the next must exceed it.
    public func lastNonce(of author: PublicKey) -> UInt64 { lastNonce[author] ?? 0 }
}

/// What a committed allocation result leaves for metering, settlement and penalties to refer to.
struct AllocationRecord: Sendable {
    var payload: AllocationResultPayload
    var inputs: RoundInputs
    var metering: Digest?
    var settled = false
    var penalised = false
}

/// The validated ledger: every channel's chain, and the state derived only from committed blocks
/// (penalty lists, balances). Blocks go in through `append`, which validates them whole first.
public final class Ledger: @unchecked Sendable {
    public private(set) var chains: [Channel: ChainState] = [:]
    /// Penalty lists (SPEC §3.4), as committed penalty updates left them.
    public private(set) var penalties = PenaltyBook()
    /// Account balances in micro-units (SPEC §4); they always sum to zero.
    public private(set) var balances: [String: Int64] = [:]
    // The two indexes that grow with the chain are changed in place and rolled back by key on a bad block;
    // the small derived state is restored from a copy.
    private var transactions: [Digest: Transaction] = [:]
    private var seen: [Channel: Set<Digest>] = [:]
    private var admitted: [(Channel, Digest)] = []
    private var allocations: [Digest: AllocationRecord] = [:]
    private var meterings: [Digest: MeteringPayload] = [:]
    /// Meter reports (kind 10) by the allocation result they measure, in chain order.
    private var reports: [Digest: [MeterReportPayload]] = [:]
    /// Signatures found valid, shared with whoever checks transactions before they reach a block (a pool, an
    /// endorser).
    public let signatures = SignatureCache()

    public init() {}

    /// The chain of a channel.
    public func chain(_ channel: Channel) -> ChainState { chains[channel] ?? ChainState() }

    /// A committed transaction by ID.
    public func transaction(_ id: Digest) -> Transaction? { transactions[id] }

    /// The committed allocation results of a channel, in no particular order.
    public func allocationResults(on channel: Channel) -> [AllocationResultPayload] {
        allocations.compactMap { id, record in transactions[id]?.channel == channel ? record.payload : nil }
    }

    /// The committed allocation result of `round` on `channel`, with the inputs it ran on and its tx_id; nil if none is
    /// committed (what an EV gateway turns into its chargers' setpoints).
    public func allocation(round: UInt64, on channel: Channel) -> (result: AllocationResultPayload, inputs: RoundInputs, id: Digest)? {
        for (id, record) in allocations where record.payload.round == round && transactions[id]?.channel == channel {
            return (record.payload, record.inputs, id)
        }
        return nil
    }

    /// The committed allocation results of `channel` not metered yet, oldest round first, with their tx_ids:
    /// what a control system that meters after the delivery still owes.
    public func unmeteredAllocations(on channel: Channel) -> [(id: Digest, result: AllocationResultPayload, inputs: RoundInputs)] {
        allocations.compactMap { id, record in
            record.metering == nil && transactions[id]?.channel == channel ? (id, record.payload, record.inputs) : nil
        }.sorted { $0.result.round < $1.result.round }
    }

    /// The committed metering record of the allocation result `allocation`, and its tx_id; nil until it is metered.
    public func metering(of allocation: Digest) -> (payload: MeteringPayload, id: Digest)? {
        guard let id = allocations[allocation]?.metering, let m = meterings[id] else { return nil }
        return (m, id)
    }

    /// The committed meter reports (kind 10) of the allocation result `allocation`, in chain order.
    public func meterReports(of allocation: Digest) -> [MeterReportPayload] { reports[allocation] ?? [] }

    /// The highest nonce of `author` committed on any channel (0 if none): an author restarting signs above it.
    public func lastNonce(of author: PublicKey) -> UInt64 {
        chains.values.compactMap { $0.lastNonce[author] }.max() ?? 0
    }

    /// Validates `block` against everything committed so far and, if it is valid, commits it; otherwise
    /// nothing changes and the error names the block (and transaction) and the reason.
    public func append(_ block: Block) throws(LedgerError) {
        let saved = (chains, penalties, balances, allocations, meterings, reports)
        admitted.removeAll(keepingCapacity: true)
        do {
            try apply(block)
        } catch {
            for (channel, id) in admitted {
                transactions[id] = nil
                seen[channel]?.remove(id)
            }
            (chains, penalties, balances, allocations, meterings, reports) = saved
            throw error.at(height: block.height)
        }
    }

    /// Checks that `tx` would be admitted and executed as the next transaction of its channel, its endorsements
    /// aside: what an endorser does before it signs, re-executing an allocation result on its committed inputs.
    /// Nothing changes.
    public func check(_ tx: Transaction) throws(LedgerError) {
        let saved = (chains, penalties, balances, allocations, meterings, reports)
        admitted.removeAll(keepingCapacity: true)
        defer {
            for (channel, id) in admitted {
                transactions[id] = nil
                seen[channel]?.remove(id)
            }
            (chains, penalties, balances, allocations, meterings, reports) = saved
        }
        var chain = chains[tx.channel] ?? ChainState()
        guard chain.config != nil else { throw LedgerError(.chain, "\(tx.channel) has no genesis block") }
        try admit(tx, id: tx.id, on: tx.channel, chain: &chain, genesis: false, endorsed: false)
        try execute(tx)
    }

    private func apply(_ block: Block) throws(LedgerError) {
        var chain = chains[block.channel] ?? ChainState()
        let expectedHeight = chain.height.map { $0 + 1 } ?? 0
        guard block.height == expectedHeight else {
            throw LedgerError(.chain, "height \(block.height), expected \(expectedHeight)")
        }
        guard block.previous == chain.head else { throw LedgerError(.chain, "previous hash does not match block \(expectedHeight &- 1)") }
        let config: ChannelConfig
        if block.height == 0 {
            guard block.transactions.count == 1, block.transactions[0].kind == .config else {
                throw LedgerError(.chain, "a genesis block holds exactly one config transaction")
            }
            config = try ChannelConfig.decode(block.transactions[0].payload)
            guard block.transactions[0].author == config.orderer else {
                throw LedgerError(.roleNotAllowed, "the config is not authored by its orderer", transaction: 0)
            }
            guard Set(config.endorsers).isSubset(of: Set(config.members.map(\.key))),
                  Int(config.endorsementsRequired) <= config.endorsers.count else {
                throw LedgerError(.endorsement, "the endorsement policy names non-members or needs more than it has")
            }
        } else {
            guard let current = chain.config else { throw LedgerError(.chain, "no genesis block") }
            config = current
        }
        guard block.orderer == config.orderer else { throw LedgerError(.chain, "block not packed by the channel's orderer") }
        signatures.prefetch(Self.signatureChecks(block))
        guard signatures.verify(block.orderer, block.signature, of: block.hash.bytes) else {
            throw LedgerError(.badSignature, "orderer signature does not verify")
        }
        let ids = block.transactions.map(\.id)
        guard Merkle.root(ids) == block.merkleRoot else {
            throw LedgerError(.merkle, "Merkle root does not match the transactions")
        }
        if block.height == 0 { chain.config = config }
        for (i, tx) in block.transactions.enumerated() {
            do {
                try admit(tx, id: ids[i], on: block.channel, chain: &chain, genesis: block.height == 0)
                try execute(tx)
            } catch {
                throw error.at(height: block.height, transaction: i)
            }
        }
        for (id, tx) in zip(ids, block.transactions) where tx.kind == .allocationResult {
            chain.lastAllocatedRound = max(chain.lastAllocatedRound, allocations[id]?.payload.round ?? 0)
        }
        chain.height = block.height
        chain.head = block.hash
        chains[block.channel] = chain
        guard balances.values.reduce(0, &+) == 0 else {
            throw LedgerError(.reexecution, "balances no longer sum to zero") // money is never created or lost
        }
    }

    /// Every signature a block carries: its orderer's, and each transaction's author's and endorsers'.
    public static func signatureChecks(_ block: Block) -> [(PublicKey, Signature, [UInt8])] {
        var out: [(PublicKey, Signature, [UInt8])] = [(block.orderer, block.signature, block.hash.bytes)]
        for tx in block.transactions {
            let id = tx.id.bytes
            out.append((tx.author, tx.signature, id))
            for e in tx.endorsements { out.append((e.endorser, e.signature, id)) }
        }
        return out
    }

    /// Signatures, membership, roles, endorsements and replay (docs/wire-format.md §6, step 3-4).
    private func admit(_ tx: Transaction, id: Digest, on channel: Channel, chain: inout ChainState,
                       genesis: Bool, endorsed: Bool = true) throws(LedgerError) {
        guard tx.channel == channel else { throw LedgerError(.chain, "transaction for \(tx.channel) in a \(channel) block") }
        guard tx.kind.channels.contains(channel) else { throw LedgerError(.kindNotAllowed, "\(tx.kind) is not allowed on \(channel)") }
        guard (tx.kind == .config) == genesis else { throw LedgerError(.kindNotAllowed, "config transactions belong to genesis only") }
        guard signatures.verify(tx.author, tx.signature, of: id.bytes) else {
            throw LedgerError(.badSignature, "author signature does not verify")
        }
        let roles = chain.roles[tx.author] ?? []
        guard !roles.isEmpty else { throw LedgerError(.notMember, "author \(tx.author) is not a member of \(channel)") }
        guard !roles.isDisjoint(with: tx.kind.authors) else {
            throw LedgerError(.roleNotAllowed, "\(tx.kind) may not be authored by a \(roles.map { "\($0)" }.sorted().joined(separator: "/"))")
        }
        if tx.kind != .config && endorsed {
            var last: PublicKey?
            for e in tx.endorsements {
                if let last, !(last < e.endorser) { throw LedgerError(.endorsement, "endorsements not sorted or repeated") }
                last = e.endorser
                guard chain.endorsers.contains(e.endorser) else { throw LedgerError(.endorsement, "\(e.endorser) is not an endorser") }
                guard signatures.verify(e.endorser, e.signature, of: id.bytes) else {
                    throw LedgerError(.badSignature, "endorsement by \(e.endorser) does not verify")
                }
            }
            let required = Int(chain.config?.endorsementsRequired ?? 0)
            guard tx.endorsements.count >= required else {
                throw LedgerError(.endorsement, "\(tx.endorsements.count) endorsements, the policy needs \(required)")
            }
        }
        guard seen[channel]?.contains(id) != true else { throw LedgerError(.replay, "transaction \(id) is already on \(channel)") }
        if let last = chain.lastNonce[tx.author], tx.nonce <= last {
            throw LedgerError(.replay, "nonce \(tx.nonce) does not exceed the author's last, \(last)")
        }
        seen[channel, default: []].insert(id)
        admitted.append((channel, id))
        chain.lastNonce[tx.author] = tx.nonce
        transactions[id] = tx
    }

    /// Decodes the payload and re-executes what is deterministic, updating derived state.
    private func execute(_ tx: Transaction) throws(LedgerError) {
        switch tx.kind {
        case .config: _ = try ChannelConfig.decode(tx.payload)
        case .requestList: _ = try RequestListPayload.decode(tx.payload)
        case .offer: _ = try OfferPayload.decode(tx.payload)
        case .modelUpdate: _ = try ModelUpdatePayload.decode(tx.payload)
        case .campusSurplus: _ = try CampusSurplusPayload.decode(tx.payload)
        case .meterReport:
            // Not checked against the allocation: it is on BoE, which a BoEV replica may hold later or not at all.
            // The metering record that reads it is checked by whoever holds both (docs/wire-format.md §5, kind 10).
            let m = try MeterReportPayload.decode(tx.payload)
            reports[m.allocation, default: []].append(m)
        case .notification:
            let n = try NotificationPayload.decode(tx.payload)
            guard allocations[n.allocation] != nil else { throw LedgerError(.unknownInput, "notification of an unknown allocation") }
        case .allocationResult:
            let result = try AllocationResultPayload.decode(tx.payload)
            let inputs = try RoundInputs.collect(result) { transactions[$0] }
            let expected = try RoundExecution.expected(result, inputs: inputs, penalties: penalties)
            guard expected.allocations == result.allocations else {
                throw LedgerError(.reexecution, "allocations differ from the matcher's on the same inputs")
            }
            guard expected.outcomes == result.outcomes else {
                throw LedgerError(.reexecution, "request outcomes differ from the matcher's on the same inputs")
            }
            allocations[tx.id] = AllocationRecord(payload: result, inputs: inputs)
        case .meteringRecord:
            let m = try MeteringPayload.decode(tx.payload)
            guard var record = allocations[m.allocation] else { throw LedgerError(.unknownInput, "metering of an unknown allocation") }
            guard record.metering == nil else { throw LedgerError(.replay, "that allocation is already metered") }
            var seen = Set<UInt32>()
            for r in m.readings {
                guard Int(r.allocationIndex) < record.payload.allocations.count, seen.insert(r.allocationIndex).inserted else {
                    throw LedgerError(.malformed, "reading for allocation \(r.allocationIndex) is out of range or repeated")
                }
                let allocated = record.payload.allocations[Int(r.allocationIndex)].energyWh
                guard r.deliveredWh <= allocated, r.deliveredWh >= -allocated - 1 else {
                    throw LedgerError(.malformed, "delivered energy outside 0...allocated (or -allocated-1...-1, measured at the EV's side)")
                }
            }
            record.metering = tx.id
            allocations[m.allocation] = record
            meterings[tx.id] = m
        case .settlement:
            let s = try SettlementPayload.decode(tx.payload)
            guard var record = allocations[s.allocation], record.metering == s.metering, let m = meterings[s.metering] else {
                throw LedgerError(.unknownInput, "settlement of an unknown or unmetered allocation")
            }
            guard !record.settled else { throw LedgerError(.replay, "that allocation is already settled") }
            guard s.transfers == (try Settlement.transfers(record, metering: m)) else {
                throw LedgerError(.reexecution, "transfers differ from pay-as-bid on the metered energy")
            }
            for t in s.transfers {
                balances[t.payer, default: 0] &-= t.amount
                balances[t.payee, default: 0] &+= t.amount
            }
            record.settled = true
            allocations[s.allocation] = record
        case .penaltyUpdate:
            let p = try PenaltyUpdatePayload.decode(tx.payload)
            guard var record = allocations[p.allocation], record.metering == p.metering, let m = meterings[p.metering] else {
                throw LedgerError(.unknownInput, "penalty update for an unknown or unmetered allocation")
            }
            guard !record.penalised else { throw LedgerError(.replay, "that allocation's penalties are already updated") }
            let (book, change) = try Settlement.penaltyUpdate(record, metering: m, current: penalties)
            guard change.consumers == p.consumers, change.exchanges == p.exchanges else {
                throw LedgerError(.reexecution, "penalty lists differ from SPEC §3.4 applied to the metering")
            }
            penalties = book
            record.penalised = true
            allocations[p.allocation] = record
        }
    }
}

/// Settlement and penalty rules applied to a metered allocation: what the CS posts and what peers recompute.
public enum Settlement {
    /// The account a consumer pays from.
    public static func consumerAccount(exchange: String, consumer: String) -> String { "consumer:\(exchange)/\(consumer)" }
    /// The account of an EV's owner.
    public static func evAccount(_ ev: String) -> String { "ev:\(ev)" }

    /// Pay-as-bid on metered energy ([T]: B × delivered energy, rounded toward zero), one transfer per reading.
    static func transfers(_ record: AllocationRecord, metering: MeteringPayload) throws(LedgerError) -> [SettlementPayload.Transfer] {
        var out: [SettlementPayload.Transfer] = []
        for r in metering.readings where r.settledWh > 0 {
            let a = record.payload.allocations[Int(r.allocationIndex)]
            let request = record.inputs.requests[Int(a.request)]
            let amount: Int64
            do { amount = try money(pricePerKWh: request.entry.bid, energyWh: r.settledWh) } catch {
                throw LedgerError(.reexecution, error.message)
            }
            out.append(.init(payer: consumerAccount(exchange: request.exchange, consumer: request.entry.consumer),
                             payee: evAccount(record.inputs.offers[Int(a.offer)].ev), amount: amount))
        }
        return out
    }

    /// The penalty book after a round's metering, and the lists that changed, sorted as the payload lists them.
    static func penaltyUpdate(_ record: AllocationRecord, metering: MeteringPayload, current: PenaltyBook)
        throws(LedgerError) -> (PenaltyBook, (consumers: [PenaltyUpdatePayload.ConsumerPenalty], exchanges: [PenaltyUpdatePayload.ExchangePenalty])) {
        var delivered = [Int64](repeating: 0, count: record.payload.allocations.count)
        for r in metering.readings { delivered[Int(r.allocationIndex)] = r.deliveredWh }
        // An allocation measured at the EV's side says nothing of the consumer: it leaves the penalty update as if
        // it had not been made (its energy off the request's allocated total; a request left with none was not
        // selected, for its exchange either).
        var excused: [Int: Int64] = [:]
        var kept: [Allocation] = [], keptDelivered: [Int64] = []
        for (a, wh) in zip(record.payload.allocations, delivered) {
            if wh < 0 {
                excused[Int(a.request), default: 0] += a.energyWh
            } else {
                kept.append(Allocation(requestIndex: Int(a.request), offerIndex: Int(a.offer), energyWh: a.energyWh, interval: a.interval))
                keptDelivered.append(wh)
            }
        }
        delivered = keptDelivered
        let result = MatchResult(
            allocations: kept,
            outcomes: record.payload.outcomes.map {
                RequestOutcome(requestIndex: Int($0.request), demandWh: $0.demandWh,
                               allocatedWh: $0.allocatedWh - (excused[Int($0.request)] ?? 0), fulfilled: $0.fulfilled)
            })
        var book = current
        do {
            try book.applyRound(result, requests: record.inputs.energyRequests, deliveredWh: delivered,
                                gamma1: record.payload.gamma1, gamma2: record.payload.gamma2)
        } catch {
            throw LedgerError(.reexecution, error.message)
        }
        let consumerKeys = Set(book.consumers.keys).union(current.consumers.keys).filter { book.consumers[$0] != current.consumers[$0] }
        let exchangeKeys = Set(book.exchanges.keys).union(current.exchanges.keys).filter { book.exchanges[$0] != current.exchanges[$0] }
        let consumers = consumerKeys.sorted().map {
            PenaltyUpdatePayload.ConsumerPenalty(exchange: $0.exchange.rawValue, consumer: $0.consumer.rawValue,
                                                 values: (book.consumers[$0] ?? []).map(\.rawValue))
        }
        let exchanges = exchangeKeys.sorted().map {
            PenaltyUpdatePayload.ExchangePenalty(exchange: $0.rawValue, values: (book.exchanges[$0] ?? []).map(\.rawValue))
        }
        return (book, (consumers, exchanges))
    }
}
