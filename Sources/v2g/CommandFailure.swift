import V2GGateway
import V2GOCPPServer
import V2GSim

/// An error that means the command's input (an argument, a file, a config) is at fault: `V2GCommand.main`
/// prints it as one line on standard error and exits with status 2.
protocol BadInput: Error, CustomStringConvertible {}

extension MatchJobError: BadInput {}
extension ForecastDataError: BadInput {}
extension ConfigError: BadInput {}
extension GatewayError: BadInput {}
extension LocalNetworkError: BadInput {}
extension OCPPServerError: BadInput {}

/// Bad input found by the command itself.
enum CommandFailure: BadInput {
    case badInput(String)

    var description: String {
        switch self { case .badInput(let message): return message }
    }

    /// Runs `body`, turning the error it throws into bad input (prefixed with `prefix` and ": " if given).
    static func input<T, E: Error>(_ prefix: String? = nil, _ body: () throws(E) -> T) throws(CommandFailure) -> T {
        do { return try body() } catch { throw .badInput(prefix.map { "\($0): \(error)" } ?? "\(error)") }
    }
}
