/// Why a local network could not be laid out or run.
public struct LocalNetworkError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
