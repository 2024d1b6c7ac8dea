import V2GKit

// docs/wire-format.md, kind 5.

/// Metered deliveries of an allocation result's allocations.
public struct MeteringPayload: Payload {
    public static let kind = TransactionKind.meteringRecord

    public struct Reading: Hashable, Sendable {
        /// `deliveredWh` of an allocation the EV's side did not carry out (its charger refused the setpoint, the
        /// vehicle was not there, its registers measured nothing, no report came): an EV-side reading of 0 Wh.
        public static let notCarriedOut: Int64 = -1
        public var allocationIndex: UInt32
        /// 0...allocated: measured at the consumer's side, [T]'s penalty rule applies. Negative: measured at the
        /// EV's side (its charger's registers), `−deliveredWh − 1` Wh delivered, settled but left out of the
        /// penalty update: a charger cannot see the consumer, so neither its fault nor its word counts against a
        /// consumer or an exchange.
        public var deliveredWh: Int64

        /// An EV-side reading of `wh` (≥ 0).
        public static func evSide(_ wh: Int64) -> Int64 { -wh - 1 }

        /// The energy the reading settles, in Wh.
        public var settledWh: Int64 { deliveredWh >= 0 ? deliveredWh : -(deliveredWh + 1) }
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
