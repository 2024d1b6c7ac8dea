internal import CZeroMQ
import V2GLedger

/// A peer's CurveZMQ identity, derived from its Ed25519 ledger identity so that one key pair names a member on
/// the chain and authenticates its links (the conversion lives in V2GLedger's crypto adapter).
struct CurveIdentity: Sendable {
    /// The X25519 public key, 32 bytes.
    let publicKey: [UInt8]
    let secretKey: [UInt8]

    /// The Curve identity of a ledger signing key.
    init(_ key: SigningKey) throws(TransportError) {
        do { publicKey = try key.publicKey.curve25519() } catch { throw .identity(error) }
        secretKey = key.curveSecretKey()
    }

    /// The X25519 public key of a member's Ed25519 public key: what a ZAP handler compares.
    static func publicKey(of member: PublicKey) throws(TransportError) -> [UInt8] {
        do { return try member.curve25519() } catch { throw .identity(error) }
    }

    /// The public key in Z85, as ZeroMQ's tools print it (40 characters).
    var publicKeyZ85: String { Self.z85(publicKey) }

    /// Makes `socket` a CurveZMQ client with this identity, of the server holding the ledger key `server`.
    func makeClient(_ socket: ZMQSocket, of server: PublicKey) throws(TransportError) {
        try socket.makeCurveClient(publicKey: publicKey, secretKey: secretKey, serverKey: try Self.publicKey(of: server))
    }

    /// Z85 text of 32 bytes (40 characters).
    ///
    /// The corresponding C function is `zmq_z85_encode`.
    static func z85(_ bytes: [UInt8]) -> String {
        var out = [CChar](repeating: 0, count: bytes.count * 5 / 4 + 1)
        _ = zmq_z85_encode(&out, bytes, bytes.count)
        return String(cString: out)
    }
}
