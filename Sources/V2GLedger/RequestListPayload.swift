import V2GKit

// docs/wire-format.md, kind 1.

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
