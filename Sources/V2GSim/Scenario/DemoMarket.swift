import V2GKit

/// The V2GNet campus of `v2g demo market` ([T] §4.1, Table 4.1's ranges): three exchanges of twelve consumers,
/// twenty EVs; exchange E3 fabricates half its consumers, one consumer floods duplicate requests.
public struct DemoMarket: Sendable {
    public struct Consumer: Sendable {
        public var key: ConsumerKey
        public var fake: Bool
    }
    public var exchanges: [ExchangeID]
    public var consumers: [Consumer]
    public var evs: [EVID]
    public var maliciousExchange: ExchangeID
    public var maliciousConsumer: ConsumerKey
    public let gamma1 = Ratio(ppm: 100_000)
    public let gamma2 = Ratio(ppm: 100_000)
    public let chargerCapacityWh: Int64 = 10_000

    /// What one round did.
    public struct Round: Sendable {
        public var requests: [EnergyRequest]
        public var offers: [EnergyOffer]
        public var result: MatchResult
        /// Metered energy per allocation: the fake consumers and the flooder take nothing.
        public var delivered: [Int64]
        /// Money paid, pay-as-bid on delivered energy, in micro-units.
        public var paid: Int64
    }

    public static func generate(using rng: inout SplitMix64) -> DemoMarket {
        let exchanges: [ExchangeID] = ["E1", "E2", "E3"]
        var consumers: [Consumer] = []
        for (x, exchange) in exchanges.enumerated() {
            for c in 1...12 {
                let number = c < 10 ? "0\(c)" : "\(c)"
                let key = ConsumerKey(exchange: exchange, consumer: ConsumerID("C\(x + 1)\(number)"))
                consumers.append(Consumer(key: key, fake: x == 2 && c % 2 == 0))
            }
        }
        let evs = (1...20).map { EVID($0 < 10 ? "EV0\($0)" : "EV\($0)") }
        return DemoMarket(exchanges: exchanges, consumers: consumers, evs: evs, maliciousExchange: "E3",
                          maliciousConsumer: consumers[3].key)
    }

    /// The consumers that never take their energy.
    public var fakes: Set<ConsumerKey> { Set(consumers.filter(\.fake).map(\.key)).union([maliciousConsumer]) }

    /// Draws a round's requests and offers, runs RET with `penalties`, meters, and settles into `balances`
    /// (consumers pay EV owners). The penalty lists are the caller's to update (`PenaltyBook.applyRound`).
    public func trade(penalties: PenaltyBook, balances: inout [String: Int64], rng: inout SplitMix64) throws -> Round {
        // Requests: 1-20 kWh at 22.39-42.84 ¥/kWh; the flooding consumer sends ten, only its last counts.
        var requests: [EnergyRequest] = []
        for consumer in consumers {
            let copies = consumer.key == maliciousConsumer ? 10 : 1
            for copy in 0..<copies {
                requests.append(EnergyRequest(exchange: consumer.key.exchange, consumer: consumer.key.consumer,
                                              bid: rng.int(22_390_000...42_840_000), submittedAt: Int64(copy),
                                              energyWh: rng.int(1...20) * 1000))
            }
        }
        let offers = evs.map { EnergyOffer(ev: $0, energyWh: rng.int(0...10) * 1000) }
        let result = try RETMatcher(chargerCapacityWh: chargerCapacityWh)
            .match(requests: requests, offers: offers, penalties: penalties)
        let fake = fakes
        let delivered = result.allocations.map { fake.contains(requests[$0.requestIndex].consumerKey) ? 0 : $0.energyWh }
        var paid: Int64 = 0
        for (allocation, wh) in zip(result.allocations, delivered) where wh > 0 {
            let request = requests[allocation.requestIndex]
            let amount = try money(pricePerKWh: request.bid, energyWh: wh)
            balances[request.consumerKey.description, default: 0] -= amount
            balances["owner:\(offers[allocation.offerIndex].ev)", default: 0] += amount
            paid += amount
        }
        return Round(requests: requests, offers: offers, result: result, delivered: delivered, paid: paid)
    }
}

/// One [P] matching period for the walk-through (`v2g demo market`): five PV prosumers and three 79.5 kWh EVs on
/// 7 kW chargers for an hour, matched greedily and by the Hungarian method, the optimum's certificate checked.
public struct ProsumerDemoPeriod: Sendable {
    public var requests: [ProsumerRequest]
    public var evs: [EVState]
    public var greedyWh: Int64
    public var optimal: HungarianMatcher.Outcome
    /// The [P] tariff: what surplus and EV energy cost, micro-pounds per kWh.
    public var surplusPrice: Int64, evPrice: Int64

    public init(rng: inout SplitMix64) throws {
        let period: Int64 = 3600
        let batteries = (0..<3).map { _ in
            Battery(capacityWh: 79_500, stateOfChargeWh: rng.int(20_000...60_000), reserveWh: 2_000, chargerPowerW: 7_000)
        }
        evs = try batteries.map { try $0.limits(periodSeconds: period) }
        requests = (0..<5).map { i in
            ProsumerRequest(kind: i % 2 == 0 ? .surplus : .demand, energyWh: rng.int(500...9_000), submittedAt: Int64(i))
        }
        greedyWh = try GreedyMatcher().match(requests: requests, evs: evs).allocatedWh
        optimal = try HungarianMatcher().match(requests: requests, evs: evs)
        try LinearAssignment.verify(optimal.certificate, costs: try HungarianMatcher.benefitMatrix(requests: requests, evs: evs),
                                    maximize: true)
        (surplusPrice, evPrice) = try Tariff.paper.prices()
    }
}
