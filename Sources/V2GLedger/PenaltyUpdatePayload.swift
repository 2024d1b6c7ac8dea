import V2GKit

// docs/wire-format.md, kind 7.

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
