import V2GLedger
import V2GTransport

/// Why a node could not do what it was asked: the ledger or the network refused, with the underlying error
/// kept, or too few endorsers answered.
public enum NodeError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The ledger refused (a block, a store that does not open or replay).
    case ledger(LedgerError)
    /// The peer failed (it stopped, could not bind, had no link).
    case transport(TransportError)
    /// Fewer than `required` endorsers answered `transaction` (of `kind`) within the timeout.
    case tooFewEndorsements(transaction: Digest, kind: TransactionKind, got: Int, required: Int)

    /// Whether the node (or its peer) was stopped: the caller is shutting down, not failing.
    public var isStopped: Bool {
        if case .transport(let e) = self { return e.code == .stopped }
        return false
    }

    public var description: String {
        switch self {
        case .ledger(let e): return "ledger: \(e)"
        case .transport(let e): return "network: \(e)"
        case let .tooFewEndorsements(id, kind, got, required):
            return "too few endorsements: \(kind) \(id) got \(got) of \(required) in time"
        }
    }
}
