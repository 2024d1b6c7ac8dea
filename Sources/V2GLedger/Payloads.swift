import V2GKit

/// A transaction payload with a canonical encoding (docs/wire-format.md §5).
public protocol Payload: Hashable, Sendable {
    static var kind: TransactionKind { get }
    func encode(into w: inout ByteWriter)
    init(from r: inout ByteReader) throws(LedgerError)
}

extension Payload {
    /// The payload's bytes.
    public var encoded: [UInt8] {
        var w = ByteWriter()
        encode(into: &w)
        return w.bytes
    }

    /// Decodes a whole payload.
    public static func decode(_ bytes: [UInt8]) throws(LedgerError) -> Self {
        var r = ByteReader(bytes)
        let value = try Self(from: &r)
        try r.finish("\(kind) payload")
        return value
    }
}

/// A [start, end) window in seconds.
extension ByteWriter {
    mutating func window(_ w: Range<Int64>?) {
        optional(w) { w, v in
            w.i64(v.lowerBound)
            w.i64(v.upperBound)
        }
    }
}

extension ByteReader {
    mutating func window() throws(LedgerError) -> Range<Int64>? {
        try optional("window") { (r) throws(LedgerError) -> Range<Int64> in
            let start = try r.i64("window start"), end = try r.i64("window end")
            guard end > start else { throw LedgerError(.malformed, "window end \(end) is not after start \(start)") }
            return start..<end
        }
    }
}

// MARK: - Kind 0

/// A channel's membership and endorsement policy: the genesis block's only transaction.
public struct ChannelConfig: Payload {
    public static let kind = TransactionKind.config

    public struct Member: Hashable, Sendable {
        public var key: PublicKey
        public var role: Role
        public var name: String
        public init(key: PublicKey, role: Role, name: String) {
            self.key = key
            self.role = role
            self.name = name
        }
    }

    public var name: String
    public var orderer: PublicKey
    public var members: [Member]
    /// k of the policy: endorsements a transaction needs.
    public var endorsementsRequired: UInt32
    /// The n keys whose endorsements count.
    public var endorsers: [PublicKey]

    public init(name: String, orderer: PublicKey, members: [Member], endorsementsRequired: UInt32, endorsers: [PublicKey]) {
        self.name = name
        self.orderer = orderer
        self.members = members
        self.endorsementsRequired = endorsementsRequired
        self.endorsers = endorsers
    }

    public func encode(into w: inout ByteWriter) {
        w.string(name)
        w.key(orderer)
        w.list(members) { w, m in
            w.key(m.key)
            w.u8(m.role.rawValue)
            w.string(m.name)
        }
        w.u32(endorsementsRequired)
        w.list(endorsers) { w, k in w.key(k) }
    }

    public init(from r: inout ByteReader) throws(LedgerError) {
        name = try r.string("channel name")
        orderer = try r.key("orderer")
        members = try r.list("members") { (r) throws(LedgerError) in
            let key = try r.key("member key")
            guard let role = Role(rawValue: try r.u8("role")) else { throw LedgerError(.malformed, "unknown role") }
            return Member(key: key, role: role, name: try r.string("member name"))
        }
        endorsementsRequired = try r.u32("endorsements required")
        endorsers = try r.list("endorsers") { (r) throws(LedgerError) in try r.key("endorser") }
    }

}

// MARK: - Kinds 1 and 2

/// An exchange's request list for a round ([T] §4.1).
public struct RequestListPayload: Payload {
    public static let kind = TransactionKind.requestList

    public struct Entry: Hashable, Sendable {
        public var consumer: String
        public var kind: RequestKind
        public var bid: Int64
        public var submittedAt: Int64
        public var energyWh: Int64
        public var window: Range<Int64>?
        public init(consumer: String, kind: RequestKind = .demand, bid: Int64, submittedAt: Int64, energyWh: Int64,
                    window: Range<Int64>? = nil) {
            self.consumer = consumer
            self.kind = kind
            self.bid = bid
            self.submittedAt = submittedAt
            self.energyWh = energyWh
            self.window = window
        }

        public func encode(into w: inout ByteWriter) {
            w.string(consumer)
            w.u8(kind == .surplus ? 1 : 0)
            w.i64(bid)
            w.i64(submittedAt)
            w.i64(energyWh)
            w.window(window)
        }

        public init(from r: inout ByteReader) throws(LedgerError) {
            consumer = try r.string("consumer")
            switch try r.u8("request kind") {
            case 0: kind = .demand
            case 1: kind = .surplus
            default: throw LedgerError(.malformed, "unknown request kind")
            }
            bid = try r.i64("bid")
            submittedAt = try r.i64("submitted at")
            energyWh = try r.i64("energy")
            window = try r.window()
        }
    }

    public var exchange: String
    public var round: UInt64
    public var requests: [Entry]

    public init(exchange: String, round: UInt64, requests: [Entry]) {
        self.exchange = exchange
        self.round = round
        self.requests = requests
    }

    public func encode(into w: inout ByteWriter) {
        w.string(exchange)
        w.u64(round)
        w.list(requests) { w, e in e.encode(into: &w) }
    }

    public init(from r: inout ByteReader) throws(LedgerError) {
        exchange = try r.string("exchange")
        round = try r.u64("round")
        requests = try r.list("requests") { (r) throws(LedgerError) in try Entry(from: &r) }
    }
}

/// An EV's offer for a round.
public struct OfferPayload: Payload {
    public static let kind = TransactionKind.offer

    public var ev: String
    public var round: UInt64
    public var energyWh: Int64
    public var capacityWh: Int64
    public var window: Range<Int64>?
    public var ask: Int64?

    public init(ev: String, round: UInt64, energyWh: Int64, capacityWh: Int64 = 0, window: Range<Int64>? = nil,
                ask: Int64? = nil) {
        self.ev = ev
        self.round = round
        self.energyWh = energyWh
        self.capacityWh = capacityWh
        self.window = window
        self.ask = ask
    }

    public func encode(into w: inout ByteWriter) {
        w.string(ev)
        w.u64(round)
        w.i64(energyWh)
        w.i64(capacityWh)
        w.window(window)
        w.optional(ask) { w, v in w.i64(v) }
    }

    public init(from r: inout ByteReader) throws(LedgerError) {
        ev = try r.string("ev")
        round = try r.u64("round")
        energyWh = try r.i64("energy")
        capacityWh = try r.i64("capacity")
        window = try r.window()
        ask = try r.optional("ask") { (r) throws(LedgerError) in try r.i64("ask") }
    }
}

// MARK: - Kind 3

/// The matcher's result, with what it ran on, so any peer can re-run it.
public struct AllocationResultPayload: Payload {
    public static let kind = TransactionKind.allocationResult

    public struct Entry: Hashable, Sendable {
        public var request: UInt32
        public var offer: UInt32
        public var energyWh: Int64
        public var interval: Range<Int64>?
    }

    public struct Outcome: Hashable, Sendable {
        public var request: UInt32
        public var demandWh: Int64
        public var allocatedWh: Int64
        public var fulfilled: Bool
    }

    /// The LSAP's assignment and duals (hungarian): checked instead of re-solving.
    public struct Certificate: Hashable, Sendable {
        public var assignment: [Int64]
        public var u: [Int64]
        public var v: [Int64]
    }

    public var round: UInt64
    public var algorithm: MatchAlgorithm
    public var chargerCapacityWh: Int64
    public var chargerPowerW: Int64
    public var gamma1: Ratio
    public var gamma2: Ratio
    public var inputs: [Digest]
    public var inputsDigest: Digest
    public var allocations: [Entry]
    public var outcomes: [Outcome]
    public var certificate: Certificate?

    public init(round: UInt64, algorithm: MatchAlgorithm, chargerCapacityWh: Int64, chargerPowerW: Int64, gamma1: Ratio,
                gamma2: Ratio, inputs: [Digest], inputsDigest: Digest, allocations: [Entry], outcomes: [Outcome],
                certificate: Certificate?) {
        self.round = round
        self.algorithm = algorithm
        self.chargerCapacityWh = chargerCapacityWh
        self.chargerPowerW = chargerPowerW
        self.gamma1 = gamma1
        self.gamma2 = gamma2
        self.inputs = inputs
        self.inputsDigest = inputsDigest
        self.allocations = allocations
        self.outcomes = outcomes
        self.certificate = certificate
    }

    public func encode(into w: inout ByteWriter) {
        w.u64(round)
        w.u8(algorithm.wireCode)
        w.i64(chargerCapacityWh)
        w.i64(chargerPowerW)
        w.i32(gamma1.rawValue)
        w.i32(gamma2.rawValue)
        w.list(inputs) { w, d in w.hash(d) }
        w.hash(inputsDigest)
        w.list(allocations) { w, a in
            w.u32(a.request)
            w.u32(a.offer)
            w.i64(a.energyWh)
            w.window(a.interval)
        }
        w.list(outcomes) { w, o in
            w.u32(o.request)
            w.i64(o.demandWh)
            w.i64(o.allocatedWh)
            w.bool(o.fulfilled)
        }
        w.optional(certificate) { w, c in
            w.list(c.assignment) { w, x in w.i64(x) }
            w.list(c.u) { w, x in w.i64(x) }
            w.list(c.v) { w, x in w.i64(x) }
        }
    }

    public init(from r: inout ByteReader) throws(LedgerError) {
        round = try r.u64("round")
        guard let algorithm = MatchAlgorithm(wireCode: try r.u8("algorithm")) else {
            throw LedgerError(.malformed, "unknown algorithm")
        }
        self.algorithm = algorithm
        chargerCapacityWh = try r.i64("charger capacity")
        chargerPowerW = try r.i64("charger power")
        gamma1 = Ratio(ppm: try r.i32("gamma1"))
        gamma2 = Ratio(ppm: try r.i32("gamma2"))
        inputs = try r.list("inputs") { (r) throws(LedgerError) in try r.hash("input") }
        inputsDigest = try r.hash("inputs digest")
        allocations = try r.list("allocations") { (r) throws(LedgerError) in
            Entry(request: try r.u32("request"), offer: try r.u32("offer"), energyWh: try r.i64("energy"),
                  interval: try r.window())
        }
        outcomes = try r.list("outcomes") { (r) throws(LedgerError) in
            Outcome(request: try r.u32("request"), demandWh: try r.i64("demand"), allocatedWh: try r.i64("allocated"),
                    fulfilled: try r.bool("fulfilled"))
        }
        certificate = try r.optional("certificate") { (r) throws(LedgerError) in
            Certificate(assignment: try r.list("assignment") { (r) throws(LedgerError) in try r.i64() },
                        u: try r.list("u") { (r) throws(LedgerError) in try r.i64() },
                        v: try r.list("v") { (r) throws(LedgerError) in try r.i64() })
        }
    }
}

// MARK: - Kinds 4 to 8

/// Who was told of an allocation.
public struct NotificationPayload: Payload {
    public static let kind = TransactionKind.notification
    public var round: UInt64
    public var allocation: Digest
    public var recipients: [String]

    public init(round: UInt64, allocation: Digest, recipients: [String]) {
        self.round = round
        self.allocation = allocation
        self.recipients = recipients
    }

    public func encode(into w: inout ByteWriter) {
        w.u64(round)
        w.hash(allocation)
        w.list(recipients) { w, s in w.string(s) }
    }

    public init(from r: inout ByteReader) throws(LedgerError) {
        round = try r.u64("round")
        allocation = try r.hash("allocation")
        recipients = try r.list("recipients") { (r) throws(LedgerError) in try r.string("recipient") }
    }
}

/// Metered deliveries of an allocation result's allocations.
public struct MeteringPayload: Payload {
    public static let kind = TransactionKind.meteringRecord

    public struct Reading: Hashable, Sendable {
        public var allocationIndex: UInt32
        public var deliveredWh: Int64
        public init(allocationIndex: UInt32, deliveredWh: Int64) {
            self.allocationIndex = allocationIndex
            self.deliveredWh = deliveredWh
        }
    }

    public var round: UInt64
    public var allocation: Digest
    public var readings: [Reading]

    public init(round: UInt64, allocation: Digest, readings: [Reading]) {
        self.round = round
        self.allocation = allocation
        self.readings = readings
    }

    public func encode(into w: inout ByteWriter) {
        w.u64(round)
        w.hash(allocation)
        w.list(readings) { w, x in
            w.u32(x.allocationIndex)
            w.i64(x.deliveredWh)
        }
    }

    public init(from r: inout ByteReader) throws(LedgerError) {
        round = try r.u64("round")
        allocation = try r.hash("allocation")
        readings = try r.list("readings") { (r) throws(LedgerError) in
            Reading(allocationIndex: try r.u32("allocation index"), deliveredWh: try r.i64("delivered"))
        }
    }
}

/// Money moved for metered deliveries (pay-as-bid, SPEC §4).
public struct SettlementPayload: Payload {
    public static let kind = TransactionKind.settlement

    public struct Transfer: Hashable, Sendable {
        public var payer: String
        public var payee: String
        public var amount: Int64
        public init(payer: String, payee: String, amount: Int64) {
            self.payer = payer
            self.payee = payee
            self.amount = amount
        }
    }

    public var round: UInt64
    public var allocation: Digest
    public var metering: Digest
    public var transfers: [Transfer]

    public init(round: UInt64, allocation: Digest, metering: Digest, transfers: [Transfer]) {
        self.round = round
        self.allocation = allocation
        self.metering = metering
        self.transfers = transfers
    }

    public func encode(into w: inout ByteWriter) {
        w.u64(round)
        w.hash(allocation)
        w.hash(metering)
        w.list(transfers) { w, t in
            w.string(t.payer)
            w.string(t.payee)
            w.i64(t.amount)
        }
    }

    public init(from r: inout ByteReader) throws(LedgerError) {
        round = try r.u64("round")
        allocation = try r.hash("allocation")
        metering = try r.hash("metering")
        transfers = try r.list("transfers") { (r) throws(LedgerError) in
            Transfer(payer: try r.string("payer"), payee: try r.string("payee"), amount: try r.i64("amount"))
        }
    }
}

/// The penalty lists a round's metering changed (SPEC §3.4).
public struct PenaltyUpdatePayload: Payload {
    public static let kind = TransactionKind.penaltyUpdate

    public struct ConsumerPenalty: Hashable, Sendable {
        public var exchange: String
        public var consumer: String
        public var values: [Int32]
    }

    public struct ExchangePenalty: Hashable, Sendable {
        public var exchange: String
        public var values: [Int32]
    }

    public var round: UInt64
    public var allocation: Digest
    public var metering: Digest
    public var consumers: [ConsumerPenalty]
    public var exchanges: [ExchangePenalty]

    public init(round: UInt64, allocation: Digest, metering: Digest, consumers: [ConsumerPenalty],
                exchanges: [ExchangePenalty]) {
        self.round = round
        self.allocation = allocation
        self.metering = metering
        self.consumers = consumers
        self.exchanges = exchanges
    }

    public func encode(into w: inout ByteWriter) {
        w.u64(round)
        w.hash(allocation)
        w.hash(metering)
        w.list(consumers) { w, c in
            w.string(c.exchange)
            w.string(c.consumer)
            w.list(c.values) { w, v in w.i32(v) }
        }
        w.list(exchanges) { w, e in
            w.string(e.exchange)
            w.list(e.values) { w, v in w.i32(v) }
        }
    }

    public init(from r: inout ByteReader) throws(LedgerError) {
        round = try r.u64("round")
        allocation = try r.hash("allocation")
        metering = try r.hash("metering")
        consumers = try r.list("consumer penalties") { (r) throws(LedgerError) in
            ConsumerPenalty(exchange: try r.string("exchange"), consumer: try r.string("consumer"),
                            values: try r.list("values") { (r) throws(LedgerError) in try r.i32() })
        }
        exchanges = try r.list("exchange penalties") { (r) throws(LedgerError) in
            ExchangePenalty(exchange: try r.string("exchange"),
                            values: try r.list("values") { (r) throws(LedgerError) in try r.i32() })
        }
    }
}

/// A forecasting model's weights, by digest ([P] federated learning).
public struct ModelUpdatePayload: Payload {
    public static let kind = TransactionKind.modelUpdate
    public var round: UInt64
    public var model: String
    public var weightsDigest: Digest

    public init(round: UInt64, model: String, weightsDigest: Digest) {
        self.round = round
        self.model = model
        self.weightsDigest = weightsDigest
    }

    public func encode(into w: inout ByteWriter) {
        w.u64(round)
        w.string(model)
        w.hash(weightsDigest)
    }

    public init(from r: inout ByteReader) throws(LedgerError) {
        round = try r.u64("round")
        model = try r.string("model")
        weightsDigest = try r.hash("weights digest")
    }
}

extension MatchAlgorithm {
    /// The u8 an allocation result records (docs/wire-format.md, kind 3). Codes are never reused.
    var wireCode: UInt8 {
        switch self {
        case .ret: return 1
        case .sretDouble: return 2
        case .sretSingleEnergy: return 3
        case .sretSingleCount: return 4
        case .greedy: return 5
        case .hungarian: return 6
        case .doubleAuction: return 7
        }
    }

    /// The algorithm of a recorded code; nil for a code no version assigned.
    init?(wireCode: UInt8) {
        guard let a = MatchAlgorithm.allCases.first(where: { $0.wireCode == wireCode }) else { return nil }
        self = a
    }
}
