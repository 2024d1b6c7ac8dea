import V2GKit

// docs/wire-format.md, kind 10.

/// What an EV's charger measured for the EV's allocations of one allocation result: the EVSE's export register
/// at the start and end of each allocation's interval, as the charger reported it (OCPP meter values), signed by
/// the EV. The control system's metering record is read from these.
public struct MeterReportPayload: Payload {
    public static let kind = TransactionKind.meterReport

    /// Why a measurement measured nothing that can be settled; `measured` is the only status that counts.
    public enum Status: UInt8, CaseIterable, Sendable {
        /// The registers cover the interval and only went forward, no faster than the EVSE can deliver.
        case measured = 0
        /// No reading at or before the start, or none at or after the end (the charger was gone, or is silent).
        case notCovered = 1
        /// A reading lower than an earlier one.
        case wentBackwards = 2
        /// More energy between two readings than the EVSE's power allows.
        case jumped = 3
        /// The charger rejected the setpoint (or answered it with an error, or never answered).
        case setpointRefused = 4
        /// The vehicle was not at its EVSE, or had no transaction, when the allocation came.
        case absent = 5
    }

    public struct Measurement: Hashable, Sendable {
        /// The allocation's index in the allocation result.
        public var allocationIndex: UInt32
        /// The charging station's identity and the EVSE's ID on it.
        public var station: String
        public var evse: UInt32
        /// The station's transaction ID for the vehicle's session (empty if none).
        public var transactionID: String
        /// The allocation's interval, Unix seconds.
        public var start: Int64
        public var end: Int64
        /// `Energy.Active.Export.Register` in Wh at or before `start` and at or after `end` (0 unless measured).
        public var startWh: Int64
        public var endWh: Int64
        public var status: Status

        public init(allocationIndex: UInt32, station: String, evse: UInt32, transactionID: String, start: Int64, end: Int64,
                    startWh: Int64, endWh: Int64, status: Status) {
            self.allocationIndex = allocationIndex
            self.station = station
            self.evse = evse
            self.transactionID = transactionID
            self.start = start
            self.end = end
            self.startWh = startWh
            self.endWh = endWh
            self.status = status
        }

        /// The energy it shows delivered, in Wh: the register's rise if measured, else nothing.
        public var deliveredWh: Int64 {
            guard status == .measured else { return 0 }
            let (d, overflow) = endWh.subtractingReportingOverflow(startWh)
            return overflow ? 0 : max(0, d)
        }
    }

    public var ev: String
    /// The round the report is filed in (a pool admits it around the current round, like an offer).
    public var round: UInt64
    /// The tx_id of the allocation result measured (on BoE).
    public var allocation: Digest
    public var measurements: [Measurement]

    public init(ev: String, round: UInt64, allocation: Digest, measurements: [Measurement]) {
        self.ev = ev
        self.round = round
        self.allocation = allocation
        self.measurements = measurements
    }

    public func encode(into w: inout ByteWriter) {
        w.string(ev)
        w.u64(round)
        w.hash(allocation)
        w.list(measurements) { w, m in
            w.u32(m.allocationIndex)
            w.string(m.station)
            w.u32(m.evse)
            w.string(m.transactionID)
            w.i64(m.start)
            w.i64(m.end)
            w.i64(m.startWh)
            w.i64(m.endWh)
            w.u8(m.status.rawValue)
        }
    }

    public init(from r: inout ByteReader) throws(LedgerError) {
        ev = try r.string("ev")
        round = try r.u64("round")
        allocation = try r.hash("allocation")
        measurements = try r.list("measurements") { (r) throws(LedgerError) in
            let index = try r.u32("allocation index"), station = try r.string("station"), evse = try r.u32("evse")
            let transactionID = try r.string("transaction id"), start = try r.i64("start"), end = try r.i64("end")
            let startWh = try r.i64("start register"), endWh = try r.i64("end register")
            guard let status = Status(rawValue: try r.u8("status")) else { throw LedgerError(.malformed, "unknown measurement status") }
            guard end > start else { throw LedgerError(.malformed, "a measurement's interval ends before it starts") }
            return Measurement(allocationIndex: index, station: station, evse: evse, transactionID: transactionID, start: start,
                               end: end, startWh: startWh, endWh: endWh, status: status)
        }
    }
}
