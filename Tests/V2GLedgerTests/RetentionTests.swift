import Testing
import V2GKit
@testable import V2GLedger

/// What the ledger keeps in memory stays bounded as the chain grows, and the rules that make that safe
/// (docs/wire-format.md §6.1): results name only inputs of their own round, their rounds increase, and the
/// records after a result refer to it on its own channel while it is open.
@Suite("Ledger: bounded memory and the rules behind it")
struct RetentionTests {
    func code(_ body: () throws(LedgerError) -> Void) -> LedgerError.Code? {
        do { try body() } catch { return error.code }
        return nil
    }

    /// Round 2's request lists and offers, committed; returns them in input order.
    func commitInputs(_ campus: CampusNetwork, round: UInt64, offersOfRound offerRound: UInt64? = nil) throws -> [Transaction] {
        var inputs: [Transaction] = []
        for name in ["E1", "E2", "E3"] {
            let tx = campus.transaction(.boe, .requestList, author: campus.exchanges[name]!,
                                        payload: RequestListPayload(exchange: name, round: round, requests: roundRequests(round)[name]!).encoded)
            campus.submit(tx)
            inputs.append(tx)
        }
        for offer in roundOffers(offerRound ?? round) {
            let tx = campus.transaction(.boev, .offer, author: campus.evs[offer.ev]!, payload: offer.encoded)
            campus.submit(tx)
            inputs.append(tx)
        }
        try campus.seal(.boev)
        try campus.seal(.boe)
        return inputs
    }

    /// The honest result of `round` on `inputs`, signed by the orderer.
    func result(_ campus: CampusNetwork, round: UInt64, _ inputs: [Transaction]) throws -> Transaction {
        var payload = AllocationResultPayload(round: round, algorithm: .ret, chargerCapacityWh: -1, chargerPowerW: -1,
                                              gamma1: Ratio(ppm: 100_000), gamma2: Ratio(ppm: 100_000),
                                              inputs: inputs.map(\.id), inputsDigest: Digest.of(inputs.flatMap(\.body)),
                                              allocations: [], outcomes: [], certificate: nil)
        let collected = try RoundInputs.collect(payload) { id in inputs.first { $0.id == id } }
        let expected = try RoundExecution.expected(payload, inputs: collected, penalties: campus.ledger.penalties)
        payload.allocations = expected.allocations
        payload.outcomes = expected.outcomes
        return campus.transaction(.boe, .allocationResult, author: campus.orderer, payload: payload.encoded)
    }

    @Test func aHundredRoundsLeaveNoMoreThanTheLastFewInMemory() throws {
        let campus = try makeCampus()
        var most = Ledger.Retained(inputs: 0, allocations: 0, meterReports: 0)
        for round in UInt64(1)...100 {
            try campus.runRound(round, requests: roundRequests(round), offers: roundOffers(round)) { _, a in a }
            let now = campus.ledger.retained
            most = .init(inputs: max(most.inputs, now.inputs), allocations: max(most.allocations, now.allocations), meterReports: 0)
        }
        // Every round is allocated, settled and penalised in its own block: no input outlives its round, and the
        // closed results of the last two allocated rounds are all that is kept.
        #expect(campus.ledger.retained == .init(inputs: 0, allocations: 2, meterReports: 0))
        #expect(most.allocations <= 2 && most.inputs == 0)
        #expect(campus.ledger.allocation(round: 100, on: .boe) != nil)
        #expect(campus.ledger.allocation(round: 99, on: .boe) != nil)
        #expect(campus.ledger.allocation(round: 98, on: .boe) == nil)
        // The chain itself has everything: a fresh peer replaying it agrees on every derived value.
        let peer = Ledger()
        for block in campus.blocks { try peer.append(block) }
        #expect(peer.balances == campus.ledger.balances && peer.penalties == campus.ledger.penalties)
        #expect(peer.retained == campus.ledger.retained)
    }

    @Test func aResultNamesOnlyInputsOfItsOwnRound() throws {
        let campus = try makeCampus()
        let round1 = try commitInputs(campus, round: 1)
        try campus.seal(.boe, [try result(campus, round: 1, round1)])
        // Round 1 is allocated: its inputs are gone, and naming them again is an unknown input.
        #expect(round1.allSatisfy { campus.ledger.retainedInput($0.id) == nil })
        let stale = try result(campus, round: 2, round1)
        #expect(code { () throws(LedgerError) in try campus.seal(.boe, [stale]) } == .unknownInput)
        // Round 2's request lists with offers marked round 3: committed and kept, but not for round 2's result.
        let mixed = try commitInputs(campus, round: 2, offersOfRound: 3)
        #expect(mixed.allSatisfy { campus.ledger.retainedInput($0.id) != nil })
        let wrongRound = try result(campus, round: 2, mixed)
        #expect(code { () throws(LedgerError) in try campus.seal(.boe, [wrongRound]) } == .unknownInput)
        // Round 2's lists alone are a valid result.
        try campus.seal(.boe, [try result(campus, round: 2, Array(mixed.prefix(3)))])
    }

    @Test func resultRoundsIncrease() throws {
        let campus = try makeCampus()
        let round2 = try commitInputs(campus, round: 2)
        let round3 = try commitInputs(campus, round: 3)
        try campus.seal(.boe, [try result(campus, round: 3, round3)])
        // Round 2 after round 3, and round 3 twice: refused, though each would re-execute.
        let earlier = try result(campus, round: 2, round2)
        #expect(code { () throws(LedgerError) in try campus.seal(.boe, [earlier]) } == .replay)
        let again = try commitInputs(campus, round: 3)
        let repeated = try result(campus, round: 3, again)
        #expect(code { () throws(LedgerError) in try campus.seal(.boe, [repeated]) } == .replay)
        // Two results of one round in one block: the second is refused, and the block with it.
        let round4 = try commitInputs(campus, round: 4)
        let twice = [try result(campus, round: 4, Array(round4.prefix(3))), try result(campus, round: 4, round4)]
        #expect(code { () throws(LedgerError) in try campus.seal(.boe, twice) } == .replay)
        #expect(campus.ledger.chain(.boe).lastAllocatedRound == 3)
    }

    @Test func recordsReferToAnOpenResultOfTheirOwnChannel() throws {
        let campus = try makeCampus()
        try campus.runRound(1, requests: roundRequests(1), offers: roundOffers(1)) { _, a in a }
        let (_, _, id, _) = try #require(campus.ledger.allocation(round: 1, on: .boe))
        // Settled and penalised in its block: closed, so even a notification of it is refused now.
        let late = campus.transaction(.boe, .notification, author: campus.orderer,
                                      payload: NotificationPayload(round: 1, allocation: id, recipients: ["C1"]).encoded)
        #expect(code { () throws(LedgerError) in try campus.seal(.boe, [late]) } == .unknownInput)
        // An open result of the BoE is not the BoEV's to notify.
        let inputs = try commitInputs(campus, round: 2)
        let open = try result(campus, round: 2, inputs)
        try campus.seal(.boe, [open])
        let elsewhere = campus.transaction(.boev, .notification, author: campus.orderer,
                                           payload: NotificationPayload(round: 2, allocation: open.id, recipients: ["EV1"]).encoded)
        #expect(code { () throws(LedgerError) in try campus.seal(.boev, [elsewhere]) } == .unknownInput)
        let here = campus.transaction(.boe, .notification, author: campus.orderer,
                                      payload: NotificationPayload(round: 2, allocation: open.id, recipients: ["C1"]).encoded)
        try campus.seal(.boe, [here])
    }
}
