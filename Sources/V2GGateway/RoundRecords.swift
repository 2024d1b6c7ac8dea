import V2GKit
import V2GLedger
import V2GNode

/// What follows an allocation result in its block.
enum RoundRecords {
    /// The records that follow an allocation result in its block, signed (not yet endorsed): the notification of
    /// the consumers served (named by `recipient`), the metering record (`meter` stands in for the meters), the
    /// settlement and the penalty update, built by `RoundRecorder` as every peer re-executes them. A campus round
    /// and the cross-campus step write the same four.
    static func make(_ author: TransactionAuthor, _ channel: Channel, round: UInt64, allocation allocationTx: Transaction,
                     result: AllocationResultPayload, inputs: RoundInputs, penalties: PenaltyBook, timestamp: Int64,
                     recipient: (RoundInputs.Request) -> String, meter: some MeterReader) throws(RoundError) -> [Transaction] {
        let allocation = allocationTx.id
        let recipients = Set(result.allocations.map { recipient(inputs.requests[Int($0.request)]) }).sorted()
        let notification = author.sign(channel, .notification, timestamp: timestamp, payload: NotificationPayload(
            round: round, allocation: allocation, recipients: recipients).encoded)
        let metering = RoundRecorder.metering(round: round, allocation: allocation, result: result, inputs: inputs) {
            request, offer, allocated in
            meter.delivered(MeteredAllocation(round: round, exchange: request.exchange, consumer: request.entry.consumer, ev: offer.ev,
                                    allocatedWh: allocated))
        }
        let meteringTx = author.sign(channel, .meteringRecord, timestamp: timestamp, payload: metering.encoded)
        do throws(LedgerError) {
            let settlement = author.sign(channel, .settlement, timestamp: timestamp, payload: try RoundRecorder.settlement(
                round: round, allocation: allocation, result: result, inputs: inputs, metering: metering,
                meteringID: meteringTx.id).encoded)
            let penalty = author.sign(channel, .penaltyUpdate, timestamp: timestamp, payload: try RoundRecorder.penaltyUpdate(
                round: round, allocation: allocation, result: result, inputs: inputs, metering: metering,
                meteringID: meteringTx.id, penalties: penalties).encoded)
            return [notification, meteringTx, settlement, penalty]
        } catch {
            throw .matcher(error, round: round)
        }
    }
}
