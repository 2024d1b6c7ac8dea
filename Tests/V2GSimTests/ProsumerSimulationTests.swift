import Testing
import V2GKit
@testable import V2GSim

@Suite("[P] prosumer day")
struct ProsumerSimulationTests {
    static let profiles = ProsumerProfiles.generated(seed: 3, hours: 2)

    @Test func energyIsConservedAndBatteriesStayInTheirWindow() throws {
        let sim = ProsumerMarketSimulation(profiles: Self.profiles, seed: 3)
        let net = sim.netPositions()
        for scenario in [ProsumerMarketSimulation.Scenario.isolated, .shared(evs: 2)] {
            for algorithm in ProsumerMarketSimulation.algorithms {
                let run = try sim.run(scenario, algorithm)
                for (a, agent) in run.agents.enumerated() {
                    #expect(agent.originalGridWh == net[a].reduce(0) { $0 + abs($1) })
                    #expect(agent.gridWh + agent.tradedWh == agent.originalGridWh)
                    #expect(agent.tradedWh >= 0 && agent.benefit >= 0)
                }
                // What EVs bought and sold is what prosumers traded, and each battery ends where its trades put it.
                #expect(run.evs.reduce(0) { $0 + $1.boughtWh + $1.soldWh } == run.tradedWh)
                for ev in run.evs {
                    #expect(ev.finalSoCWh == sim.initialSoCWh + ev.boughtWh - ev.soldWh)
                    #expect(ev.finalSoCWh <= sim.batteryCapacityWh * 8 / 10)
                }
                #expect(run.exchanges.reduce(0) { $0 + $1.energyWh } == run.tradedWh)
                #expect(run.exchanges.allSatisfy { $0.energyWh <= ($0.prosumerSold ? $0.batteryCapacityWh : $0.availableWh) })
            }
        }
    }

    /// From the same state, the optimal matching trades at least as much as FIFO in a period.
    @Test func hungarianBeatsGreedyInOnePeriod() throws {
        var sim = ProsumerMarketSimulation(profiles: Self.profiles, seed: 3)
        sim.periodSeconds = 7200 // one period: both start from the same batteries
        let greedy = try sim.run(.shared(evs: 2), .greedy), optimal = try sim.run(.shared(evs: 2), .hungarian)
        #expect(optimal.tradedWh >= greedy.tradedWh)
    }

    @Test func profilesRoundTripThroughCSV() throws {
        let text = Self.profiles.csv()
        let back = try ProsumerProfiles.load(csv: text)
        #expect(back.agents == Self.profiles.agents)
        #expect(back.production == Self.profiles.production)
        #expect(back.consumption == Self.profiles.consumption)
        #expect(back.resolutionSeconds == 10)
    }

    @Test func badProfilesNameTheLine() {
        let cases: [(String, String)] = [
            ("time,agent\n", "line 1: the header"),
            ("time_s,agent,production_wh,consumption_wh\n0,A,1,2\n10,A,-1,2\n", "line 3: production_wh"),
            ("time_s,agent,production_wh,consumption_wh\n0,A,1\n", "line 2: expected 4 fields"),
        ]
        for (text, expected) in cases {
            do {
                _ = try ProsumerProfiles.load(csv: text)
                Issue.record("accepted: \(text)")
            } catch {
                #expect(error.description.hasPrefix(expected), "\(error.description)")
            }
        }
    }

    @Test func reportNamesEveryArtifact() throws {
        var options = SimulationOptions()
        options.showsProgress = false
        options.profiles = Self.profiles
        let names = try Simulator.run(.pProsumers, options: options).map(\.name)
        #expect(Set(names) == ["agents.csv", "evs.csv", "exchange.csv", "profiles.csv", "summary.json", "profiles.svg",
                               "traded.svg", "benefit.svg", "report.md"])
    }
}
