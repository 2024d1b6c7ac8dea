import Testing
@testable import V2GKit

@Suite("Greedy and Hungarian prosumer matching ([P] §IV.B)")
struct ProsumerMarketTests {
    /// Best total over all injective request→EV maps, by brute force.
    static func bruteForceTraded(_ requests: [ProsumerRequest], _ evs: [EVState]) -> Int64 {
        func exchange(_ r: ProsumerRequest, _ e: EVState) -> Int64 {
            min(r.energyWh, r.kind == .surplus ? e.freeCapacityWh : e.availableWh)
        }
        func best(_ i: Int, _ used: Set<Int>) -> Int64 {
            guard i < requests.count else { return 0 }
            var top = best(i + 1, used) // request i left unmatched
            for j in evs.indices where !used.contains(j) {
                top = max(top, exchange(requests[i], evs[j]) + best(i + 1, used.union([j])))
            }
            return top
        }
        return best(0, [])
    }

    /// By hand: the surplus (t=1) takes EV0's 3000 Wh of room; the demand (t=2) skips EV0 and EV1 and draws 1000 from EV2.
    @Test func greedyHandCase() throws {
        let requests = [ProsumerRequest(kind: .demand, energyWh: 1000, submittedAt: 2),
                        ProsumerRequest(kind: .surplus, energyWh: 5000, submittedAt: 1)]
        let evs = [EVState(availableWh: 4000, freeCapacityWh: 3000), EVState(availableWh: 0, freeCapacityWh: 9000),
                   EVState(availableWh: 2500, freeCapacityWh: 0)]
        let result = try GreedyMatcher().match(requests: requests, evs: evs)
        #expect(result.allocations == [Allocation(requestIndex: 1, offerIndex: 0, energyWh: 3000),
                                       Allocation(requestIndex: 0, offerIndex: 2, energyWh: 1000)])
        // Hungarian does better: the surplus goes to EV1 (9000 of room), the demand to EV0.
        let optimal = try HungarianMatcher().match(requests: requests, evs: evs)
        #expect(optimal.tradedWh == 6000)
        #expect(optimal.result.allocatedWh == 6000)
        #expect(optimal.result.fulfilledCount == 2)
    }

    @Test func hungarianIsOptimalAndCertified() throws {
        var rng = TestRNG(seed: 5)
        for _ in 0..<300 {
            let requests = (0..<rng.int(0...6)).map { _ in
                ProsumerRequest(kind: rng.int(0...1) == 0 ? .demand : .surplus, energyWh: Int64(rng.int(0...9)),
                                submittedAt: Int64(rng.int(0...3)))
            }
            let evs = (0..<rng.int(0...6)).map { _ in
                EVState(availableWh: Int64(rng.int(0...7)), freeCapacityWh: Int64(rng.int(0...7)))
            }
            let optimal = try HungarianMatcher().match(requests: requests, evs: evs)
            let greedy = try GreedyMatcher().match(requests: requests, evs: evs)
            #expect(optimal.tradedWh == Self.bruteForceTraded(requests, evs))
            #expect(optimal.result.allocatedWh == optimal.tradedWh)
            #expect(greedy.allocatedWh <= optimal.tradedWh)
            #expect(!optimal.result.allocations.contains { $0.energyWh == 0 })
            #expect(Set(optimal.result.allocations.map(\.offerIndex)).count == optimal.result.allocations.count)
            let benefit = try HungarianMatcher.benefitMatrix(requests: requests, evs: evs)
            try LinearAssignment.verify(optimal.certificate, costs: benefit, maximize: true)
        }
    }

    /// [P] eq. (1): 79.5 kWh battery, SoC 40 kWh, reserve 5 kWh, 7 kW over 60 s.
    @Test func batteryWindow() throws {
        let limits = try Battery(capacityWh: 79_500, stateOfChargeWh: 40_000, reserveWh: 5_000, chargerPowerW: 7_000)
            .limits(periodSeconds: 60)
        #expect(limits == EVState(availableWh: 116, freeCapacityWh: 116))
        let open = try Battery(capacityWh: 79_500, stateOfChargeWh: 40_000, reserveWh: 5_000).limits(periodSeconds: 60)
        #expect(open == EVState(availableWh: 40_000 - 15_900 - 5_000, freeCapacityWh: 63_600 - 40_000))
    }
}
