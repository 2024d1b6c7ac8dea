import CSodium
import CZeroMQ
import V2GLedger

/// A peer's CurveZMQ identity, derived from its Ed25519 ledger identity so that one key pair names a member on
/// the chain and authenticates its links (libsodium's Ed25519 → X25519 conversion).
public struct CurveIdentity: Sendable {
    /// The X25519 public key, 32 bytes, and in Z85 as ZeroMQ's socket options take it.
    public let publicKey: [UInt8]
    public var publicKeyZ85: String { CurveIdentity.z85(publicKey) }
    let secretKey: [UInt8]

    /// The Curve identity of a ledger signing key.
    ///
    /// The corresponding C function is `crypto_sign_ed25519_sk_to_curve25519`.
    public init(_ key: SigningKey) throws(LedgerError) {
        var pk = [UInt8](repeating: 0, count: 32)
        guard crypto_sign_ed25519_pk_to_curve25519(&pk, key.publicKey.bytes) == 0 else {
            throw LedgerError(.crypto, "the Ed25519 key has no X25519 counterpart")
        }
        publicKey = pk
        secretKey = key.curveSecretKey()
    }

    /// The X25519 public key of a member's Ed25519 public key: what a ZAP handler compares.
    public static func publicKey(of member: PublicKey) throws(LedgerError) -> [UInt8] {
        var pk = [UInt8](repeating: 0, count: 32)
        guard crypto_sign_ed25519_pk_to_curve25519(&pk, member.bytes) == 0 else {
            throw LedgerError(.crypto, "the Ed25519 key has no X25519 counterpart")
        }
        return pk
    }

    /// Makes `socket` a CurveZMQ client with this identity, of the server holding the ledger key `server`.
    public func makeClient(_ socket: ZMQSocket, of server: PublicKey) throws {
        try socket.makeCurveClient(publicKey: publicKey, secretKey: secretKey, serverKey: try Self.publicKey(of: server))
    }

    /// Z85 text of 32 bytes (40 characters).
    ///
    /// The corresponding C function is `zmq_z85_encode`.
    public static func z85(_ bytes: [UInt8]) -> String {
        var out = [CChar](repeating: 0, count: bytes.count * 5 / 4 + 1)
        _ = zmq_z85_encode(&out, bytes, bytes.count)
        return String(cString: out)
    }
}
