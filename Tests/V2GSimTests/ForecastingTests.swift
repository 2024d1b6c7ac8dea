import Foundation
import Testing
import V2GKit
@testable import V2GSim

@Suite("Forecasting: load, trips, and the market on forecasts")
struct ForecastingTests {
    /// Bidding the actual positions as "predictions" is the perfect-prediction run, byte for byte.
    @Test func perfectPredictionsTradeExactlyAsTheMarketDoes() throws {
        let profiles = ProsumerProfiles.generated(seed: 3, hours: 6)
        let sim = ProsumerMarketSimulation(profiles: profiles, seed: 3)
        for scenario in [ProsumerMarketSimulation.Scenario.isolated, .shared(evs: 2)] {
            for algorithm in ProsumerMarketSimulation.algorithms {
                let plain = try sim.run(scenario, algorithm)
                let same = try sim.run(scenario, algorithm, predictedNet: sim.netPositions())
                #expect(plain.agents == same.agents && plain.exchanges == same.exchanges)
            }
        }
    }

    /// A forecast of the wrong sign trades nothing; one that overshoots trades no more than the actual position.
    @Test func theMetersBoundWhatAForecastTrades() throws {
        let profiles = ProsumerProfiles.generated(seed: 4, hours: 6)
        let sim = ProsumerMarketSimulation(profiles: profiles, seed: 4)
        let net = sim.netPositions()
        let flipped = net.map { $0.map { -$0 } }
        #expect(try sim.run(.shared(evs: 3), .hungarian, predictedNet: flipped).tradedWh == 0)
        let doubled = net.map { $0.map { $0 * 2 } }
        let over = try sim.run(.shared(evs: 3), .hungarian, predictedNet: doubled)
        for x in over.exchanges {
            let a = profiles.agents.firstIndex(of: x.prosumer)!
            #expect(x.energyWh <= abs(net[a][x.timeStep]))
        }
    }

    @Test func loadSamplesAreTheLastThreePeriodsAndTheNext() throws {
        let s = LoadSeries(ProsumerProfiles.generated(seed: 5, hours: 2), agent: 1, periodSeconds: 60)
        #expect(s.count == 120)
        let sample = s.samples(10..<11)[0]
        #expect(sample.input.count == 9 && sample.target == s.target(at: 10))
        #expect(sample.input[1] == Double(s.consumptionWh[7]) / s.scaleWh && sample.input[8] == Double(s.productionWh[9]) / s.scaleWh)
        #expect(s.samples(0..<5).count == 2)   // periods 3 and 4: the first three have no lookback
    }

    /// A short federated run: the global models are published in order, and the forecast beats guessing zero.
    @Test func federatedForecastPublishesEveryGlobalModel() throws {
        let history = ProsumerProfiles.generated(seed: 6, hours: 3), day = ProsumerProfiles.generated(seed: 7, hours: 2)
        var f = LoadForecast(seed: 6)
        f.pretrainRounds = 3
        f.aggregationPeriods = 40
        var rounds: [Int] = []
        let result = try f.run(history: history, day: day, published: { rounds.append($0.round) })
        #expect(rounds == Array(1...6))   // 3 before the day, 3 during its 120 periods
        #expect(result.predictedNet.count == 5 && result.predictedNet.allSatisfy { $0.count == 120 })
        var zeroError = 0.0, n = 0.0
        for a in 0..<5 {
            let s = LoadSeries(day, agent: a, periodSeconds: 60)
            for p in 0..<120 { zeroError += Double(s.consumptionWh[p] * s.consumptionWh[p] + s.productionWh[p] * s.productionWh[p]); n += 2 }
        }
        #expect(result.rmseWh < (zeroError / n).squareRoot(), "RMSE \(result.rmseWh)")
    }

    @Test func tripEnergyBehavesPhysically() throws {
        let base = TripGenerator(seed: 1).trips(1)[0]
        var longer = base
        longer.durationMinutes = base.durationMinutes + 30
        #expect(TripGenerator.energy(longer) > TripGenerator.energy(base))
        var cold = base, mild = base
        cold.temperatureC = -5
        mild.temperatureC = 20
        #expect(TripGenerator.energy(cold) > TripGenerator.energy(mild))
        var van = base, compact = base
        van.model = 3
        compact.model = 0
        #expect(TripGenerator.energy(van) > TripGenerator.energy(compact))
        #expect(TripGenerator(seed: 2).trips(50) == TripGenerator(seed: 2).trips(50))
        #expect(TripGenerator(seed: 2).trips(200).allSatisfy { $0.energyWh > 0 && $0.features.count == 13 })
    }

    @Test func theTripModelBeatsTheFlatRule() throws {
        var model = TripEnergyForecast(seed: 3)
        model.epochs = 25
        try model.train(TripGenerator(seed: 3).trips(1500))
        let test = TripGenerator(seed: 4).trips(300)
        var mlp = 0.0, flat = 0.0
        for t in test {
            let p = try model.predict(t)
            mlp += (p - t.energyWh) * (p - t.energyWh)
            let f = 10_000 * t.durationMinutes / 60
            flat += (f - t.energyWh) * (f - t.energyWh)
        }
        #expect(mlp < 0.5 * flat, "MLP \(mlp.squareRoot()) flat \(flat.squareRoot())")
    }

    /// With the true trip energy as the plan, nothing is short; the delivered count never exceeds the planned one.
    @Test func anOracleDeliversWhatItPlans() throws {
        var model = TripEnergyForecast(seed: 5)
        model.epochs = 5
        try model.train(TripGenerator(seed: 5).trips(300))
        var rng = SplitMix64(seed: 8)
        let round = try TripRound.generate(requests: 60, evs: 40, model: model, using: &rng)
        let oracle = try round.run(.oracle)
        #expect(oracle.shortWh == 0 && oracle.fulfilled == oracle.planned)
        for planner in TripForecastReport.Planner.allCases {
            let o = try round.run(planner)
            #expect(o.fulfilled <= o.planned)
        }
    }
}
