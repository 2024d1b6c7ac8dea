/// Writes the canonical encoding of docs/wire-format.md §1.
public struct ByteWriter: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    public mutating func tag(_ text: StaticString) {
        precondition(text.utf8CodeUnitCount == 8, "tags are 8 bytes")
        bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: 8))
    }
    public mutating func u8(_ v: UInt8) { bytes.append(v) }
    public mutating func bool(_ v: Bool) { bytes.append(v ? 1 : 0) }
    public mutating func u32(_ v: UInt32) { for s in stride(from: 24, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: v >> s)) } }
    public mutating func u64(_ v: UInt64) { for s in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: v >> s)) } }
    public mutating func i32(_ v: Int32) { u32(UInt32(bitPattern: v)) }
    public mutating func i64(_ v: Int64) { u64(UInt64(bitPattern: v)) }
    public mutating func raw(_ v: [UInt8]) { bytes.append(contentsOf: v) }
    public mutating func bytes(_ v: [UInt8]) {
        u32(UInt32(v.count))
        bytes.append(contentsOf: v)
    }
    public mutating func string(_ v: String) { bytes(Array(v.utf8)) }
    public mutating func key(_ v: PublicKey) { v.withUnsafeBytes { bytes.append(contentsOf: $0) } }
    public mutating func hash(_ v: Digest) { v.withUnsafeBytes { bytes.append(contentsOf: $0) } }
    public mutating func signature(_ v: Signature) { v.withUnsafeBytes { bytes.append(contentsOf: $0) } }
    public mutating func list<T>(_ items: [T], _ element: (inout ByteWriter, T) -> Void) {
        u32(UInt32(items.count))
        for item in items { element(&self, item) }
    }
    public mutating func optional<T>(_ value: T?, _ element: (inout ByteWriter, T) -> Void) {
        if let value {
            u8(1)
            element(&self, value)
        } else {
            u8(0)
        }
    }
}

/// Reads the canonical encoding; every misstep is a `.malformed` error naming what was being read.
public struct ByteReader: Sendable {
    private let data: [UInt8]
    public private(set) var offset = 0

    public init(_ data: [UInt8]) { self.data = data }

    public var isAtEnd: Bool { offset == data.count }

    private mutating func take(_ n: Int, _ what: String) throws(LedgerError) -> ArraySlice<UInt8> {
        guard n >= 0, data.count - offset >= n else {
            throw LedgerError(.malformed, "truncated \(what) at byte \(offset)")
        }
        defer { offset += n }
        return data[offset..<offset + n]
    }

    public mutating func tag(_ expected: StaticString) throws(LedgerError) {
        let want = Array(UnsafeBufferPointer(start: expected.utf8Start, count: expected.utf8CodeUnitCount))
        guard Array(try take(8, "tag")) == want else {
            throw LedgerError(.malformed, "expected tag \(expected) at byte \(offset - 8)")
        }
    }
    public mutating func u8(_ what: String = "u8") throws(LedgerError) -> UInt8 { try take(1, what).first! }
    public mutating func bool(_ what: String = "bool") throws(LedgerError) -> Bool {
        switch try u8(what) {
        case 0: return false
        case 1: return true
        default: throw LedgerError(.malformed, "\(what) is neither 0 nor 1 at byte \(offset - 1)")
        }
    }
    public mutating func u32(_ what: String = "u32") throws(LedgerError) -> UInt32 {
        try take(4, what).reduce(0) { $0 << 8 | UInt32($1) }
    }
    public mutating func u64(_ what: String = "u64") throws(LedgerError) -> UInt64 {
        try take(8, what).reduce(0) { $0 << 8 | UInt64($1) }
    }
    public mutating func i32(_ what: String = "i32") throws(LedgerError) -> Int32 { Int32(bitPattern: try u32(what)) }
    public mutating func i64(_ what: String = "i64") throws(LedgerError) -> Int64 { Int64(bitPattern: try u64(what)) }
    public mutating func raw(_ n: Int, _ what: String) throws(LedgerError) -> [UInt8] { Array(try take(n, what)) }
    public mutating func bytes(_ what: String = "bytes") throws(LedgerError) -> [UInt8] {
        let n = try u32("\(what) length")
        return Array(try take(Int(n), what))
    }
    public mutating func string(_ what: String = "string") throws(LedgerError) -> String {
        let b = try bytes(what)
        guard let s = String(validating: b, as: UTF8.self) else { throw LedgerError(.malformed, "\(what) is not UTF-8") }
        return s
    }
    public mutating func key(_ what: String = "key") throws(LedgerError) -> PublicKey { PublicKey(storage: Bytes32(try take(32, what))) }
    public mutating func hash(_ what: String = "hash") throws(LedgerError) -> Digest { Digest(storage: Bytes32(try take(32, what))) }
    public mutating func signature(_ what: String = "signature") throws(LedgerError) -> Signature {
        Signature(storage: Bytes64(try take(64, what)))
    }
    public mutating func list<T>(_ what: String, _ element: (inout ByteReader) throws(LedgerError) -> T) throws(LedgerError) -> [T] {
        let n = try u32("\(what) count")
        // Each element takes at least a byte: a count beyond what is left is malformed, not a huge allocation.
        guard Int(n) <= data.count - offset else { throw LedgerError(.malformed, "\(what) count \(n) exceeds the input") }
        var items: [T] = []
        items.reserveCapacity(Int(n))
        for _ in 0..<n { items.append(try element(&self)) }
        return items
    }
    public mutating func optional<T>(_ what: String, _ element: (inout ByteReader) throws(LedgerError) -> T) throws(LedgerError) -> T? {
        switch try u8("\(what) presence") {
        case 0: return nil
        case 1: return try element(&self)
        default: throw LedgerError(.malformed, "\(what) presence byte is neither 0 nor 1")
        }
    }
    /// Throws unless every byte was read.
    public func finish(_ what: String) throws(LedgerError) {
        guard isAtEnd else { throw LedgerError(.malformed, "\(data.count - offset) trailing bytes after \(what)") }
    }
}
