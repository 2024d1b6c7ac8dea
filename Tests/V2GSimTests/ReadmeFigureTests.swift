import Foundation
import Testing
@testable import V2GSim

/// The README shows `docs/figures/consumer-attack.svg`: it must be what the simulator draws today (regenerate it
/// with `v2g simulate ch4-consumer-attack --out docs/figures` and keep only the SVG).
@Suite("README figure")
struct ReadmeFigureTests {
    @Test func theREADMEFigureIsTheCurrentSimulatorsOutput() throws {
        var options = SimulationOptions()
        options.showsProgress = false
        let artifacts = try Simulator.run(.ch4ConsumerAttack, options: options)
        let svg = try #require(artifacts.first { $0.name == "consumer-attack.svg" })
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let committed = try Data(contentsOf: repository.appendingPathComponent("docs/figures/consumer-attack.svg"))
        #expect(committed == svg.contents, "docs/figures/consumer-attack.svg is stale: regenerate it from the simulator")
    }
}
