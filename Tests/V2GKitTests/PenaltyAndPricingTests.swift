import Testing
@testable import V2GKit
internal import CV2G

@Suite("Penalty lists, pricing, and the C/Swift boundary")
struct PenaltyAndPricingTests {
    /// A round where consumer E1/C1 takes nothing and E2/C2 everything, with γ1 = γ2 = 0.1.
    @Test func roundUpdatesListsFromMetering() throws {
        let requests = [EnergyRequest(exchange: "E1", consumer: "C1", bid: 10, submittedAt: 0, energyWh: 4000),
                        EnergyRequest(exchange: "E2", consumer: "C2", bid: 5, submittedAt: 0, energyWh: 3000)]
        let offers = [EnergyOffer(ev: "A", energyWh: 5000), EnergyOffer(ev: "B", energyWh: 3000)]
        var book = PenaltyBook()
        let result = try RETMatcher().match(requests: requests, offers: offers, penalties: book)
        #expect(result.allocations == [Allocation(requestIndex: 0, offerIndex: 0, energyWh: 4000),
                                       Allocation(requestIndex: 1, offerIndex: 1, energyWh: 3000)])
        try book.applyRound(result, requests: requests, deliveredWh: [0, 3000], gamma1: Ratio(ppm: 100_000),
                            gamma2: Ratio(ppm: 100_000))
        // pct = 0 < 0.9: append 0 + 0.1 for the consumer and for its exchange (0 of 1 requests delivered).
        #expect(book.consumers == [ConsumerKey(exchange: "E1", consumer: "C1"): [Ratio(ppm: 100_000)]])
        #expect(book.exchanges == ["E1": [Ratio(ppm: 100_000)]])
        // Next round C1's 4000 Wh counts as 400 Wh, and E1 may fulfil floor(1 x 0.1) = 0 requests.
        let next = try RETMatcher().match(requests: requests, offers: offers, penalties: book)
        #expect(next.outcomes.first { $0.requestIndex == 0 }?.demandWh == 400)
        #expect(next.outcomes.first { $0.requestIndex == 0 }?.allocatedWh == 0)
        // A good round forgives the last penalty.
        try book.recordConsumer(ConsumerKey(exchange: "E1", consumer: "C1"), dueWh: 400, deliveredWh: 400,
                                gamma: Ratio(ppm: 100_000))
        #expect(book.consumers.isEmpty)
        #expect(throws: V2GError.self) {
            try book.applyRound(result, requests: requests, deliveredWh: [1], gamma1: .one, gamma2: .one)
        }
    }

    @Test func paperTariff() throws {
        let (split, ev) = try Tariff.paper.prices()
        #expect(split == 179_450)
        #expect(ev == 197_395)
        #expect(try money(pricePerKWh: split, energyWh: 2_000) == 358_900)
        #expect(throws: V2GError.self) { try money(pricePerKWh: .max, energyWh: 2_000) }
    }

    /// The structs that cross the ABI have the layout the C headers document (LP64).
    @Test func abiLayouts() {
        #expect(MemoryLayout<v2g_id>.size == 16)
        #expect(MemoryLayout<v2g_ret_request>.size == 64)
        #expect(MemoryLayout<v2g_ret_offer>.size == 24)
        #expect(MemoryLayout<v2g_ret_allocation>.size == 24)
        #expect(MemoryLayout<v2g_ret_outcome>.size == 32)
        #expect(MemoryLayout<v2g_prosumer_request>.size == 24)
        #expect(MemoryLayout<v2g_ev_state>.size == 16)
        #expect(V2G_PPM_ONE == Ratio.one.rawValue)
        #expect(V2GError.Code.infeasible.description == "no complete assignment exists")
        #expect(coreVersion == "\(V2G_VERSION_MAJOR).\(V2G_VERSION_MINOR).\(V2G_VERSION_PATCH)")
    }
}
