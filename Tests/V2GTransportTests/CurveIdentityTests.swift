import Testing
import V2GLedger
@testable import V2GTransport

@Suite("Curve identities for ZeroMQ links")
struct CurveIdentityTests {
    /// A link's keys are the ledger key's X25519 halves (V2GLedgerTests checks that the halves agree).
    @Test func theLinkKeysAreTheLedgerKeysCurveHalves() throws {
        for _ in 0..<20 {
            let key = try SigningKey()
            let identity = try CurveIdentity(key)
            #expect(identity.publicKey == (try key.publicKey.curve25519()))
            #expect(identity.secretKey == key.curveSecretKey())
            #expect(try CurveIdentity.publicKey(of: key.publicKey) == identity.publicKey)
            #expect(identity.publicKeyZ85.count == 40)
        }
    }
}
