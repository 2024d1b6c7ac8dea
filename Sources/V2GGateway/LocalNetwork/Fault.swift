/// A fault to inject into one node as a round starts.
public struct Fault: Sendable {
    public enum Kind: Sendable { case kill, partition, stall }
    public var kind: Kind
    public var node: String
    public var round: UInt64

    public init(kind: Kind, node: String, round: UInt64) {
        self.kind = kind
        self.node = node
        self.round = round
    }

    /// Faults from `NODE@ROUND` texts, one list per kind; the error names the option (`--kill`).
    public static func parse(kill: [String], partition: [String], stall: [String]) throws(LocalNetworkError) -> [Fault] {
        func one(_ text: String, _ kind: Kind, _ flag: String) throws(LocalNetworkError) -> Fault {
            let parts = text.split(separator: "@")
            guard parts.count == 2, let round = UInt64(parts[1]), round >= 1 else {
                throw LocalNetworkError("--\(flag): expected NODE@ROUND, got \"\(text)\"")
            }
            return Fault(kind: kind, node: String(parts[0]), round: round)
        }
        var out: [Fault] = []
        for t in kill { out.append(try one(t, .kill, "kill")) }
        for t in partition { out.append(try one(t, .partition, "partition")) }
        for t in stall { out.append(try one(t, .stall, "stall")) }
        return out
    }
}
