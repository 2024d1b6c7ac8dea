internal import CZeroMQ
import Glibc
import V2GLedger

/// An error of the peer network: a failed libzmq or system call (with its errno), or a failure of the
/// protocol above it (a timeout, an unknown neighbour, a reply that does not answer the request).
public struct TransportError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public enum Code: String, Sendable {
        case zmq               // a libzmq call failed; `errno` says why
        case system            // a POSIX call failed; `errno` says why
        case identity          // a ledger key has no Curve counterpart; `underlying` says why
        case timeout           // no answer in time
        case notConnected      // no completed link to the neighbour asked
        case wouldBlock        // a non-blocking send found the queue full
        case badReply          // an answer that does not fit its request
        case stopped           // the peer was stopped
    }

    public let code: Code
    /// The C error number for `.zmq` and `.system`, else 0.
    public let errno: Int32
    public let message: String
    /// The ledger's error behind an `.identity` failure.
    public let underlying: LedgerError?

    public init(_ code: Code, _ message: String, errno: Int32 = 0, underlying: LedgerError? = nil) {
        self.code = code
        self.errno = errno
        self.message = message
        self.underlying = underlying
    }

    /// A failed libzmq call: `call` names it, the text is `zmq_strerror(errno)`.
    ///
    /// The corresponding C functions are `zmq_errno` and `zmq_strerror`.
    static func zmq(_ call: String, errno: Int32 = zmq_errno()) -> TransportError {
        TransportError(.zmq, "\(call): \(String(cString: zmq_strerror(errno)))", errno: errno)
    }

    /// A failed POSIX call.
    static func system(_ call: String, errno: Int32 = Glibc.errno) -> TransportError {
        TransportError(.system, "\(call): \(String(cString: strerror(errno)))", errno: errno)
    }

    /// A ledger key without a Curve counterpart.
    static func identity(_ error: LedgerError) -> TransportError {
        TransportError(.identity, error.message, underlying: error)
    }

    /// Whether a libzmq call failed only because it would have blocked (`EAGAIN`).
    var isWouldBlock: Bool { code == .wouldBlock || (code == .zmq && errno == EAGAIN) }

    public var description: String { "\(code.rawValue): \(message)" }
}
