/// What the gateway does with the CALLs a charging station sends. Payloads reach it only after they passed their
/// action's schema; its answers are checked against the response schema before they are sent.
public protocol StationHandler: Sendable {
    /// The CALLRESULT payload for `action`, or the error to answer with.
    func handle(_ action: String, _ payload: JSONValue, from station: StationIdentity) async -> Result<JSONValue, CallFailure>
}

/// A connected charging station: the identity in its URL path and the OCPP version it speaks.
public struct StationIdentity: Hashable, Sendable, CustomStringConvertible {
    public let id: String
    public let version: OCPPVersion

    public init(id: String, version: OCPPVersion) {
        self.id = id
        self.version = version
    }

    public var description: String { "\(id) (\(version.rawValue))" }

    /// OCPP's identity string: 1 to 48 characters a URL path carries as they are.
    public static func isValid(_ s: String) -> Bool {
        (1...48).contains(s.utf8.count) && s.utf8.allSatisfy { b in
            (0x30...0x39).contains(b) || (0x41...0x5A).contains(b) || (0x61...0x7A).contains(b) || b == 0x2D || b == 0x2E || b == 0x5F || b == 0x7E
        }
    }
}

/// Why a CALL did not end in a result.
public enum CallFailure: Error, Hashable, Sendable, CustomStringConvertible {
    /// The other side answered with a CALLERROR (or the gateway answers with one).
    case callError(RPCErrorCode, String)
    /// A CALLERROR whose code is not one of the specification's (kept as sent).
    case unknownError(code: String, String)
    /// The result did not pass the action's response schema.
    case invalidResult(SchemaViolation)
    /// No answer within the time allowed.
    case timeout
    /// The connection ended first.
    case disconnected

    public var description: String {
        switch self {
        case let .callError(code, text): "\(code.rawValue): \(text)"
        case let .unknownError(code, text): "\(code): \(text)"
        case .invalidResult(let v): "the result breaks its schema: \(v)"
        case .timeout: "no answer in time"
        case .disconnected: "the station disconnected"
        }
    }
}

/// The gateway's line to its charging stations (the OCPP server): who is connected, and the gateway's CALLs.
public protocol StationLine: Sendable {
    /// The stations connected now.
    func connectedStations() async -> [StationIdentity]
    /// Sends a CALL to a connected station and waits for its answer.
    func call(_ station: String, _ action: String, _ payload: JSONValue, timeout: Duration) async -> Result<JSONValue, CallFailure>
}
