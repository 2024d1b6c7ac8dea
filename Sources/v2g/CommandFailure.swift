/// Bad input to a command: `V2GCommand.main` prints it as one line on standard error and exits with status 2.
enum CommandFailure: Error, CustomStringConvertible {
    case badInput(String)

    var description: String {
        switch self { case .badInput(let message): return message }
    }

    /// Runs `body`, turning the error it throws into bad input (prefixed with `prefix` and ": " if given).
    static func input<T, E: Error>(_ prefix: String? = nil, _ body: () throws(E) -> T) throws(CommandFailure) -> T {
        do { return try body() } catch { throw .badInput(prefix.map { "\($0): \(error)" } ?? "\(error)") }
    }
}
