import V2GLedger
import V2GNode

/// An endorser: its node answers `endorse` requests on the channels that name it, after checking the author's
/// membership and role, the signature and the payload.
public final class Endorser: Sendable {
    public let node: LedgerNode

    /// - Parameter key: the node's own key.
    public init(node: LedgerNode, key: SigningKey) throws(LedgerError) {
        self.node = node
        try node.enableEndorsing(with: key)
    }

    /// Requests answered with an endorsement.
    public var given: Int { node.counters.endorsementsGiven }
    /// Requests refused, by `LedgerError.Code` raw value.
    public var refused: [String: Int] { node.counters.endorsementRefusals }
}
