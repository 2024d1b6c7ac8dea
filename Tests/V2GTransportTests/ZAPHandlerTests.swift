import Testing
import V2GLedger
@testable import V2GTransport

@Suite("ZAP handler (RFC 27)")
struct ZAPHandlerTests {
    /// A request as a REP socket hands it over: version, request id, domain, address, identity, mechanism, key.
    func request(_ key: [UInt8], domain: String = "v2g", mechanism: String = "CURVE") -> [[UInt8]] {
        [Array("1.0".utf8), [0, 7], Array(domain.utf8), Array("127.0.0.1".utf8), [], Array(mechanism.utf8), key]
    }

    func status(_ reply: [[UInt8]]) -> (code: String, text: String, user: String) {
        (String(decoding: reply[2], as: UTF8.self), String(decoding: reply[3], as: UTF8.self),
         String(decoding: reply[4], as: UTF8.self))
    }

    @Test func admitsMembersOnlyAndCountsRefusals() throws {
        let member = try SigningKey(), stranger = try SigningKey()
        let state = try ZAPState(domain: "v2g")
        try state.setMembers([member.publicKey])
        let memberKey = try CurveIdentity.publicKey(of: member.publicKey)
        let strangerKey = try CurveIdentity.publicKey(of: stranger.publicKey)

        let ok = state.reply(to: request(memberKey))
        #expect(ok.count == 6 && ok[0] == Array("1.0".utf8) && ok[1] == [0, 7])   // version and request id echoed
        #expect(status(ok) == ("200", "OK", member.publicKey.description))
        #expect(status(state.reply(to: request(strangerKey))) == ("400", "not a member", ""))
        #expect(status(state.reply(to: request(memberKey, domain: "other"))).code == "400")
        #expect(status(state.reply(to: request([], mechanism: "NULL"))).text == "CURVE required")
        #expect(status(state.reply(to: request([1, 2, 3]))).text == "malformed CURVE credentials")
        #expect(status(state.reply(to: [Array("9.9".utf8)])).code == "500")
        #expect(state.refused == 4 && state.admitted == 1)

        try state.allow(stranger.publicKey)              // membership changes at run time
        #expect(status(state.reply(to: request(strangerKey))).code == "200")
        state.revoke(member.publicKey)
        #expect(status(state.reply(to: request(memberKey))).code == "400")
    }
}
