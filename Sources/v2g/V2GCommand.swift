import ArgumentParser
import Foundation
import V2GKit

@main
struct V2GCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "v2g",
        abstract: "V2GKit: vehicle-to-grid energy trading.",
        version: coreVersion,
        subcommands: [MatchCommand.self, DemoCommand.self, SimulateCommand.self, ForecastCommand.self, KeygenCommand.self, LedgerCommand.self, NodeCommand.self, BenchCommand.self])

    /// Runs the command line, turning bad input into one line on standard error and exit status 2.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let failure as any BadInput {
            FileHandle.standardError.write(Data("v2g: error: \(failure.description)\n".utf8))
            Foundation.exit(2)
        } catch {
            exit(withError: error)
        }
    }
}
