/// 32 bytes held inline, in memory order: digests and keys cost no heap allocation each (a round of 10,000 offers
/// carries about 100,000 of them through decoding, the pool, the signature cache and the ledger).
struct Bytes32: Hashable, Sendable {
    private(set) var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

    init() {}

    /// The first 32 bytes of `bytes`, which holds at least 32.
    init(_ bytes: some Collection<UInt8>) {
        precondition(bytes.count >= 32)
        Swift.withUnsafeMutableBytes(of: &words) { _ = $0.copyBytes(from: bytes.prefix(32)) }
    }

    var array: [UInt8] { Swift.withUnsafeBytes(of: words) { Array($0) } }

    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try Swift.withUnsafeBytes(of: words, body)
    }

    mutating func withUnsafeMutableBytes<R>(_ body: (UnsafeMutableRawBufferPointer) throws -> R) rethrows -> R {
        try Swift.withUnsafeMutableBytes(of: &words, body)
    }

    static func == (a: Self, b: Self) -> Bool {
        a.words.0 == b.words.0 && a.words.1 == b.words.1 && a.words.2 == b.words.2 && a.words.3 == b.words.3
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
        hasher.combine(words.1)
        hasher.combine(words.2)
        hasher.combine(words.3)
    }

    /// Byte-wise lexicographic order (a word read big-endian orders as its bytes do).
    static func precedes(_ a: Self, _ b: Self) -> Bool {
        if a.words.0 != b.words.0 { return UInt64(bigEndian: a.words.0) < UInt64(bigEndian: b.words.0) }
        if a.words.1 != b.words.1 { return UInt64(bigEndian: a.words.1) < UInt64(bigEndian: b.words.1) }
        if a.words.2 != b.words.2 { return UInt64(bigEndian: a.words.2) < UInt64(bigEndian: b.words.2) }
        return UInt64(bigEndian: a.words.3) < UInt64(bigEndian: b.words.3)
    }
}

/// 64 bytes held inline: an Ed25519 signature, two halves of `Bytes32`.
struct Bytes64: Hashable, Sendable {
    private(set) var halves: (Bytes32, Bytes32) = (Bytes32(), Bytes32())

    init() {}

    /// The first 64 bytes of `bytes`, which holds at least 64.
    init(_ bytes: some Collection<UInt8>) {
        precondition(bytes.count >= 64)
        halves = (Bytes32(bytes.prefix(32)), Bytes32(bytes.dropFirst(32)))
    }

    var array: [UInt8] { halves.0.array + halves.1.array }

    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try Swift.withUnsafeBytes(of: halves, body)
    }

    mutating func withUnsafeMutableBytes<R>(_ body: (UnsafeMutableRawBufferPointer) throws -> R) rethrows -> R {
        try Swift.withUnsafeMutableBytes(of: &halves, body)
    }

    static func == (a: Self, b: Self) -> Bool { a.halves.0 == b.halves.0 && a.halves.1 == b.halves.1 }

    func hash(into hasher: inout Hasher) {
        hasher.combine(halves.0)
        hasher.combine(halves.1)
    }
}
