import Foundation
import Testing
@testable import V2GOCPP

/// Texts the session sent, in order.
private final class Wire: @unchecked Sendable {
    private let lock = NSLock()
    private var texts: [String] = []
    func append(_ t: String) { lock.withLock { texts.append(t) } }
    var all: [String] { lock.withLock { texts } }
    var frames: [RPCFrame] { all.compactMap { try? RPCFrame(parsing: $0, version: .v21) } }

    /// Waits up to 5 s for `count` texts; true if they came.
    func waitFor(_ count: Int) async -> Bool {
        for _ in 0..<500 where all.count < count { try? await Task.sleep(for: .milliseconds(10)) }
        return all.count >= count
    }
}

/// Answers Heartbeat with a fixed time, BootNotification with a payload that breaks its schema, anything else
/// with a CALLERROR.
private struct Stub: StationHandler {
    func handle(_ action: String, _ payload: JSONValue, from station: StationIdentity) async -> Result<JSONValue, CallFailure> {
        switch action {
        case "Heartbeat": .success(.object(["currentTime": .string("2026-11-30T23:00:00Z")]))
        case "BootNotification": .success(.object(["status": .string("Maybe")]))
        default: .failure(.callError(.securityError, "not you"))
        }
    }
}

@Suite("A station's session")
struct StationSessionTests {
    private func session(_ wire: Wire) -> StationSession {
        StationSession(station: StationIdentity(id: "CS1", version: .v21), handler: Stub()) { wire.append($0) }
    }

    @Test func callsAreCheckedAnsweredOrRefusedWithTheRightCode() async {
        let wire = Wire()
        let s = session(wire)
        await s.receive(#"[2,"a","Heartbeat",{}]"#)
        await s.receive(#"[2,"b","Heartbeat",{"extra":1}]"#)
        await s.receive(#"[2,"c","DataTransfer",{"vendorId":"x"}]"#)
        await s.receive(#"[2,"d","SetChargingProfile",{}]"#)
        await s.receive(#"[2,"e","BootNotification",{"reason":"PowerUp","chargingStation":{"model":"M","vendorName":"V"}}]"#)
        await s.receive(#"[2,"f","Authorize",{"idToken":{"idToken":"t","type":"ISO14443"}}]"#)
        await s.receive(#"[2,"g","Authorize",{}]"#)
        await s.receive("garbage")
        await s.receive(#"[7,"h","Heartbeat",{}]"#)
        let codes = wire.frames.map { frame -> String in
            switch frame {
            case .callResult(let id, let p): "\(id) result \(p.text)"
            case let .callError(id, code, _, _): "\(id) \(code)"
            default: "?"
            }
        }
        #expect(codes == [
            #"a result {"currentTime":"2026-11-30T23:00:00Z"}"#,
            "b FormatViolation", "c NotImplemented", "d NotSupported",
            "e InternalError",                       // the handler's answer broke the response schema: not sent
            "f SecurityError", "g OccurrenceConstraintViolation", "-1 RpcFrameworkError",
        ])
        let counters = await s.counters
        #expect(counters.callsAnswered == 1 && counters.callErrorsSent == 7 && counters.ignored == 1)
    }

    @Test func theGatewaysCallsGoOneAtATimeAndEndInAResultAnErrorOrATimeout() async throws {
        let wire = Wire()
        let s = session(wire)
        let clear = JSONValue.object(["chargingProfileId": .number(7)])
        async let first = s.call("ClearChargingProfile", clear)
        try #require(await wire.waitFor(1))
        async let second = s.call("ClearChargingProfile", clear)
        try await Task.sleep(for: .milliseconds(100))
        #expect(wire.all.count == 1)                       // the second waits for the first's answer
        let firstID = wire.frames[0].id
        await s.receive(#"[3,"\#(firstID)",{"status":"Accepted"}]"#)
        try #require(await wire.waitFor(2))
        let secondID = wire.frames[1].id
        #expect(secondID != firstID)
        await s.receive(#"[4,"\#(secondID)","NotSupported","no profiles here",{}]"#)
        #expect(await first == .success(.object(["status": .string("Accepted")])))
        #expect(await second == .failure(.callError(.notSupported, "no profiles here")))

        // A result that breaks the response schema, a timeout, and the late answer after it.
        async let bad = s.call("ClearChargingProfile", clear)
        try #require(await wire.waitFor(3))
        await s.receive(#"[3,"\#(wire.frames[2].id)",{"status":"Perhaps"}]"#)
        guard case .failure(.invalidResult(let v)) = await bad else { Issue.record("accepted a bad result"); return }
        #expect(v.path == "status")
        let slow = await s.call("ClearChargingProfile", clear, timeout: .milliseconds(50))
        #expect(slow == .failure(.timeout))
        await s.receive(#"[3,"\#(wire.frames[3].id)",{"status":"Accepted"}]"#)
        #expect(await s.counters.lateAnswers == 1)

        // A malformed answer is not answered, and ends the call it answers.
        async let garbled = s.call("ClearChargingProfile", clear)
        try #require(await wire.waitFor(5))
        await s.receive(#"[3,"\#(wire.frames[4].id)",null]"#)
        guard case .failure(.invalidResult) = await garbled else { Issue.record("a malformed answer was taken"); return }
        #expect(wire.all.count == 5)
        #expect(await s.call("DataTransfer", .object([:])) == .failure(.callError(.notSupported, "the gateway has no schema for DataTransfer in ocpp2.1")))

        // The gateway's own payload is checked before it is sent.
        #expect(await s.call("ClearChargingProfile", .object(["chargingProfileId": .string("7")]))
                == .failure(.callError(.internalError, "the gateway's ClearChargingProfile breaks the schema: chargingProfileId: expected integer, got string")))
        #expect(wire.all.count == 5)
    }

    @Test func closingFailsTheOutstandingAndTheWaitingCalls() async throws {
        let wire = Wire()
        let s = session(wire)
        let clear = JSONValue.object([:])
        async let a = s.call("ClearChargingProfile", clear)
        async let b = s.call("ClearChargingProfile", clear)
        try await Task.sleep(for: .milliseconds(100))
        await s.close()
        #expect(await a == .failure(.disconnected))
        #expect(await b == .failure(.disconnected))
        #expect(await s.call("ClearChargingProfile", clear) == .failure(.disconnected))
    }
}
