import Testing
import V2GOCPP

@Suite("OCPP-J framing")
struct RPCFrameTests {
    @Test func everyMessageTypeRoundTrips() throws {
        let payload = JSONValue.object(["reason": .string("PowerUp"), "interval": .number(300), "ratio": .number(0.5),
                                        "list": .array([.bool(true), .null])])
        let frames: [RPCFrame] = [
            .call(id: "19223201", action: "BootNotification", payload: payload),
            .callResult(id: "19223201", payload: .object([:])),
            .callError(id: "19223201", code: "NotImplemented", description: "no", details: .object(["a": .string("b")])),
            .callResultError(id: "x", code: "GenericError", description: "", details: .object([:])),
            .send(id: "s1", action: "NotifyPeriodicEventStream", payload: payload),
        ]
        for frame in frames {
            #expect(try RPCFrame(parsing: frame.text, version: .v21) == frame, "\(frame.text)")
        }
        #expect(RPCFrame.call(id: "1", action: "Heartbeat", payload: .object([:])).text == #"[2,"1","Heartbeat",{}]"#)
        #expect(payload.text == #"{"interval":300,"list":[true,null],"ratio":0.5,"reason":"PowerUp"}"#)
    }

    /// What the specification says to answer: an unreadable ID gets a CALLERROR to "-1", an unknown message type
    /// is ignored, a bad CALL gets a CALLERROR to its own ID.
    @Test(arguments: [
        ("", RPCFrameProblem.unreadable("not JSON"), #"[4,"-1","RpcFrameworkError","not JSON",{}]"#),
        ("{\"a\":1}", .unreadable("not a JSON array"), nil),
        ("[\"2\",\"1\",\"Heartbeat\",{}]", .unreadable("the message type is not a number"), nil),
        ("[2,1,\"Heartbeat\",{}]", .unreadable("the message ID is missing, not a string or longer than 36 characters"), nil),
        ("[2,\"\(String(repeating: "7", count: 37))\",\"Heartbeat\",{}]",
         .unreadable("the message ID is missing, not a string or longer than 36 characters"), nil),
        ("[9,\"1\",\"Heartbeat\",{}]", .unknownType(9), nil),
        ("[2,\"1\",\"Heartbeat\"]", .malformed(id: "1", code: .rpcFrameworkError, "a CALL is [2, id, action, payload]"), nil),
        ("[2,\"1\",\"Heartbeat\",[]]", .malformed(id: "1", code: .formatViolation, "the payload is not a JSON object"),
         #"[4,"1","FormatViolation","the payload is not a JSON object",{}]"#),
        ("[3,\"1\",{},{}]", .malformedAnswer(id: "1", "a CALLRESULT is [3, id, payload]"), nil),
        ("[3,\"1\",null]", .malformedAnswer(id: "1", "the payload is not a JSON object"), nil),
        ("[4,\"1\",\"GenericError\",{}]", .malformedAnswer(id: "1", "a CALLERROR is [4, id, code, description, details]"), nil),
    ] as [(String, RPCFrameProblem, String?)])
    func aBadMessageIsAnsweredAsTheSpecificationSays(text: String, problem: RPCFrameProblem, reply: String?) {
        #expect(throws: problem) { try RPCFrame(parsing: text, version: .v21) }
        if let reply { #expect(problem.reply?.text == reply) }
        switch problem {
        case .unknownType, .malformedAnswer: #expect(problem.reply == nil)   // only a CALL is answered
        default: #expect(problem.reply != nil)
        }
    }

    @Test func frameTypes5And6AreUnknownTo201() {
        #expect(throws: RPCFrameProblem.unknownType(6)) { try RPCFrame(parsing: #"[6,"1","NotifyPeriodicEventStream",{}]"#, version: .v201) }
        #expect(throws: RPCFrameProblem.unknownType(5)) { try RPCFrame(parsing: #"[5,"1","GenericError","",{}]"#, version: .v201) }
    }

    @Test func theSubprotocolIsNegotiatedInTheGatewaysOrder() {
        #expect(OCPPVersion.negotiate("ocpp2.0.1, ocpp2.1") == .v21)
        #expect(OCPPVersion.negotiate("ocpp1.6,ocpp2.0.1") == .v201)
        #expect(OCPPVersion.negotiate("ocpp1.6") == nil)
        #expect(OCPPVersion.negotiate("") == nil)
    }

    @Test func descriptionsAreCutToTheAllowedLength() {
        guard case let .callError(_, _, description, _) = RPCFrame.error("1", .genericError, String(repeating: "é", count: 300)) else {
            Issue.record("not a CALLERROR")
            return
        }
        #expect(description.count == 255)
    }

    /// Random bytes and mutations of valid messages never trap, and every problem has a definite answer.
    @Test func randomTextNeverTraps() {
        var rng = SystemRandomNumberGenerator()
        let seeds = [#"[2,"1","Heartbeat",{}]"#, #"[3,"1",{"currentTime":"2026-01-01T00:00:00Z"}]"#, #"[4,"1","X","y",{}]"#]
        for _ in 0..<3000 {
            var bytes = Array(seeds.randomElement(using: &rng)!.utf8)
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let i = Int.random(in: 0..<bytes.count, using: &rng)
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: bytes[i] = UInt8.random(in: 0...255, using: &rng)
                case 1: bytes.remove(at: i)
                default: bytes.insert(UInt8.random(in: 32...126, using: &rng), at: i)
                }
                if bytes.isEmpty { bytes = [0x5B] }
            }
            let text = String(decoding: bytes, as: UTF8.self)
            do {
                let frame = try RPCFrame(parsing: text, version: .v21)
                #expect(try RPCFrame(parsing: frame.text, version: .v21) == frame)
            } catch {
                switch error {
                case .unknownType, .malformedAnswer: #expect(error.reply == nil)
                default: #expect(error.reply != nil)
                }
            }
        }
    }
}
