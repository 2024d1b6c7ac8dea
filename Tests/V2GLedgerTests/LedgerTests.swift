import Testing
import V2GKit
@testable import V2GLedger

/// A campus with three exchanges and four EVs, and a round generator.
func makeCampus() throws -> CampusNetwork {
    let campus = try CampusNetwork(exchanges: ["E1", "E2", "E3"], evs: ["EV1", "EV2", "EV3", "EV4"], now: { 1_700_000_000 })
    try campus.start()
    return campus
}

func roundRequests(_ round: UInt64) -> [String: [RequestListPayload.Entry]] {
    ["E1": [.init(consumer: "C1", bid: 300_000, submittedAt: Int64(round), energyWh: 4000),
            .init(consumer: "C2", bid: 250_000, submittedAt: Int64(round), energyWh: 3000)],
     "E2": [.init(consumer: "C3", bid: 280_000, submittedAt: Int64(round), energyWh: 5000)],
     "E3": [.init(consumer: "F1", bid: 420_000, submittedAt: Int64(round), energyWh: 6000)]]
}

/// Each EV's offer in `round` (an allocation result names only inputs of its own round).
func roundOffers(_ round: UInt64) -> [OfferPayload] {
    [OfferPayload(ev: "EV1", round: round, energyWh: 6000), OfferPayload(ev: "EV2", round: round, energyWh: 4000),
     OfferPayload(ev: "EV3", round: round, energyWh: 3000), OfferPayload(ev: "EV4", round: round, energyWh: 5000)]
}

@Suite("Ledger: rounds, state and re-execution")
struct LedgerTests {
    /// Consumer E3/F1 is fake: it takes nothing. Everyone else takes what they were allocated.
    @Test func roundsSettleAndPenalise() throws {
        let campus = try makeCampus()
        for round in UInt64(1)...3 {
            try campus.runRound(round, requests: roundRequests(round), offers: roundOffers(round)) { request, allocated in
                request.entry.consumer == "F1" ? 0 : allocated
            }
        }
        let ledger = campus.ledger
        #expect(ledger.chain(.boe).height == 3 * 2)   // genesis, then per round: request lists, results
        #expect(ledger.chain(.boev).height == 3)
        #expect(ledger.balances.values.reduce(0, +) == 0)
        // Round 1: F1 (highest profit) takes EV1's 6000 Wh and delivers nothing, so pct = 0 < 0.9: penalty 0.1.
        let fake = ConsumerKey(exchange: "E3", consumer: "F1")
        #expect(ledger.penalties.consumers[fake]?.first == Ratio(ppm: 100_000))
        // Honest consumers paid; EV owners earned exactly what consumers paid.
        #expect(ledger.balances["consumer:E1/C1"]! < 0)
        let paid = ledger.balances.filter { $0.key.hasPrefix("consumer:") }.values.reduce(0, +)
        let earned = ledger.balances.filter { $0.key.hasPrefix("ev:") }.values.reduce(0, +)
        #expect(paid == -earned && earned > 0)
    }

    /// A block whose allocation result moves one Wh is rejected; the honest one is accepted.
    @Test func forgedAllocationIsRejected() throws {
        let campus = try makeCampus()
        try campus.runRound(1, requests: roundRequests(1), offers: roundOffers(1)) { _, allocated in allocated }
        // Build round 2's inputs, then forge the result.
        var inputs: [Transaction] = []
        for name in ["E1", "E2", "E3"] {
            let tx = campus.transaction(.boe, .requestList, author: campus.exchanges[name]!,
                                        payload: RequestListPayload(exchange: name, round: 2, requests: roundRequests(2)[name]!).encoded)
            campus.submit(tx)
            inputs.append(tx)
        }
        for offer in roundOffers(2) {
            let tx = campus.transaction(.boev, .offer, author: campus.evs[offer.ev]!, payload: offer.encoded)
            campus.submit(tx)
            inputs.append(tx)
        }
        try campus.seal(.boev)
        try campus.seal(.boe)
        var payload = AllocationResultPayload(round: 2, algorithm: .ret, chargerCapacityWh: -1, chargerPowerW: -1,
                                              gamma1: Ratio(ppm: 100_000), gamma2: Ratio(ppm: 100_000),
                                              inputs: inputs.map(\.id), inputsDigest: Digest.of(inputs.flatMap(\.body)),
                                              allocations: [], outcomes: [], certificate: nil)
        let roundInputs = try RoundInputs.collect(payload) { campus.ledger.retainedInput($0) }
        let honest = try RoundExecution.expected(payload, inputs: roundInputs, penalties: campus.ledger.penalties)
        payload.allocations = honest.allocations
        payload.outcomes = honest.outcomes
        var forged = payload
        forged.allocations[0].energyWh -= 1
        forged.allocations[1].energyWh += 1
        let bad = campus.transaction(.boe, .allocationResult, author: campus.orderer, payload: forged.encoded)
        let height = campus.ledger.chain(.boe).height! + 1
        do {
            try campus.seal(.boe, [bad])
            Issue.record("a forged allocation was accepted")
        } catch {
            #expect(error.code == .reexecution)
            #expect(error.height == height)
            #expect(error.transaction == 0)
        }
        // Nothing of the bad block stuck: the honest result goes in at the same height.
        let good = campus.transaction(.boe, .allocationResult, author: campus.orderer, payload: payload.encoded)
        try campus.seal(.boe, [good])
        #expect(campus.ledger.chain(.boe).height == height)
    }

    @Test func blocksRoundTripThroughTheEncoding() throws {
        let campus = try makeCampus()
        try campus.runRound(1, requests: roundRequests(1), offers: roundOffers(1)) { _, a in a }
        for block in campus.blocks {
            let decoded = try Block(decoding: block.encoded)
            #expect(decoded == block)
            #expect(decoded.hash == block.hash)
        }
        // A fresh peer replaying the same blocks reaches the same state.
        let peer = Ledger()
        for block in campus.blocks { try peer.append(block) }
        #expect(peer.balances == campus.ledger.balances)
        #expect(peer.penalties == campus.ledger.penalties)
    }
}
