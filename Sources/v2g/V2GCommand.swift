import ArgumentParser
import FoundationEssentials
import Glibc
import V2GKit

@main
struct V2GCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "v2g",
        abstract: "V2GKit: vehicle-to-grid energy trading.",
        version: coreVersion,
        subcommands: [MatchCommand.self, DemoCommand.self, SimulateCommand.self, ForecastCommand.self, KeygenCommand.self, LedgerCommand.self, NodeCommand.self, OCPPCommand.self, BenchCommand.self])

    /// Runs the command line. Every usage or input error (an unknown option, a missing argument, a value that
    /// does not parse, a bad file or config) exits with one status, 2, after one line on standard error;
    /// ArgumentParser's own usage errors keep their usage text but not its status 64.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let failure as any BadInput {
            StandardStreams.writeError("v2g: error: \(oneLine(failure.description))\n")
            Glibc.exit(usageStatus)
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                StandardStreams.writeError((fullMessage(for: error) + "\n"))
                Glibc.exit(usageStatus)
            }
            exit(withError: error)
        }
    }

    /// The exit status of every usage or input error.
    static let usageStatus: Int32 = 2
}

/// `text` with every control character (a newline echoed from a bad input, say) written as an escape, so an
/// error stays one line.
func oneLine(_ text: String) -> String {
    var out = ""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case _ where scalar.value < 0x20 || scalar.value == 0x7f || (0x80..<0xa0).contains(scalar.value):
            out += "\\u{" + String(scalar.value, radix: 16) + "}"
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out
}
