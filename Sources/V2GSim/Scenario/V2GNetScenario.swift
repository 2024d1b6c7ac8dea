import V2GKit

/// The V2GNet market of [T] Table 4.1: consumers of three exchanges bidding for energy, EVs offering it.
public struct V2GNetConfig: Sendable, Hashable {
    public var consumers: Int
    public var evs: Int
    public var exchanges: Int = 3
    /// Offered energy per EV, whole kWh ("Discharge Capacity 0 to 10 kWh, Int").
    public var offerKWh: ClosedRange<Int64> = 0...10
    /// Demand per request, whole kWh ("Charge Capacity 1 to 20 kWh, Int").
    public var demandKWh: ClosedRange<Int64> = 1...20
    /// Bid tariff in micro-yen per kWh (22.39 to 42.84 JPY).
    public var bidMicro: ClosedRange<Int64> = 22_390_000...42_840_000
    /// EV ask prices for the double auction, micro-yen per kWh; [T] gives none, so this is a documented default.
    public var askMicro: ClosedRange<Int64> = 15_000_000...35_000_000
    /// W, the charging-pile capacity; [T] gives none, and 10 kWh never binds on 0-10 kWh offers.
    public var chargerCapacityWh: Int64 = 10_000

    public init(consumers: Int, evs: Int) {
        self.consumers = consumers
        self.evs = evs
    }
}

/// One round's generated requests and offers, with which requests are genuine.
public struct V2GNetRound: Sendable {
    public var requests: [EnergyRequest]
    public var offers: [EnergyOffer]
    /// The EV ask price for each offer (double auction only).
    public var asks: [Int64]
    /// False for requests that a malicious consumer or exchange fabricated: they take no energy.
    public var genuine: [Bool]

    /// What genuine consumers asked for, in Wh.
    public var genuineDemandWh: Int64 {
        zip(requests, genuine).reduce(0) { $0 + ($1.1 ? $1.0.energyWh : 0) }
    }
}

extension V2GNetConfig {
    /// The consumer key of consumer `index` (exchanges are assigned round-robin).
    public func consumer(_ index: Int) -> ConsumerKey {
        ConsumerKey(exchange: ExchangeID("E\(index % exchanges + 1)"), consumer: ConsumerID("C\(index + 1)"))
    }

    /// One genuine request per consumer and one offer per EV, drawn from the configured ranges.
    public func generateRound(using rng: inout SplitMix64, time: Int64 = 0) -> V2GNetRound {
        var round = V2GNetRound(requests: [], offers: [], asks: [], genuine: [])
        for c in 0..<consumers {
            let key = consumer(c)
            round.requests.append(EnergyRequest(exchange: key.exchange, consumer: key.consumer,
                                                bid: rng.int(bidMicro), submittedAt: time,
                                                energyWh: rng.int(demandKWh) * 1000))
            round.genuine.append(true)
        }
        for k in 0..<evs {
            round.offers.append(EnergyOffer(ev: EVID("EV\(k + 1)"), energyWh: rng.int(offerKWh) * 1000))
            round.asks.append(rng.int(askMicro))
        }
        return round
    }

    /// Adds up to `maxFakes` fabricated requests from each of the first `malicious` consumers ([T] §4.2.1).
    public func addConsumerAttack(to round: inout V2GNetRound, malicious: Int, maxFakes: Int,
                                  using rng: inout SplitMix64) {
        for c in 0..<min(malicious, consumers) {
            let key = consumer(c)
            // The genuine request is replaced: a malicious consumer takes no energy at all.
            if let i = round.requests.firstIndex(where: { $0.consumerKey == key }) { round.genuine[i] = false }
            for f in 0..<rng.int(1...maxFakes) {
                round.requests.append(EnergyRequest(exchange: key.exchange, consumer: key.consumer,
                                                    bid: rng.int(bidMicro), submittedAt: Int64(f + 1),
                                                    energyWh: rng.int(demandKWh) * 1000))
                round.genuine.append(false)
            }
        }
    }
}
