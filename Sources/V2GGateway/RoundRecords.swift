import V2GKit
import V2GLedger
import V2GNode

/// What follows an allocation result on the ledger.
enum RoundRecords {
    /// The records that follow an allocation result in its block, signed (not yet endorsed): the notification of
    /// the consumers served (named by `recipient`) and, if `meter` has every reading already, the metering
    /// record, the settlement and the penalty update. A campus round and the cross-campus step write the same.
    static func make(_ author: TransactionAuthor, _ channel: Channel, round: UInt64, allocation allocationTx: Transaction,
                     result: AllocationResultPayload, inputs: RoundInputs, penalties: PenaltyBook, timestamp: Int64,
                     recipient: (RoundInputs.Request) -> String, meter: some MeterReader) throws(RoundError) -> [Transaction] {
        let allocation = allocationTx.id
        let recipients = Set(result.allocations.map { recipient(inputs.requests[Int($0.request)]) }).sorted()
        let notification = author.sign(channel, .notification, timestamp: timestamp, payload: NotificationPayload(
            round: round, allocation: allocation, recipients: recipients).encoded)
        let metered = try metering(author, channel, round: round, allocation: allocation, result: result, inputs: inputs,
                                   penalties: penalties, timestamp: timestamp, meter: meter, final: false)
        return [notification] + (metered ?? [])
    }

    /// The metering record of the allocation result `allocation` (filed in `round`), its settlement and its
    /// penalty update, signed, built by `RoundRecorder` as every peer re-executes them; nil if a reading is
    /// still missing, unless `final`, which counts a missing reading as not carried out.
    static func metering(_ author: TransactionAuthor, _ channel: Channel, round: UInt64, allocation: Digest,
                         result: AllocationResultPayload, inputs: RoundInputs, penalties: PenaltyBook, timestamp: Int64,
                         meter: some MeterReader, final: Bool) throws(RoundError) -> [Transaction]? {
        var delivered: [Int64] = []
        for (i, a) in result.allocations.enumerated() {
            let request = inputs.requests[Int(a.request)], offer = inputs.offers[Int(a.offer)]
            let wh = meter.delivered(MeteredAllocation(round: result.round, exchange: request.exchange,
                                                       consumer: request.entry.consumer, ev: offer.ev, allocatedWh: a.energyWh,
                                                       allocation: allocation, index: UInt32(i)))
            guard let wh = wh ?? (final ? MeteringPayload.Reading.notCarriedOut : nil) else { return nil }
            delivered.append(wh)
        }
        var next = delivered.makeIterator()
        let metering = RoundRecorder.metering(round: round, allocation: allocation, result: result, inputs: inputs) { _, _, _ in
            next.next()!
        }
        let meteringTx = author.sign(channel, .meteringRecord, timestamp: timestamp, payload: metering.encoded)
        do throws(LedgerError) {
            let settlement = author.sign(channel, .settlement, timestamp: timestamp, payload: try RoundRecorder.settlement(
                round: round, allocation: allocation, result: result, inputs: inputs, metering: metering,
                meteringID: meteringTx.id).encoded)
            let penalty = author.sign(channel, .penaltyUpdate, timestamp: timestamp, payload: try RoundRecorder.penaltyUpdate(
                round: round, allocation: allocation, result: result, inputs: inputs, metering: metering,
                meteringID: meteringTx.id, penalties: penalties).encoded)
            return [meteringTx, settlement, penalty]
        } catch {
            throw .matcher(error, round: round)
        }
    }
}

/// The meters of a control system whose EV gateways file what their chargers measured (meter reports, kind 10):
/// an allocation is delivered what the committed report of its EV says, as an EV-side reading (settled, and never
/// counted against the consumer), and not measured until one is.
public struct ReportedMeters: MeterReader {
    let node: LedgerNode

    public init(node: LedgerNode) { self.node = node }

    public func delivered(_ a: MeteredAllocation) -> Int64? {
        let reports = node.withLedger { $0.meterReports(of: a.allocation) }
        // The first report of the EV itself counts (the control system seals only reports their EV signed).
        guard let report = reports.first(where: { $0.ev == a.ev }) else { return nil }
        guard let m = report.measurements.first(where: { $0.allocationIndex == a.index }), m.status == .measured else {
            return MeteringPayload.Reading.notCarriedOut
        }
        return MeteringPayload.Reading.evSide(m.deliveredWh)
    }
}

/// A meter read once, at the round: what it has not measured counts as not carried out. The BoCS step meters
/// this way, since no meter report names its allocations (docs/ocpp.md, "Metering").
struct MeteredNow<M: MeterReader>: MeterReader {
    let meter: M
    init(_ meter: M) { self.meter = meter }
    func delivered(_ a: MeteredAllocation) -> Int64? { meter.delivered(a) ?? MeteringPayload.Reading.notCarriedOut }
}

/// A meter that says every allocation was not carried out: what a result whose readings settlement refuses is
/// metered with.
struct NothingCarriedOut: MeterReader {
    func delivered(_ a: MeteredAllocation) -> Int64? { MeteringPayload.Reading.notCarriedOut }
}
