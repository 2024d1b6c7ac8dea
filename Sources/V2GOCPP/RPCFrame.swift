/// One OCPP-J message (OCPP 2.0.1 and 2.1, Part 4, "RPC Framework"): a JSON array whose first element is the
/// message type number.
///
///     CALL             [2, "<id>", "<Action>", {payload}]
///     CALLRESULT       [3, "<id>", {payload}]
///     CALLERROR        [4, "<id>", "<errorCode>", "<errorDescription>", {errorDetails}]
///     CALLRESULTERROR  [5, "<id>", "<errorCode>", "<errorDescription>", {errorDetails}]   (2.1)
///     SEND             [6, "<id>", "<Action>", {payload}]                                 (2.1)
public enum RPCFrame: Hashable, Sendable {
    case call(id: String, action: String, payload: JSONValue)
    case callResult(id: String, payload: JSONValue)
    case callError(id: String, code: String, description: String, details: JSONValue)
    /// A CALLRESULT that could not be processed (2.1).
    case callResultError(id: String, code: String, description: String, details: JSONValue)
    /// A message that expects no answer (2.1).
    case send(id: String, action: String, payload: JSONValue)

    /// Message IDs are at most 36 characters (a UUID).
    public static let maxIDLength = 36
    /// Error descriptions are at most 255 characters.
    public static let maxDescriptionLength = 255
    /// The message ID of a CALLERROR answering a message whose own ID could not be read.
    public static let unknownID = "-1"

    public var id: String {
        switch self {
        case .call(let id, _, _), .callResult(let id, _), .callError(let id, _, _, _),
             .callResultError(let id, _, _, _), .send(let id, _, _): id
        }
    }

    /// A CALLERROR for `id`, its description cut to the length the specification allows.
    public static func error(_ id: String, _ code: RPCErrorCode, _ description: String) -> RPCFrame {
        .callError(id: id, code: code.rawValue, description: String(description.prefix(maxDescriptionLength)),
                   details: .object([:]))
    }

    /// The JSON text sent on the WebSocket.
    public var text: String {
        let array: [JSONValue] = switch self {
        case let .call(id, action, payload): [.number(2), .string(id), .string(action), payload]
        case let .callResult(id, payload): [.number(3), .string(id), payload]
        case let .callError(id, code, description, details): [.number(4), .string(id), .string(code), .string(description), details]
        case let .callResultError(id, code, description, details): [.number(5), .string(id), .string(code), .string(description), details]
        case let .send(id, action, payload): [.number(6), .string(id), .string(action), payload]
        }
        return JSONValue.array(array).text
    }
}

/// Why a received text is not a message to act on, and what to answer.
public enum RPCFrameProblem: Error, Hashable, Sendable {
    /// Not a JSON array with a readable message type and ID: answered with a CALLERROR to ID "-1".
    case unreadable(String)
    /// A message type number this version does not have: ignored, as the specification says (no answer).
    case unknownType(Int)
    /// A CALL or SEND with a readable ID whose rest is not what the message type needs.
    case malformed(id: String, code: RPCErrorCode, String)
    /// A CALLRESULT, CALLERROR or CALLRESULTERROR with a readable ID whose rest is not what it needs: never
    /// answered (only a CALL is), but it ends the CALL it answers.
    case malformedAnswer(id: String, String)

    /// The CALLERROR to answer with; nil when the message is to be ignored.
    public var reply: RPCFrame? {
        switch self {
        case .unreadable(let why): .error(RPCFrame.unknownID, .rpcFrameworkError, why)
        case .unknownType, .malformedAnswer: nil
        case let .malformed(id, code, why): .error(id, code, why)
        }
    }
}

/// The OCPP versions the gateway speaks, by WebSocket subprotocol, preferred first.
public enum OCPPVersion: String, CaseIterable, Sendable {
    case v21 = "ocpp2.1"
    case v201 = "ocpp2.0.1"

    /// The first of `offered` (a `Sec-WebSocket-Protocol` header's list) the gateway speaks, in the gateway's
    /// order of preference; nil if none.
    public static func negotiate(_ offered: some StringProtocol) -> OCPPVersion? {
        let names = Set(offered.split(separator: ",").map { String($0.filter { !$0.isWhitespace }) })   // tokens hold no spaces
        return allCases.first { names.contains($0.rawValue) }
    }
}

extension RPCFrame {
    /// Parses one WebSocket text message of `version`.
    public init(parsing text: some StringProtocol, version: OCPPVersion) throws(RPCFrameProblem) {
        guard let json = JSONValue(parsing: text) else { throw .unreadable("not JSON") }
        guard let items = json.array, !items.isEmpty else { throw .unreadable("not a JSON array") }
        guard let number = items[0].number, number == number.rounded(), let type = Int(exactly: number) else {
            throw .unreadable("the message type is not a number")
        }
        let known = version == .v21 ? 2...6 : 2...4
        guard known.contains(type) else { throw .unknownType(type) }
        guard items.count > 1, let id = items[1].string, !id.isEmpty, id.count <= Self.maxIDLength else {
            throw .unreadable("the message ID is missing, not a string or longer than \(Self.maxIDLength) characters")
        }
        let isAnswer = type == 3 || type == 4 || type == 5
        func payload(_ i: Int) throws(RPCFrameProblem) -> JSONValue {
            guard items[i].object != nil else {
                if isAnswer { throw .malformedAnswer(id: id, "the payload is not a JSON object") }
                throw .malformed(id: id, code: .formatViolation, "the payload is not a JSON object")
            }
            return items[i]
        }
        switch type {
        case 2, 6:
            guard items.count == 4, let action = items[2].string, !action.isEmpty else {
                throw .malformed(id: id, code: .rpcFrameworkError, "a \(type == 2 ? "CALL" : "SEND") is [\(type), id, action, payload]")
            }
            self = type == 2 ? .call(id: id, action: action, payload: try payload(3))
                             : .send(id: id, action: action, payload: try payload(3))
        case 3:
            guard items.count == 3 else { throw .malformedAnswer(id: id, "a CALLRESULT is [3, id, payload]") }
            self = .callResult(id: id, payload: try payload(2))
        default:
            guard items.count == 5, let code = items[2].string, let description = items[3].string else {
                throw .malformedAnswer(id: id, "a \(type == 4 ? "CALLERROR" : "CALLRESULTERROR") is [\(type), id, code, description, details]")
            }
            let details = try payload(4)
            self = type == 4 ? .callError(id: id, code: code, description: description, details: details)
                             : .callResultError(id: id, code: code, description: description, details: details)
        }
    }
}
