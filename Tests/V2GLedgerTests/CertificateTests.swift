import Testing
import V2GKit
@testable import V2GLedger

@Suite("Ledger: LSAP results are checked by their certificate")
struct CertificateTests {
    @Test func hungarianResultIsAcceptedOnItsCertificateAndForgeriesAreNot() throws {
        let campus = try makeCampus()
        // Prosumers of [P]: two surpluses and a demand; EVs with energy to give and room to store.
        let list = RequestListPayload(exchange: "E1", round: 1, requests: [
            .init(consumer: "P1", kind: .surplus, bid: 0, submittedAt: 0, energyWh: 5000),
            .init(consumer: "P2", kind: .surplus, bid: 0, submittedAt: 1, energyWh: 3000),
            .init(consumer: "P3", kind: .demand, bid: 0, submittedAt: 2, energyWh: 2000)])
        let offers = [OfferPayload(ev: "EV1", round: 1, energyWh: 0, capacityWh: 6000),
                      OfferPayload(ev: "EV2", round: 1, energyWh: 4000, capacityWh: 3000),
                      OfferPayload(ev: "EV3", round: 1, energyWh: 1000, capacityWh: 1000)]
        var inputs = [campus.transaction(.boe, .requestList, author: campus.exchanges["E1"]!, payload: list.encoded)]
        inputs += offers.map { campus.transaction(.boev, .offer, author: campus.evs[$0.ev]!, payload: $0.encoded) }
        try campus.seal(.boe, [inputs[0]])
        try campus.seal(.boev, Array(inputs[1...]))

        let optimal = try HungarianMatcher().match(
            requests: list.requests.map { ProsumerRequest(kind: $0.kind, energyWh: $0.energyWh, submittedAt: $0.submittedAt) },
            evs: offers.map { EVState(availableWh: $0.energyWh, freeCapacityWh: $0.capacityWh) })
        #expect(optimal.tradedWh == 9000) // 5000 into EV1, 3000 into EV2, 1000 from EV3: worked out in examples/c
        let certificate = AllocationResultPayload.Certificate(
            assignment: optimal.certificate.rowToColumn.map { $0.map(Int64.init) ?? -1 },
            u: optimal.certificate.u, v: optimal.certificate.v)
        let payload = AllocationResultPayload(
            round: 1, algorithm: .hungarian, chargerCapacityWh: -1, chargerPowerW: -1, gamma1: .zero, gamma2: .zero,
            inputs: inputs.map(\.id), inputsDigest: Digest.of(inputs.flatMap(\.body)),
            allocations: optimal.result.allocations.map {
                .init(request: UInt32($0.requestIndex), offer: UInt32($0.offerIndex), energyWh: $0.energyWh, interval: nil)
            },
            outcomes: optimal.result.outcomes.map {
                .init(request: UInt32($0.requestIndex), demandWh: $0.demandWh, allocatedWh: $0.allocatedWh, fulfilled: $0.fulfilled)
            },
            certificate: certificate)

        // A dual nudged by one: the certificate no longer proves optimality.
        var forged = payload
        forged.certificate!.u[0] += 1
        let bad = campus.transaction(.boe, .allocationResult, author: campus.orderer, payload: forged.encoded)
        #expect(throws: LedgerError.self) { try campus.seal(.boe, [bad]) }
        // A suboptimal assignment with duals that cannot prove it.
        var swapped = payload
        swapped.certificate!.assignment.swapAt(0, 1)
        let worse = campus.transaction(.boe, .allocationResult, author: campus.orderer, payload: swapped.encoded)
        #expect(throws: LedgerError.self) { try campus.seal(.boe, [worse]) }
        // The honest result is accepted without solving again.
        let good = campus.transaction(.boe, .allocationResult, author: campus.orderer, payload: payload.encoded)
        try campus.seal(.boe, [good])
        #expect(campus.ledger.allocation(round: payload.round, on: .boe)?.id == good.id)
    }
}
