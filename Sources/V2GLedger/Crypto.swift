internal import CSodium
import FoundationEssentials

/// libsodium, initialised once; every entry point of the ledger's crypto goes through `ready()`.
enum Sodium {
    private static let status: Int32 = sodium_init()

    /// Throws unless libsodium initialised (`sodium_init` returns 0, or 1 if already done).
    static func ready() throws(LedgerError) {
        guard status >= 0 else { throw LedgerError(.crypto, "sodium_init failed") }
    }
}

/// A SHA-256 digest.
public struct Digest: Hashable, Comparable, Sendable, CustomStringConvertible {
    public static let byteCount = 32
    let storage: Bytes32
    /// The 32 bytes (a copy: the digest holds them inline).
    public var bytes: [UInt8] { storage.array }
    /// 32 zero bytes: the `previous` of a genesis block and the Merkle root of no transactions.
    public static let zero = Digest(storage: Bytes32())

    init(storage: Bytes32) { self.storage = storage }
    init(unchecked bytes: [UInt8]) { storage = Bytes32(bytes) }

    /// A digest is already uniform: its first 8 bytes feed the hasher as one word (IDs key every set and
    /// dictionary of the ledger and the pool; hashing 32 bytes one by one showed in profiles).
    public func hash(into hasher: inout Hasher) { hasher.combine(storage.words.0) }

    public static func == (a: Digest, b: Digest) -> Bool { a.storage == b.storage }

    /// A digest from exactly 32 bytes.
    public init(bytes: [UInt8]) throws(LedgerError) {
        guard bytes.count == Self.byteCount else { throw LedgerError(.malformed, "a digest is 32 bytes, not \(bytes.count)") }
        storage = Bytes32(bytes)
    }

    /// SHA-256 of `data`.
    ///
    /// The corresponding C function is `crypto_hash_sha256`.
    public static func of(_ data: [UInt8]) -> Digest {
        var out = Bytes32()
        out.withUnsafeMutableBytes { _ = crypto_hash_sha256($0.baseAddress!.assumingMemoryBound(to: UInt8.self), data, UInt64(data.count)) }
        return Digest(storage: out)
    }

    /// The 32 bytes, lent to `body` without a copy.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R { try storage.withUnsafeBytes(body) }

    public static func < (a: Digest, b: Digest) -> Bool { Bytes32.precedes(a.storage, b.storage) }
    public var description: String { hex(bytes) }
}

/// SHA-256 over bytes given in pieces: the digest of their concatenation, without concatenating them.
///
/// The corresponding C functions are `crypto_hash_sha256_init`, `_update` and `_final`.
struct SHA256Stream {
    private var state = crypto_hash_sha256_state()

    init() { crypto_hash_sha256_init(&state) }

    mutating func update(_ bytes: [UInt8]) { crypto_hash_sha256_update(&state, bytes, UInt64(bytes.count)) }

    /// The digest of everything given; the stream is spent.
    mutating func finish() -> Digest {
        var out = Bytes32()
        out.withUnsafeMutableBytes { _ = crypto_hash_sha256_final(&state, $0.baseAddress!.assumingMemoryBound(to: UInt8.self)) }
        return Digest(storage: out)
    }
}

/// An Ed25519 public key: an identity on the ledger.
public struct PublicKey: Hashable, Comparable, Sendable, CustomStringConvertible {
    public static let byteCount = 32
    let storage: Bytes32
    /// The 32 bytes (a copy: the key holds them inline).
    public var bytes: [UInt8] { storage.array }

    init(storage: Bytes32) { self.storage = storage }

    /// A key from exactly 32 bytes.
    public init(bytes: [UInt8]) throws(LedgerError) {
        guard bytes.count == Self.byteCount else { throw LedgerError(.malformed, "a public key is 32 bytes, not \(bytes.count)") }
        storage = Bytes32(bytes)
    }

    /// A key from 64 hexadecimal digits.
    public init(hex text: String) throws(LedgerError) {
        guard let bytes = unhex(text), bytes.count == Self.byteCount else {
            throw LedgerError(.malformed, "a public key is 64 hexadecimal digits")
        }
        storage = Bytes32(bytes)
    }

    /// Whether `signature` is this key's Ed25519 signature of `message`.
    ///
    /// The corresponding C function is `crypto_sign_ed25519_verify_detached`.
    public func verifies(_ signature: Signature, of message: [UInt8]) -> Bool {
        signature.storage.withUnsafeBytes { s in
            storage.withUnsafeBytes { k in
                crypto_sign_ed25519_verify_detached(s.baseAddress!.assumingMemoryBound(to: UInt8.self), message, UInt64(message.count),
                                                    k.baseAddress!.assumingMemoryBound(to: UInt8.self)) == 0
            }
        }
    }

    /// The 32 bytes, lent to `body` without a copy.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R { try storage.withUnsafeBytes(body) }

    /// The X25519 public key of this Ed25519 key: how a CurveZMQ link names the member (libsodium's
    /// Ed25519 → X25519 conversion, so one key pair names a member on the chain and authenticates its links).
    ///
    /// The corresponding C function is `crypto_sign_ed25519_pk_to_curve25519`.
    /// - Throws: `LedgerError(.crypto)` for bytes that are not a point of the curve.
    public func curve25519() throws(LedgerError) -> [UInt8] {
        var pk = [UInt8](repeating: 0, count: 32)
        guard crypto_sign_ed25519_pk_to_curve25519(&pk, bytes) == 0 else {
            throw LedgerError(.crypto, "the Ed25519 key has no X25519 counterpart")
        }
        return pk
    }

    public static func < (a: PublicKey, b: PublicKey) -> Bool { Bytes32.precedes(a.storage, b.storage) }
    public var description: String { hex(bytes) }
}

/// An Ed25519 signature.
public struct Signature: Hashable, Sendable {
    public static let byteCount = 64
    let storage: Bytes64
    /// The 64 bytes (a copy: the signature holds them inline).
    public var bytes: [UInt8] { storage.array }

    init(storage: Bytes64) { self.storage = storage }

    public init(bytes: [UInt8]) throws(LedgerError) {
        guard bytes.count == Self.byteCount else { throw LedgerError(.malformed, "a signature is 64 bytes, not \(bytes.count)") }
        storage = Bytes64(bytes)
    }

    init(unchecked bytes: [UInt8]) { storage = Bytes64(bytes) }

    /// The 64 bytes, lent to `body` without a copy.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R { try storage.withUnsafeBytes(body) }
}

/// An Ed25519 secret key. Its bytes live in memory libsodium guards and locks (`SecretSlabs`), and are wiped when
/// the key goes away.
public final class SigningKey: @unchecked Sendable {
    private let slot: SecretSlabs.Slot
    private var secret: UnsafeMutableRawPointer { slot.pointer }  // 64 bytes: seed || public key (libsodium's layout)
    /// The matching public key.
    public let publicKey: PublicKey

    /// A new random key pair.
    ///
    /// The corresponding C function is `crypto_sign_ed25519_keypair`.
    public convenience init() throws(LedgerError) {
        try Sodium.ready()
        var seed = [UInt8](repeating: 0, count: 32)
        randombytes_buf(&seed, 32)
        defer { sodium_memzero(&seed, 32) }
        try self.init(seed: seed)
    }

    /// The key pair of a 32-byte seed (RFC 8032's secret key).
    ///
    /// The corresponding C function is `crypto_sign_ed25519_seed_keypair`.
    public init(seed: [UInt8]) throws(LedgerError) {
        try Sodium.ready()
        guard seed.count == 32 else { throw LedgerError(.crypto, "an Ed25519 seed is 32 bytes") }
        guard let slot = SecretSlabs.shared.allocate() else { throw LedgerError(.crypto, "sodium_malloc failed") }
        self.slot = slot
        var pk = [UInt8](repeating: 0, count: 32)
        _ = crypto_sign_ed25519_seed_keypair(&pk, slot.pointer.assumingMemoryBound(to: UInt8.self), seed)
        publicKey = try PublicKey(bytes: pk)
    }

    deinit { SecretSlabs.shared.release(slot) }

    /// Signs `message`.
    ///
    /// The corresponding C function is `crypto_sign_ed25519_detached`.
    public func sign(_ message: [UInt8]) -> Signature {
        var sig = Bytes64()
        sig.withUnsafeMutableBytes {
            _ = crypto_sign_ed25519_detached($0.baseAddress!.assumingMemoryBound(to: UInt8.self), nil, message, UInt64(message.count),
                                             secret.assumingMemoryBound(to: UInt8.self))
        }
        return Signature(storage: sig)
    }

    /// The X25519 secret key of this Ed25519 key (for CurveZMQ links).
    ///
    /// The corresponding C function is `crypto_sign_ed25519_sk_to_curve25519`.
    public func curveSecretKey() -> [UInt8] {
        var sk = [UInt8](repeating: 0, count: 32)
        _ = crypto_sign_ed25519_sk_to_curve25519(&sk, secret.assumingMemoryBound(to: UInt8.self))
        return sk
    }

    /// The X25519 public key of an X25519 secret key (what `curve25519()` of the public half must equal).
    ///
    /// The corresponding C function is `crypto_scalarmult_base`.
    static func curve25519Public(ofSecret secret: [UInt8]) -> [UInt8] {
        var pk = [UInt8](repeating: 0, count: 32)
        _ = crypto_scalarmult_base(&pk, secret)
        return pk
    }

    /// The 32-byte seed, lent to `body` only.
    func withSeed<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: secret, count: 32))
    }
}

func hex(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var out = [UInt8]()
    out.reserveCapacity(bytes.count * 2)
    for b in bytes {
        out.append(digits[Int(b >> 4)])
        out.append(digits[Int(b & 15)])
    }
    return String(decoding: out, as: UTF8.self)
}

func unhex(_ text: String) -> [UInt8]? {
    let chars = Array(text.utf8)
    guard chars.count % 2 == 0 else { return nil }
    var out = [UInt8]()
    out.reserveCapacity(chars.count / 2)
    func value(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: return c - 48
        case 97...102: return c - 87
        case 65...70: return c - 55
        default: return nil
        }
    }
    var i = 0
    while i < chars.count {
        guard let hi = value(chars[i]), let lo = value(chars[i + 1]) else { return nil }
        out.append(hi << 4 | lo)
        i += 2
    }
    return out
}
