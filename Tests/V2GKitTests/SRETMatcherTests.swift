import Testing
import V2GKit

@Suite("SRET through the Swift API")
struct SRETMatcherTests {
    /// The best-fit case of tests/c/test_sret.c: A (RP 30000) and B (RP 12000) both cover R1's 5000 Wh with
    /// g = 10000. EV order spends A on R1 and leaves R2 unmet; best fit spends B and meets both.
    static let requests = [
        WindowedRequest(EnergyRequest(exchange: "E", consumer: "r1", bid: 30, submittedAt: 0, energyWh: 5000),
                        start: 0, end: 3600),
        WindowedRequest(EnergyRequest(exchange: "E", consumer: "r2", bid: 20, submittedAt: 0, energyWh: 20000),
                        start: 0, end: 7200),
    ]
    static let evs = [EVAvailability(ev: "A", energyWh: 30000, start: 0, end: 7200),
                      EVAvailability(ev: "B", energyWh: 12000, start: 0, end: 7200)]

    @Test func bestFitSpendsTheSmallerBattery() throws {
        let inOrder = try SRETMatcher(strategy: .doubleBoundaries, chargerPowerW: 10_000)
            .match(requests: Self.requests, evs: Self.evs)
        #expect(inOrder.allocations == [Allocation(requestIndex: 0, offerIndex: 0, energyWh: 5000, interval: 0..<3600)])
        #expect(inOrder.allocatedWh == 5000 && inOrder.fulfilledCount == 1)

        let bestFit = try SRETMatcher(strategy: .doubleBoundariesBestFit, chargerPowerW: 10_000)
            .match(requests: Self.requests, evs: Self.evs)
        #expect(bestFit.allocations == [Allocation(requestIndex: 0, offerIndex: 1, energyWh: 5000, interval: 0..<3600),
                                        Allocation(requestIndex: 1, offerIndex: 0, energyWh: 20000, interval: 0..<7200)])
        #expect(bestFit.allocatedWh == 25000 && bestFit.fulfilledCount == 2)
    }

    @Test func everyAlgorithmNameMapsToItsStrategy() {
        #expect(MatchAlgorithm(rawValue: "sret-double-best-fit")?.sretStrategy == .doubleBoundariesBestFit)
        for a in MatchAlgorithm.allCases {
            if let s = a.sretStrategy { #expect(s.rawValue == a.rawValue) }
        }
    }
}
