import V2GKit
import V2GLedger
import V2GNode

/// Why a party could not play its part in a round; the underlying error is kept.
public enum RoundError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The node failed: too few endorsements in time, or the peer stopped (see `NodeError.isStopped`).
    case node(NodeError)
    /// The ledger refused a block the round sealed (`during` says which).
    case ledger(LedgerError, during: String)
    /// The matcher, pricing or the penalty rules refused the round's inputs.
    case matcher(LedgerError, round: UInt64)
    /// The role was stopped during the round.
    case stopped

    public var description: String {
        switch self {
        case .node(let e): return "\(e)"
        case let .ledger(e, during): return "ledger: \(during): \(e)"
        case let .matcher(e, round): return "matcher: round \(round): \(e)"
        case .stopped: return "stopped"
        }
    }
}
