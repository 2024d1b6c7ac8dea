import Testing
import V2GKit
@testable import V2GSim

@Suite("[T] Ch. 4 attack experiments at small size")
struct AttackExperimentTests {
    /// Fig. 4.8's claim at 20 malicious consumers: RET keeps the fill rate close to the no-attack level,
    /// the plain matcher loses much of it.
    @Test func consumerAttackAtTwentyMalicious() throws {
        var experiment = ConsumerAttack(repetitions: 4, seed: 48)
        experiment.maliciousCounts = [20]
        let samples = try experiment.run(progress: Progress("test", enabled: false))
        func mean(_ scenario: ConsumerAttack.Case) -> Double {
            let rates = samples.filter { $0.scenario == scenario && $0.round == experiment.rounds }.map(\.metrics.fillRate)
            return rates.reduce(0, +) / Double(rates.count)
        }
        let clean = mean(.noAttack), protected = mean(.attackWithRET), exposed = mean(.attackWithoutRET)
        #expect(samples.count == 3 * 4 * experiment.rounds)
        #expect(abs(clean - protected) < 0.10, "no attack \(clean), with RET \(protected)")
        #expect(clean - exposed > 0.20, "no attack \(clean), without RET \(exposed)")
    }

    /// Fig. 4.9's claim: the malicious exchange's share falls round by round with RET, and stays without it.
    @Test func exchangeAttackShareFalls() throws {
        var experiment = ExchangeAttack(repetitions: 2, seed: 49)
        experiment.rounds = 6
        let samples = try experiment.run(progress: Progress("test", enabled: false))
        func share(round: Int, ret: Bool) -> Double {
            let s = samples.filter { $0.round == round && $0.withRET == ret }.map(\.maliciousEnergyShare)
            return s.reduce(0, +) / Double(s.count)
        }
        // Round 1 is identical with and without RET: no penalties exist yet.
        #expect(share(round: 1, ret: true) == share(round: 1, ret: false))
        #expect(share(round: 6, ret: true) < share(round: 1, ret: true) - 0.05)
        #expect(abs(share(round: 6, ret: false) - share(round: 1, ret: false)) < 0.10)
        // Fabricated requests never deliver, so a falling share means more energy reaches real consumers.
        let delivered6 = samples.filter { $0.round == 6 && $0.withRET }.map(\.metrics.deliveredWh).reduce(0, +)
        let exposed6 = samples.filter { $0.round == 6 && !$0.withRET }.map(\.metrics.deliveredWh).reduce(0, +)
        #expect(delivered6 > exposed6)
    }

    /// The same seed gives the same samples: experiments are reproducible.
    @Test func seedsReproduce() throws {
        var experiment = MarketComparison(repetitions: 2, seed: 7)
        experiment.consumerCounts = [100]
        experiment.evCounts = [50]
        let a = try experiment.run(progress: Progress("test", enabled: false)).map(\.metrics)
        let b = try experiment.run(progress: Progress("test", enabled: false)).map(\.metrics)
        #expect(a == b)
        #expect(a.count == 4)
        #expect(a.allSatisfy { $0.deliveredWh <= $0.demandWh && $0.fillRate <= 1 })
    }
}
