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

/// What a committed allocation result leaves for its notification, metering, settlement and penalty update to
/// refer to (while it is open: not both settled and penalised, docs/wire-format.md §6.1), and for the EV gateways
/// that turn it into setpoints (kept while its round is among the channel's `Ledger.closedRoundsKept` latest).
struct AllocationRecord: Sendable {
    var payload: AllocationResultPayload
    var inputs: RoundInputs
    var channel: Channel
    var timestamp: Int64
    var metering: Digest?
    var settled = false
    var penalised = false
    var closed: Bool { settled && penalised }
}

/// A committed transaction an allocation result may still name: a request list or an offer (named by the BoE's
/// results) or a campus surplus (by the BoCS's), until a result of its round is committed there.
struct RetainedInput: Sendable {
    var tx: Transaction
    var round: UInt64
    /// The channel whose allocation results may name it.
    var user: Channel
}

/// The validated ledger: every channel's chain, and the state derived only from committed blocks
/// (penalty lists, balances). Blocks go in through `append`, which validates them whole first.
///
/// What it keeps does not grow with the chain (a gateway runs for months): the inputs of rounds not allocated
/// yet, and the allocation results not yet both settled and penalised; the blocks themselves live in the store.
public final class Ledger: @unchecked Sendable {
    public private(set) var chains: [Channel: ChainState] = [:]
    /// Penalty lists (SPEC §3.4), as committed penalty updates left them.
    public private(set) var penalties = PenaltyBook()
    /// Account balances in micro-units (SPEC §4); they always sum to zero.
    public private(set) var balances: [String: Int64] = [:]
    // The inputs, which a round adds by the thousand, are changed in place and rolled back by key on a bad block;
    // the small derived state is restored from a copy.
    private var inputs: [Digest: RetainedInput] = [:]
    private var admitted: [Digest] = []
    private var allocations: [Digest: AllocationRecord] = [:]
    private var meterings: [Digest: MeteringPayload] = [:]
    /// Meter reports (kind 10) by the allocation result they measure, in chain order.
    private var reports: [Digest: [MeterReportPayload]] = [:]
    /// Signatures found valid, shared with whoever checks transactions before they reach a block (a pool, an
    /// endorser).
    public let signatures = SignatureCache()

    /// How many of a channel's latest allocated rounds keep their closed results queryable, by default: an EV
    /// gateway reads its setpoints from the current round's, which the control system may have metered in the
    /// same block.
    public static let defaultClosedRoundsKept: UInt64 = 2
    /// How many of a channel's latest allocated rounds keep their closed (settled and penalised) results queryable.
    public let closedRoundsKept: UInt64

    public init(closedRoundsKept: UInt64 = Ledger.defaultClosedRoundsKept) { self.closedRoundsKept = closedRoundsKept }

    /// The chain of a channel.
    public func chain(_ channel: Channel) -> ChainState { chains[channel] ?? ChainState() }

    /// A committed request list, offer or campus surplus that an allocation result may still name (its round not
    /// allocated yet); nil for anything else.
    public func retainedInput(_ id: Digest) -> Transaction? { inputs[id]?.tx }

    /// What the ledger holds in memory besides its chains' heads: it stays bounded however long the chain grows.
    public struct Retained: Sendable, Equatable {
        /// Request lists, offers and campus surpluses of rounds not allocated yet.
        public var inputs: Int
        /// Allocation results open, or closed in one of the `closedRoundsKept` latest allocated rounds.
        public var allocations: Int
        /// Meter reports (kind 10) of the last 64 allocated rounds.
        public var meterReports: Int
    }

    /// What the ledger holds now (the node's metrics report it).
    public var retained: Retained {
        Retained(inputs: inputs.count, allocations: allocations.count, meterReports: reports.values.reduce(0) { $0 + $1.count })
    }

    /// The allocation results of a channel still kept (open, or closed in one of the `closedRoundsKept` latest
    /// allocated rounds), in no particular order.
    public func allocationResults(on channel: Channel) -> [AllocationResultPayload] {
        allocations.values.compactMap { $0.channel == channel ? $0.payload : nil }
    }

    /// The allocation result of `round` on `channel`, with the inputs it ran on, its tx_id and its timestamp; nil if
    /// none is committed or it is no longer kept (what an EV gateway turns into its chargers' setpoints).
    public func allocation(round: UInt64, on channel: Channel)
        -> (result: AllocationResultPayload, inputs: RoundInputs, id: Digest, timestamp: Int64)? {
        for (id, record) in allocations where record.payload.round == round && record.channel == channel {
            return (record.payload, record.inputs, id, record.timestamp)
        }
        return nil
    }

    /// The committed allocation results of `channel` not metered yet, oldest round first, with their tx_ids and
    /// timestamps: what a control system that meters after the delivery still owes.
    public func unmeteredAllocations(on channel: Channel)
        -> [(id: Digest, result: AllocationResultPayload, inputs: RoundInputs, timestamp: Int64)] {
        allocations.compactMap { id, record in
            record.metering == nil && record.channel == channel ? (id, record.payload, record.inputs, record.timestamp) : nil
        }.sorted { $0.result.round < $1.result.round }
    }

    /// The committed metering record of the allocation result `allocation`, and its tx_id; nil until it is metered.
    public func metering(of allocation: Digest) -> (payload: MeteringPayload, id: Digest)? {
        guard let id = allocations[allocation]?.metering, let m = meterings[id] else { return nil }
        return (m, id)
    }

    /// Whether the allocation result `allocation` is committed and still kept (open, or closed in one of the
    /// `closedRoundsKept` latest allocated rounds).
    public func keeps(_ allocation: Digest) -> Bool { allocations[allocation] != nil }

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
            for id in admitted { inputs[id] = nil }
            (chains, penalties, balances, allocations, meterings, reports) = saved
            throw error.at(height: block.height)
        }
        // A committed result's round is over: no later result may name its inputs (§6.1); closed results go when
        // their round leaves the `closedRoundsKept` latest, meter reports (read by the metering a round or two
        // later) after 64 rounds.
        let allocated = chain(block.channel).lastAllocatedRound
        if allocated > 0, block.transactions.contains(where: { $0.kind == .allocationResult }) {
            inputs = inputs.filter { $0.value.user != block.channel || $0.value.round > allocated }
            for (id, record) in allocations
            where record.channel == block.channel && record.closed && record.payload.round &+ closedRoundsKept <= allocated {
                allocations[id] = nil
                if let m = record.metering { meterings[m] = nil }
                reports[id] = nil
            }
            if block.channel == .boe { reports = reports.filter { $0.value.contains { $0.round &+ 64 > allocated } } }
        }
    }

    /// Checks that `tx` would be admitted and executed as the next transaction of its channel, its endorsements
    /// aside: what an endorser does before it signs, re-executing an allocation result on its committed inputs.
    /// Nothing changes.
    public func check(_ tx: Transaction) throws(LedgerError) {
        let saved = (chains, penalties, balances, allocations, meterings, reports)
        admitted.removeAll(keepingCapacity: true)
        defer {
            for id in admitted { inputs[id] = nil }
            (chains, penalties, balances, allocations, meterings, reports) = saved
        }
        var chain = chains[tx.channel] ?? ChainState()
        guard chain.config != nil else { throw LedgerError(.chain, "\(tx.channel) has no genesis block") }
        try admit(tx, id: tx.id, on: tx.channel, chain: &chain, genesis: false, endorsed: false)
        try execute(tx, id: tx.id, chain: &chain)
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
                try execute(tx, id: ids[i], chain: &chain)
            } catch {
                throw error.at(height: block.height, transaction: i)
            }
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
        // A transaction seen before has a nonce not above its author's last: no tx_id can repeat on a channel.
        if let last = chain.lastNonce[tx.author], tx.nonce <= last {
            throw LedgerError(.replay, "nonce \(tx.nonce) does not exceed the author's last, \(last)")
        }
        chain.lastNonce[tx.author] = tx.nonce
    }

    /// Keeps an input for the results of `user` while its round is not allocated there (§6.1: later results name
    /// only inputs of their own round, and their rounds increase).
    private func retain(_ tx: Transaction, id: Digest, round: UInt64, for user: Channel, chain: ChainState) {
        let allocated = user == tx.channel ? chain.lastAllocatedRound : self.chain(user).lastAllocatedRound
        guard round > allocated else { return }
        inputs[id] = RetainedInput(tx: tx, round: round, user: user)
        admitted.append(id)
    }

    /// The open allocation result `id` on `channel`, for a record that refers to it.
    private func openAllocation(_ id: Digest, on channel: Channel, _ what: String) throws(LedgerError) -> AllocationRecord {
        guard let record = allocations[id], record.channel == channel, !record.closed else {
            throw LedgerError(.unknownInput, "\(what) of an unknown, closed or other channel's allocation")
        }
        return record
    }

    /// Decodes the payload and re-executes what is deterministic, updating derived state.
    private func execute(_ tx: Transaction, id: Digest, chain: inout ChainState) throws(LedgerError) {
        switch tx.kind {
        case .config: _ = try ChannelConfig.decode(tx.payload)
        case .requestList: retain(tx, id: id, round: try RequestListPayload.decode(tx.payload).round, for: .boe, chain: chain)
        case .offer: retain(tx, id: id, round: try OfferPayload.decode(tx.payload).round, for: .boe, chain: chain)
        case .modelUpdate: _ = try ModelUpdatePayload.decode(tx.payload)
        case .campusSurplus: retain(tx, id: id, round: try CampusSurplusPayload.decode(tx.payload).round, for: .bocs, chain: chain)
        case .meterReport:
            // Not checked against the allocation: it is on BoE, which a BoEV replica may hold later or not at all.
            // The metering record that reads it is checked by whoever holds both (docs/wire-format.md §5, kind 10).
            let m = try MeterReportPayload.decode(tx.payload)
            reports[m.allocation, default: []].append(m)
        case .notification:
            let n = try NotificationPayload.decode(tx.payload)
            _ = try openAllocation(n.allocation, on: tx.channel, "notification")
        case .allocationResult:
            let result = try AllocationResultPayload.decode(tx.payload)
            guard result.round > chain.lastAllocatedRound else {
                throw LedgerError(.replay, "round \(result.round) is not after the last allocated round, \(chain.lastAllocatedRound)")
            }
            for input in result.inputs {
                guard let retained = inputs[input], retained.user == tx.channel else {
                    throw LedgerError(.unknownInput, "input \(input) is not a committed \(tx.channel == .bocs ? "campus surplus" : "request list or offer") of an open round")
                }
                guard retained.round == result.round else {
                    throw LedgerError(.unknownInput, "input \(input) is of round \(retained.round), the result of round \(result.round)")
                }
            }
            let inputs = try RoundInputs.collect(result) { self.inputs[$0]?.tx }
            let expected = try RoundExecution.expected(result, inputs: inputs, penalties: penalties)
            guard expected.allocations == result.allocations else {
                throw LedgerError(.reexecution, "allocations differ from the matcher's on the same inputs")
            }
            guard expected.outcomes == result.outcomes else {
                throw LedgerError(.reexecution, "request outcomes differ from the matcher's on the same inputs")
            }
            allocations[id] = AllocationRecord(payload: result, inputs: inputs, channel: tx.channel, timestamp: tx.timestamp)
            chain.lastAllocatedRound = result.round
        case .meteringRecord:
            let m = try MeteringPayload.decode(tx.payload)
            var record = try openAllocation(m.allocation, on: tx.channel, "metering")
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
            record.metering = id
            allocations[m.allocation] = record
            meterings[id] = m
        case .settlement:
            let s = try SettlementPayload.decode(tx.payload)
            var record = try openAllocation(s.allocation, on: tx.channel, "settlement")
            guard record.metering == s.metering, let m = meterings[s.metering] else {
                throw LedgerError(.unknownInput, "settlement of an unmetered allocation, or by another metering record")
            }
            guard !record.settled else { throw LedgerError(.replay, "that allocation is already settled") }
            guard s.transfers == (try Settlement.transfers(record.payload, inputs: record.inputs, metering: m)) else {
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
            var record = try openAllocation(p.allocation, on: tx.channel, "penalty update")
            guard record.metering == p.metering, let m = meterings[p.metering] else {
                throw LedgerError(.unknownInput, "penalty update for an unmetered allocation, or by another metering record")
            }
            guard !record.penalised else { throw LedgerError(.replay, "that allocation's penalties are already updated") }
            let (book, change) = try Settlement.penaltyUpdate(record.payload, inputs: record.inputs, metering: m, current: penalties)
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
    static func transfers(_ result: AllocationResultPayload, inputs: RoundInputs, metering: MeteringPayload) throws(LedgerError) -> [SettlementPayload.Transfer] {
        var out: [SettlementPayload.Transfer] = []
        for r in metering.readings where r.settledWh > 0 {
            let a = result.allocations[Int(r.allocationIndex)]
            let request = inputs.requests[Int(a.request)]
            let amount: Int64
            do { amount = try money(pricePerKWh: request.entry.bid, energyWh: r.settledWh) } catch {
                throw LedgerError(.reexecution, error.message)
            }
            out.append(.init(payer: consumerAccount(exchange: request.exchange, consumer: request.entry.consumer),
                             payee: evAccount(inputs.offers[Int(a.offer)].ev), amount: amount))
        }
        return out
    }

    /// The penalty book after a round's metering, and the lists that changed, sorted as the payload lists them.
    static func penaltyUpdate(_ result: AllocationResultPayload, inputs: RoundInputs, metering: MeteringPayload, current: PenaltyBook)
        throws(LedgerError) -> (PenaltyBook, (consumers: [PenaltyUpdatePayload.ConsumerPenalty], exchanges: [PenaltyUpdatePayload.ExchangePenalty])) {
        var delivered = [Int64](repeating: 0, count: result.allocations.count)
        for r in metering.readings { delivered[Int(r.allocationIndex)] = r.deliveredWh }
        // An allocation measured at the EV's side says nothing of the consumer: it leaves the penalty update as if
        // it had not been made (its energy off the request's allocated total; a request left with none was not
        // selected, for its exchange either).
        var excused: [Int: Int64] = [:]
        var kept: [Allocation] = [], keptDelivered: [Int64] = []
        for (a, wh) in zip(result.allocations, delivered) {
            if wh < 0 {
                excused[Int(a.request), default: 0] += a.energyWh
            } else {
                kept.append(Allocation(requestIndex: Int(a.request), offerIndex: Int(a.offer), energyWh: a.energyWh, interval: a.interval))
                keptDelivered.append(wh)
            }
        }
        delivered = keptDelivered
        let match = MatchResult(
            allocations: kept,
            outcomes: result.outcomes.map {
                RequestOutcome(requestIndex: Int($0.request), demandWh: $0.demandWh,
                               allocatedWh: $0.allocatedWh - (excused[Int($0.request)] ?? 0), fulfilled: $0.fulfilled)
            })
        var book = current
        do {
            try book.applyRound(match, requests: inputs.energyRequests, deliveredWh: delivered,
                                gamma1: result.gamma1, gamma2: result.gamma2)
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
