import Testing
@testable import V2GKit

@Suite("RET through the Swift API")
struct RETMatcherTests {
    static let requests = [
        EnergyRequest(exchange: "E1", consumer: "C1", bid: 30, submittedAt: 1, energyWh: 5000),
        EnergyRequest(exchange: "E1", consumer: "C1", bid: 30, submittedAt: 3, energyWh: 4000),
        EnergyRequest(exchange: "E1", consumer: "C2", bid: 20, submittedAt: 2, energyWh: 8000),
        EnergyRequest(exchange: "E2", consumer: "C3", bid: 25, submittedAt: 1, energyWh: 6000),
        EnergyRequest(exchange: "E2", consumer: "C4", bid: 10, submittedAt: 1, energyWh: 2000),
    ]
    static let offers = [
        EnergyOffer(ev: "EV1", energyWh: 7000), EnergyOffer(ev: "EV2", energyWh: 3000),
        EnergyOffer(ev: "EV3", energyWh: 5000), EnergyOffer(ev: "EV4", energyWh: 3000),
    ]

    /// The hand-worked case of tests/c/test_ret.c, with C3's penalty coming from a PenaltyBook.
    @Test func handCase() throws {
        let book = PenaltyBook(consumers: [ConsumerKey(exchange: "E2", consumer: "C3"): [Ratio(ppm: 500_000)]])
        let result = try RETMatcher(chargerCapacityWh: 6000).match(requests: Self.requests, offers: Self.offers,
                                                                   penalties: book)
        #expect(result.allocations == [
            Allocation(requestIndex: 2, offerIndex: 0, energyWh: 6000),
            Allocation(requestIndex: 2, offerIndex: 1, energyWh: 2000),
            Allocation(requestIndex: 1, offerIndex: 2, energyWh: 4000),
            Allocation(requestIndex: 3, offerIndex: 3, energyWh: 3000),
        ])
        #expect(result.outcomes.map(\.requestIndex) == [2, 1, 3, 4])
        #expect(result.demandWh == 8000 + 4000 + 3000 + 2000)
        #expect(result.allocatedWh == 15000)
        #expect(result.fulfilledCount == 3)
    }

    @Test func exchangePenaltyCutsTheQuota() throws {
        let book = PenaltyBook(consumers: [ConsumerKey(exchange: "E2", consumer: "C3"): [Ratio(ppm: 500_000)]],
                               exchanges: ["E1": [Ratio(ppm: 500_000)]])
        let result = try RETMatcher(chargerCapacityWh: 6000).match(requests: Self.requests, offers: Self.offers,
                                                                   penalties: book)
        #expect(result.allocations.map(\.requestIndex) == [2, 2, 3, 4])
        #expect(result.outcomes.first { $0.requestIndex == 1 }?.allocatedWh == 0)
    }

    @Test func duplicateEVsAndNegativeEnergyAreRefused() {
        let twice = [EnergyOffer(ev: "EV", energyWh: 1), EnergyOffer(ev: "EV", energyWh: 2)]
        #expect(throws: V2GError.self) { try RETMatcher().match(requests: Self.requests, offers: twice) }
        do {
            _ = try RETMatcher().match(requests: Self.requests, offers: twice)
        } catch {
            #expect(error.code == .duplicate)
        }
        let negative = [EnergyRequest(exchange: "E", consumer: "C", bid: 1, submittedAt: 0, energyWh: -1)]
        do {
            _ = try RETMatcher().match(requests: negative, offers: Self.offers)
            Issue.record("a negative demand was accepted")
        } catch {
            #expect(error.code == .negative)
        }
        let outOfRange = PenaltyBook(exchanges: ["E1": [Ratio(ppm: 2_000_000)]])
        #expect(throws: V2GError.self) {
            try RETMatcher().match(requests: Self.requests, offers: Self.offers, penalties: outOfRange)
        }
    }

    /// IDs reach the C core as the same bytes: non-ASCII, empty and prefix-sharing IDs order byte-wise.
    @Test func idsAreComparedByteWise() throws {
        let requests = [
            EnergyRequest(exchange: "É", consumer: "x", bid: 1, submittedAt: 0, energyWh: 10),
            EnergyRequest(exchange: "E", consumer: "", bid: 1, submittedAt: 0, energyWh: 10),
            EnergyRequest(exchange: "E", consumer: "x", bid: 1, submittedAt: 0, energyWh: 10),
        ]
        let offers = [EnergyOffer(ev: "b", energyWh: 10), EnergyOffer(ev: "a", energyWh: 10),
                      EnergyOffer(ev: "ab", energyWh: 10)]
        let result = try RETMatcher().match(requests: requests, offers: offers)
        // Equal profit and time: exchange "E" < "É" (0x45 < 0xC3), consumer "" < "x"; EVs "a" < "ab" < "b".
        #expect(result.allocations.map(\.requestIndex) == [1, 2, 0])
        #expect(result.allocations.map(\.offerIndex) == [1, 2, 0])
        #expect(ExchangeID("E") < ExchangeID("É"))
        #expect(EVID("ab") < EVID("b"))
    }

    /// The Swift wrapper, PenaltyBook lookups included, against a plain Swift RET from [T] Algorithm 1.
    @Test func matchesPlainReference() throws {
        var rng = TestRNG(seed: 99)
        for _ in 0..<1500 {
            let exchanges: [ExchangeID] = ["E1", "E10", "E2"]
            let consumers: [ConsumerID] = ["a", "b", "c", "d", "é"]
            let requests = (0..<rng.int(0...25)).map { _ in
                EnergyRequest(exchange: exchanges[rng.int(0...2)], consumer: consumers[rng.int(0...4)],
                              bid: Int64(rng.int(0...4)), submittedAt: Int64(rng.int(0...3)),
                              energyWh: Int64(rng.int(0...30)))
            }
            let offers = (0..<rng.int(0...15)).map { EnergyOffer(ev: EVID("ev\($0)"), energyWh: Int64(rng.int(0...20))) }
            var book = PenaltyBook()
            for request in requests where rng.int(0...3) == 0 {
                book.consumers[request.consumerKey] = (0..<rng.int(1...3)).map { _ in Ratio(ppm: Int32(rng.int(0...1_000_000))) }
            }
            for exchange in exchanges where rng.int(0...2) == 0 {
                book.exchanges[exchange] = [Ratio(ppm: Int32(rng.int(0...1_000_000)))]
            }
            let w: Int64? = rng.int(0...2) == 0 ? nil : Int64(rng.int(0...25))
            let fast = try RETMatcher(chargerCapacityWh: w).match(requests: requests, offers: offers, penalties: book)
            let plain = ReferenceRET.run(requests: requests, offers: offers, penalties: book, capacity: w ?? .max)
            #expect(fast == plain)
        }
    }
}

/// Seeded generator for reproducible random tests.
typealias TestRNG = SplitMix64

/// RET written straight from [T] Algorithm 1 and SPEC §3.3, in plain Swift.
enum ReferenceRET {
    static func factor(_ list: [Ratio]) -> Int64 {
        list.reduce(Int64(1_000_000)) { $0 * Int64($1.rawValue) / 1_000_000 }
    }

    static func run(requests: [EnergyRequest], offers: [EnergyOffer], penalties: PenaltyBook, capacity: Int64) -> MatchResult {
        // Lines 11-15: the latest request of each consumer (ties: later in the list).
        var kept: [Int] = []
        for p in requests.indices {
            let superseded = requests.indices.contains { q in
                q != p && requests[q].consumerKey == requests[p].consumerKey
                    && (requests[q].submittedAt > requests[p].submittedAt
                        || (requests[q].submittedAt == requests[p].submittedAt && q > p))
            }
            if !superseded { kept.append(p) }
        }
        // Lines 16-20: consumer penalty.
        var demand: [Int: Int64] = [:]
        for p in kept {
            demand[p] = requests[p].energyWh * factor(penalties.consumers[requests[p].consumerKey] ?? []) / 1_000_000
        }
        // Line 21: profit order with the stated ties.
        kept.sort { a, b in
            let pa = requests[a].bid * demand[a]!, pb = requests[b].bid * demand[b]!
            if pa != pb { return pa > pb }
            if requests[a].submittedAt != requests[b].submittedAt { return requests[a].submittedAt < requests[b].submittedAt }
            return requests[a].consumerKey < requests[b].consumerKey
        }
        // Lines 22-27: exchange quotas.
        var quota: [ExchangeID: Int64] = [:]
        for p in kept { quota[requests[p].exchange, default: 0] += 1 }
        for (exchange, n) in quota { quota[exchange] = n * factor(penalties.exchanges[exchange] ?? []) / 1_000_000 }
        // Lines 28-30: cap and order offers.
        let energy = offers.map { min($0.energyWh, capacity) }
        let order = offers.indices.sorted { energy[$0] != energy[$1] ? energy[$0] > energy[$1] : offers[$0].ev < offers[$1].ev }
        var used = Set<Int>()
        var allocations: [Allocation] = []
        var outcomes: [RequestOutcome] = []
        var exhausted = false
        // Lines 31-59.
        for p in kept {
            var outcome = RequestOutcome(requestIndex: p, demandWh: demand[p]!, allocatedWh: 0, fulfilled: false)
            defer { outcomes.append(outcome) }
            if exhausted || quota[requests[p].exchange]! <= 0 || demand[p]! == 0 { continue }
            var remaining = demand[p]!
            while remaining > 0 {
                let free = order.filter { !used.contains($0) && energy[$0] > 0 }
                guard let largest = free.first else { exhausted = true; break }
                let fit = free.filter { energy[$0] >= remaining }.last.map { last in free.first { energy[$0] == energy[last] }! }
                let pick = fit ?? largest
                let give = fit != nil ? remaining : energy[pick]
                used.insert(pick)
                allocations.append(Allocation(requestIndex: p, offerIndex: pick, energyWh: give))
                outcome.allocatedWh += give
                remaining -= give
            }
            if remaining == 0 {
                outcome.fulfilled = true
                quota[requests[p].exchange]! -= 1
            }
        }
        return MatchResult(allocations: allocations, outcomes: outcomes)
    }
}
