import V2GKit

// docs/wire-format.md, kind 2.

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
