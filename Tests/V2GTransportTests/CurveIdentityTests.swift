import CSodium
import Testing
import V2GLedger
@testable import V2GTransport

@Suite("Curve identities for ZeroMQ links")
struct CurveIdentityTests {
    /// The X25519 key derived from the secret half matches the one derived from the public half.
    @Test func secretAndPublicHalvesAgree() throws {
        for _ in 0..<20 {
            let key = try SigningKey()
            let identity = try CurveIdentity(key)
            var derived = [UInt8](repeating: 0, count: 32)
            _ = crypto_scalarmult_base(&derived, identity.secretKey)
            #expect(derived == identity.publicKey)
            #expect(try CurveIdentity.publicKey(of: key.publicKey) == identity.publicKey)
            #expect(identity.publicKeyZ85.count == 40)
        }
    }
}
