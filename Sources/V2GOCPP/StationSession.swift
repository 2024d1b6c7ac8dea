/// One charging station's WebSocket connection, seen from the gateway (the CSMS side of OCPP-J): answers the
/// station's CALLs through a `StationHandler`, and sends the gateway's CALLs one at a time (the specification
/// allows one outstanding CALL per direction), each with a timeout.
///
/// Transport-free: `receive` takes each text message, `send` writes one. The WebSocket server owns the socket.
public actor StationSession {
    public nonisolated let station: StationIdentity
    private let handler: any StationHandler
    private let send: @Sendable (String) async -> Void
    private var outstanding: (id: String, action: String, answer: CheckedContinuation<Result<JSONValue, CallFailure>, Never>)?
    private var timer: Task<Void, Never>?
    /// CALLs waiting for the one outstanding to end, oldest first.
    private var waiting: [CheckedContinuation<Void, Never>] = []
    private var nextID: UInt64 = 1
    private var closed = false
    /// What the session counted: messages the station sent that were answered with a CALLERROR or ignored, and
    /// answers that came too late.
    public private(set) var counters = Counters()

    public struct Counters: Hashable, Sendable {
        public var callsAnswered = 0
        public var callErrorsSent = 0
        public var ignored = 0
        public var lateAnswers = 0
    }

    /// Actions only the gateway sends: a station's CALL of one of them is `NotSupported`.
    static let gatewayActions: Set<String> = ["ClearChargingProfile", "GetVariables", "SetChargingProfile", "SetVariables"]

    public init(station: StationIdentity, handler: any StationHandler, send: @escaping @Sendable (String) async -> Void) {
        self.station = station
        self.handler = handler
        self.send = send
    }

    /// Handles one text message from the station.
    public func receive(_ text: String) async {
        let frame: RPCFrame
        do {
            frame = try RPCFrame(parsing: text, version: station.version)
        } catch {
            if case let .malformedAnswer(id, why) = error, outstanding?.id == id {
                finish(.failure(.invalidResult(SchemaViolation(path: "", code: .formatViolation, why))))
                counters.ignored += 1
                return
            }
            if let reply = error.reply {
                counters.callErrorsSent += 1
                await send(reply.text)
            } else {
                counters.ignored += 1
            }
            return
        }
        switch frame {
        case let .call(id, action, payload):
            let reply = await answer(id, action, payload)
            if case .callError = reply { counters.callErrorsSent += 1 } else { counters.callsAnswered += 1 }
            await send(reply.text)
        case let .callResult(id, payload):
            guard let call = outstanding, call.id == id else { counters.lateAnswers += 1; return }
            let result: Result<JSONValue, CallFailure> = if let v = OCPPSchemas.schema(call.action, response: true, version: station.version)?.violation(of: payload) {
                .failure(.invalidResult(v))
            } else {
                .success(payload)
            }
            finish(result)
        case let .callError(id, code, description, _):
            guard let call = outstanding, call.id == id else { counters.lateAnswers += 1; return }
            finish(.failure(RPCErrorCode(rawValue: code).map { .callError($0, description) } ?? .unknownError(code: code, description)))
        case .callResultError, .send:
            counters.ignored += 1   // nothing the gateway sends expects one, and no SEND is handled yet
        }
    }

    /// The reply to a station's CALL.
    private func answer(_ id: String, _ action: String, _ payload: JSONValue) async -> RPCFrame {
        if Self.gatewayActions.contains(action) {
            return .error(id, .notSupported, "\(action) is sent by the CSMS, not to it")
        }
        guard let request = OCPPSchemas.schema(action, version: station.version) else {
            return .error(id, .notImplemented, "\(action) is not handled by this gateway")
        }
        if let v = request.violation(of: payload) { return .error(id, v.code, v.description) }
        switch await handler.handle(action, payload, from: station) {
        case .success(let result):
            if let v = OCPPSchemas.schema(action, response: true, version: station.version)?.violation(of: result) {
                return .error(id, .internalError, "the gateway's answer breaks the schema: \(v)")
            }
            return .callResult(id: id, payload: result)
        case .failure(.callError(let code, let text)):
            return .error(id, code, text)
        case .failure(let other):
            return .error(id, .internalError, other.description)
        }
    }

    /// Sends a CALL of `action` and waits for its answer, after any CALL still outstanding; `payload` must pass
    /// the action's request schema (checked: a gateway bug is not sent), and the action must have one.
    public func call(_ action: String, _ payload: JSONValue, timeout: Duration = .seconds(30)) async -> Result<JSONValue, CallFailure> {
        guard let schema = OCPPSchemas.schema(action, version: station.version) else {
            return .failure(.callError(.notSupported, "the gateway has no schema for \(action) in \(station.version.rawValue)"))
        }
        if let v = schema.violation(of: payload) {
            return .failure(.callError(.internalError, "the gateway's \(action) breaks the schema: \(v)"))
        }
        while outstanding != nil, !closed { await withCheckedContinuation { waiting.append($0) } }
        guard !closed else { return .failure(.disconnected) }
        let id = "g\(nextID)"
        nextID += 1
        let text = RPCFrame.call(id: id, action: action, payload: payload).text
        return await withCheckedContinuation { answer in
            outstanding = (id, action, answer)
            // The clock runs from now, whether or not the write completes: a station that stops reading must
            // not hold the gateway's CALLs for ever.
            timer = Task {
                try? await Task.sleep(for: timeout)
                expire(id)
            }
            let send = self.send
            Task.detached { await send(text) }
        }
    }

    private func expire(_ id: String) {
        if outstanding?.id == id { finish(.failure(.timeout)) }
    }

    private func finish(_ result: Result<JSONValue, CallFailure>) {
        guard let call = outstanding else { return }
        outstanding = nil
        timer?.cancel()
        timer = nil
        call.answer.resume(returning: result)
        if !waiting.isEmpty { waiting.removeFirst().resume() }
    }

    /// The connection ended: the outstanding CALL and every waiting one fail with `disconnected`.
    public func close() {
        closed = true
        finish(.failure(.disconnected))
        for w in waiting { w.resume() }
        waiting.removeAll()
    }
}
