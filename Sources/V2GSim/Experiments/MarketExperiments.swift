import V2GKit

/// [T] Table 4.1 / Fig. 4.5-4.7: RET against the double auction across consumer × EV grids.
public struct MarketComparison: Sendable {
    public var consumerCounts: [Int] = [100, 150, 200, 400]
    public var evCounts: [Int] = [50, 100, 150, 200]
    public var mechanisms: [MarketMechanism] = [.ret, .doubleAuction]
    /// W and the EV asks, which [T] does not give.
    public var chargerCapacityWh: Int64 = 10_000
    public var askMicro: ClosedRange<Int64> = 15_000_000...35_000_000
    public var repetitions: Int
    public var seed: UInt64

    public init(repetitions: Int, seed: UInt64) {
        self.repetitions = repetitions
        self.seed = seed
    }

    /// One run: a grid cell, a repetition, a mechanism, and what it achieved.
    public struct Sample: Sendable {
        public var consumers: Int
        public var evs: Int
        public var repetition: Int
        public var mechanism: MarketMechanism
        public var metrics: RoundMetrics
    }

    /// Runs every cell `repetitions` times; each repetition draws one round that every mechanism sees.
    public func run(progress: Progress) throws -> [Sample] {
        var samples: [Sample] = []
        let total = consumerCounts.count * evCounts.count * repetitions
        var done = 0
        for consumers in consumerCounts {
            for evs in evCounts {
                var config = V2GNetConfig(consumers: consumers, evs: evs)
                config.chargerCapacityWh = chargerCapacityWh
                config.askMicro = askMicro
                for rep in 0..<repetitions {
                    var rng = SplitMix64(seed: Seeds.derive(seed, consumers, evs, rep))
                    let round = config.generateRound(using: &rng)
                    for mechanism in mechanisms {
                        let outcome = try round.run(mechanism, chargerCapacityWh: config.chargerCapacityWh)
                        samples.append(Sample(consumers: consumers, evs: evs, repetition: rep, mechanism: mechanism,
                                              metrics: outcome.metrics))
                    }
                    done += 1
                    progress.update(done, of: total)
                }
            }
        }
        return samples
    }
}

/// [T] Fig. 4.8: fill rate, fulfilled requests and profit with no attack, under attack with RET, and without.
///
/// Malicious consumers send up to `maxFakes` fabricated requests every round and take no energy. With RET,
/// deduplication keeps one request each and the penalty lists, carried from round to round, shrink their
/// demand once they fail to take delivery; without RET every fabricated request competes, every round.
public struct ConsumerAttack: Sendable {
    public var maliciousCounts: [Int] = [1, 5, 10, 20, 50]
    public var maxFakes = 10
    /// Table 4.1's smallest market: 100 consumers, 100 EVs.
    public var consumers = 100
    public var evs = 100
    /// Consecutive rounds; the figure's numbers are the last round's.
    public var rounds = 5
    public var gamma1 = Ratio(ppm: 100_000)
    public var gamma2 = Ratio(ppm: 100_000)
    public var chargerCapacityWh: Int64 = 10_000
    public var repetitions: Int
    public var seed: UInt64

    public init(repetitions: Int, seed: UInt64) {
        self.repetitions = repetitions
        self.seed = seed
    }

    /// The three cases of Fig. 4.8.
    public enum Case: String, Sendable, CaseIterable {
        case noAttack = "no attack"
        case attackWithRET = "attack, RET"
        case attackWithoutRET = "attack, without RET"
    }

    public struct Sample: Sendable {
        public var malicious: Int
        public var repetition: Int
        public var round: Int
        public var scenario: Case
        public var metrics: RoundMetrics
    }

    public func run(progress: Progress) throws -> [Sample] {
        var samples: [Sample] = []
        var config = V2GNetConfig(consumers: consumers, evs: evs)
        config.chargerCapacityWh = chargerCapacityWh
        var done = 0
        for malicious in maliciousCounts {
            for rep in 0..<repetitions {
                var rng = SplitMix64(seed: Seeds.derive(seed, malicious, rep))
                var books: [Case: PenaltyBook] = [:]
                for round in 1...rounds {
                    let clean = config.generateRound(using: &rng, time: Int64(round) * 100)
                    var attacked = clean
                    config.addConsumerAttack(to: &attacked, malicious: malicious, maxFakes: maxFakes, using: &rng)
                    // The no-attack baseline counts the same genuine consumers as the attacked rounds.
                    var baseline = clean
                    for i in 0..<min(malicious, consumers) {
                        baseline.genuine[i] = false
                        baseline.requests[i].energyWh = 0
                    }
                    let cases: [(Case, V2GNetRound, MarketMechanism)] = [
                        (.noAttack, baseline, .ret), (.attackWithRET, attacked, .ret),
                        (.attackWithoutRET, attacked, .retWithoutRobustness),
                    ]
                    for (scenario, r, mechanism) in cases {
                        let book = books[scenario] ?? PenaltyBook()
                        let outcome = try r.run(mechanism, penalties: book, chargerCapacityWh: config.chargerCapacityWh)
                        if mechanism == .ret {
                            var updated = book
                            try updated.applyRound(outcome.result, requests: r.requests, deliveredWh: outcome.deliveredWh,
                                                   gamma1: gamma1, gamma2: gamma2)
                            books[scenario] = updated
                        }
                        samples.append(Sample(malicious: malicious, repetition: rep, round: round, scenario: scenario,
                                              metrics: outcome.metrics))
                    }
                }
                done += 1
                progress.update(done, of: maliciousCounts.count * repetitions)
            }
        }
        return samples
    }
}

/// [T] Fig. 4.9: one malicious exchange of three (half its consumers fabricated) over consecutive rounds.
public struct ExchangeAttack: Sendable {
    public var consumersPerExchange = 100
    public var fakeConsumers = 50
    public var evs = 150
    public var rounds = 10
    public var gamma1 = Ratio(ppm: 100_000)
    public var gamma2 = Ratio(ppm: 100_000)
    public var chargerCapacityWh: Int64 = 10_000
    public var repetitions: Int
    public var seed: UInt64

    public init(repetitions: Int, seed: UInt64) {
        self.repetitions = repetitions
        self.seed = seed
    }

    public struct Sample: Sendable {
        public var round: Int
        public var repetition: Int
        public var withRET: Bool
        /// The whole market's metrics.
        public var metrics: RoundMetrics
        /// The malicious exchange's shares of allocated energy, fulfilled requests and profit.
        public var maliciousEnergyShare: Double
        public var maliciousRequestShare: Double
        public var maliciousProfitShare: Double
    }

    static let malicious = ExchangeID("E3")

    public func run(progress: Progress) throws -> [Sample] {
        var samples: [Sample] = []
        var config = V2GNetConfig(consumers: 3 * consumersPerExchange, evs: evs)
        config.exchanges = 3
        config.chargerCapacityWh = chargerCapacityWh
        var done = 0
        for rep in 0..<repetitions {
            for withRET in [true, false] {
                var book = PenaltyBook()
                var rng = SplitMix64(seed: Seeds.derive(seed, rep))
                for round in 1...rounds {
                    var r = config.generateRound(using: &rng, time: Int64(round))
                    // Exchange E3's consumers are every third; the first `fakeConsumers` of them are fabricated.
                    var fakes = 0
                    for i in r.requests.indices where r.requests[i].exchange == Self.malicious && fakes < fakeConsumers {
                        r.genuine[i] = false
                        fakes += 1
                    }
                    let outcome = try r.run(.ret, penalties: withRET ? book : PenaltyBook(),
                                            chargerCapacityWh: config.chargerCapacityWh)
                    if withRET {
                        try book.applyRound(outcome.result, requests: r.requests, deliveredWh: outcome.deliveredWh,
                                            gamma1: gamma1, gamma2: gamma2)
                    }
                    samples.append(try share(of: outcome, in: r, round: round, repetition: rep, withRET: withRET))
                }
                done += 1
                progress.update(done, of: 2 * repetitions)
            }
        }
        return samples
    }

    private func share(of outcome: RoundOutcome, in r: V2GNetRound, round: Int, repetition: Int,
                       withRET: Bool) throws -> Sample {
        var energy: (Int64, Int64) = (0, 0), profit: (Int64, Int64) = (0, 0), fulfilled: (Int, Int) = (0, 0)
        for a in outcome.result.allocations {
            let request = r.requests[a.requestIndex]
            let value = try money(pricePerKWh: request.bid, energyWh: a.energyWh)
            energy.1 += a.energyWh
            profit.1 += value
            if request.exchange == Self.malicious { energy.0 += a.energyWh; profit.0 += value }
        }
        for o in outcome.result.outcomes where o.fulfilled {
            fulfilled.1 += 1
            if r.requests[o.requestIndex].exchange == Self.malicious { fulfilled.0 += 1 }
        }
        func ratio<T: BinaryInteger>(_ p: (T, T)) -> Double { p.1 == 0 ? 0 : Double(p.0) / Double(p.1) }
        return Sample(round: round, repetition: repetition, withRET: withRET, metrics: outcome.metrics,
                      maliciousEnergyShare: ratio(energy), maliciousRequestShare: ratio(fulfilled),
                      maliciousProfitShare: ratio(profit))
    }
}

/// Independent, reproducible seeds for each cell and repetition of an experiment.
public enum Seeds {
    /// Mixes the base seed with the indices through SplitMix64, so cells never share a stream.
    public static func derive(_ base: UInt64, _ parts: Int...) -> UInt64 {
        var rng = SplitMix64(seed: base)
        var h = rng.next()
        for p in parts {
            var mix = SplitMix64(seed: h ^ UInt64(bitPattern: Int64(p)))
            h = mix.next()
        }
        return h
    }
}
