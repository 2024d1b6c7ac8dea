/// The error codes a CALLERROR may carry (OCPP-J 2.0.1 and 2.1, Part 4, "RPC Framework": the valid error codes).
public enum RPCErrorCode: String, CaseIterable, Sendable {
    /// The payload is syntactically incorrect.
    case formatViolation = "FormatViolation"
    case genericError = "GenericError"
    case internalError = "InternalError"
    case messageTypeNotSupported = "MessageTypeNotSupported"
    /// The action is not known.
    case notImplemented = "NotImplemented"
    /// The action is known but not supported.
    case notSupported = "NotSupported"
    case occurrenceConstraintViolation = "OccurrenceConstraintViolation"
    case propertyConstraintViolation = "PropertyConstraintViolation"
    /// The payload does not conform to the PDU structure. (A missing required member is answered as an
    /// occurrence constraint violation, which the specification's table describes more closely.)
    case protocolError = "ProtocolError"
    /// The message is not a valid RPC message: its message ID could not be read, for example.
    case rpcFrameworkError = "RpcFrameworkError"
    case securityError = "SecurityError"
    case typeConstraintViolation = "TypeConstraintViolation"
}
