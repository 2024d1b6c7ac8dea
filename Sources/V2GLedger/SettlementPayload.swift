import V2GKit

// docs/wire-format.md, kind 6.

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
