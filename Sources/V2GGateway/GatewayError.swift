import V2GLedger
import V2GNode
import V2GTransport

/// Why a gateway could not start: each names the config key at fault and keeps the underlying error.
public enum GatewayError: Error, Sendable, CustomStringConvertible {
    /// `data_dir` cannot be created.
    case dataDirectory(path: String, reason: String)
    /// `metrics.listen` cannot be bound.
    case metrics(MetricsServerError)
    /// The store under `data_dir` (or the BoCS store) cannot be opened or does not replay.
    case store(path: String, LedgerError)
    /// `network.listen` (or `bocs.listen`) cannot be bound, or a peer not dialled.
    case network(listen: String, TransportError)
    /// A section the role needs is missing or a file it names cannot be written.
    case config(ConfigError)
    /// The ledger refused what the config key `key` sets up (the endorsing key, the BoCS seat).
    case ledger(LedgerError, key: String)

    public var description: String {
        switch self {
        case let .dataDirectory(path, reason): return "data_dir: cannot create \(path): \(reason)"
        case .metrics(let e): return "metrics.listen: \(e)"
        case let .store(path, e): return "data_dir: cannot open \(path): \(e.message)"
        case let .network(listen, e): return "network: cannot start a peer on \(listen): \(e)"
        case .config(let e): return "\(e)"
        case let .ledger(e, key): return "\(key): \(e.message)"
        }
    }

    static func node(_ error: NodeError, store: String, listen: String) -> GatewayError {
        switch error {
        case .ledger(let e): return .store(path: store, e)
        case .transport(let e): return .network(listen: listen, e)
        case .tooFewEndorsements: return .config(ConfigError(path: "", message: "\(error)"))
        }
    }
}
