/// A config value that cannot be used: where it is (the TOML key, `network.peers[1].public_key`, or empty for
/// the whole file) and what is wrong.
public struct ConfigError: Error, Equatable, Sendable, CustomStringConvertible {
    public let path: String
    public let message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}
