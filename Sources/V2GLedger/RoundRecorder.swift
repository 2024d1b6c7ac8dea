import V2GKit

/// What a control system writes after a round's inputs are on the ledger: the allocation result, the metering
/// record, the settlement and the penalty update, built exactly as every peer re-executes them.
public enum RoundRecorder {
    /// The allocation result of `algorithm` (RET or an SRET strategy) over `inputs` (the request lists, then the
    /// offers, as committed; or campus surpluses), with the committed penalty lists, and the inputs it ran on.
    public static func allocationResult(round: UInt64, inputs: [Transaction], algorithm: MatchAlgorithm = .ret,
                                        chargerCapacityWh: Int64?, chargerPowerW: Int64? = nil, gamma1: Ratio,
                                        gamma2: Ratio, penalties: PenaltyBook) throws(LedgerError)
        -> (payload: AllocationResultPayload, inputs: RoundInputs) {
        var payload = AllocationResultPayload(
            round: round, algorithm: algorithm, chargerCapacityWh: chargerCapacityWh ?? -1, chargerPowerW: chargerPowerW ?? -1,
            gamma1: gamma1,
            gamma2: gamma2, inputs: inputs.map(\.id), inputsDigest: Self.digest(ofBodies: inputs), allocations: [],
            outcomes: [], certificate: nil)
        let byID = Dictionary(inputs.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let roundInputs = try RoundInputs.collect(payload) { byID[$0] }
        let expected = try RoundExecution.expected(payload, inputs: roundInputs, penalties: penalties)
        payload.allocations = expected.allocations
        payload.outcomes = expected.outcomes
        return (payload, roundInputs)
    }

    /// The digest an allocation result records of its inputs: SHA-256 of their bodies one after another.
    public static func digest(ofBodies inputs: [Transaction]) -> Digest {
        var stream = SHA256Stream()
        for tx in inputs { stream.update(tx.body) }
        return stream.finish()
    }

    /// The metering record of an allocation result: `delivered` meters each allocation (clamped to 0...allocated,
    /// or for an EV-side reading to `evSide(0...allocated)`).
    public static func metering(round: UInt64, allocation: Digest, result: AllocationResultPayload, inputs: RoundInputs,
                                delivered: (RoundInputs.Request, OfferPayload, Int64) -> Int64) -> MeteringPayload {
        MeteringPayload(round: round, allocation: allocation, readings: result.allocations.enumerated().map { i, a in
            let wh = delivered(inputs.requests[Int(a.request)], inputs.offers[Int(a.offer)], a.energyWh)
            // Clamped to what was allocated, on the side it was measured.
            let clamped = wh >= 0 ? min(a.energyWh, wh) : MeteringPayload.Reading.evSide(min(a.energyWh, -(wh &+ 1)))
            return MeteringPayload.Reading(allocationIndex: UInt32(i), deliveredWh: clamped)
        })
    }

    /// Pay-as-bid on the metered energy: what the settlement transaction must carry.
    public static func settlement(round: UInt64, allocation: Digest, result: AllocationResultPayload, inputs: RoundInputs,
                                  metering: MeteringPayload, meteringID: Digest) throws(LedgerError) -> SettlementPayload {
        SettlementPayload(round: round, allocation: allocation, metering: meteringID,
                          transfers: try Settlement.transfers(result, inputs: inputs, metering: metering))
    }

    /// The penalty lists the metering changes (SPEC §3.4), from the committed `penalties`.
    public static func penaltyUpdate(round: UInt64, allocation: Digest, result: AllocationResultPayload, inputs: RoundInputs,
                                     metering: MeteringPayload, meteringID: Digest, penalties: PenaltyBook)
        throws(LedgerError) -> PenaltyUpdatePayload {
        let (_, change) = try Settlement.penaltyUpdate(result, inputs: inputs, metering: metering, current: penalties)
        return PenaltyUpdatePayload(round: round, allocation: allocation, metering: meteringID,
                                    consumers: change.consumers, exchanges: change.exchanges)
    }

    /// The match a result records, as V2GKit values.
    public static func match(_ result: AllocationResultPayload) -> MatchResult {
        MatchResult(
            allocations: result.allocations.map {
                Allocation(requestIndex: Int($0.request), offerIndex: Int($0.offer), energyWh: $0.energyWh, interval: $0.interval)
            },
            outcomes: result.outcomes.map {
                RequestOutcome(requestIndex: Int($0.request), demandWh: $0.demandWh, allocatedWh: $0.allocatedWh,
                               fulfilled: $0.fulfilled)
            })
    }
}
