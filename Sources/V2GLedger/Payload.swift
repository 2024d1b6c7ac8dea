import V2GKit

/// A transaction payload with a canonical encoding (docs/wire-format.md §5).
public protocol Payload: Hashable, Sendable {
    static var kind: TransactionKind { get }
    func encode(into w: inout ByteWriter)
    init(from r: inout ByteReader) throws(LedgerError)
}

extension Payload {
    /// The payload's bytes.
    public var encoded: [UInt8] {
        var w = ByteWriter()
        encode(into: &w)
        return w.bytes
    }

    /// Decodes a whole payload.
    public static func decode(_ bytes: [UInt8]) throws(LedgerError) -> Self {
        var r = ByteReader(bytes)
        let value = try Self(from: &r)
        try r.finish("\(kind) payload")
        return value
    }
}

/// A [start, end) window in seconds.
extension ByteWriter {
    mutating func window(_ w: Range<Int64>?) {
        optional(w) { w, v in
            w.i64(v.lowerBound)
            w.i64(v.upperBound)
        }
    }
}

extension ByteReader {
    mutating func window() throws(LedgerError) -> Range<Int64>? {
        try optional("window") { (r) throws(LedgerError) -> Range<Int64> in
            let start = try r.i64("window start"), end = try r.i64("window end")
            guard end > start else { throw LedgerError(.malformed, "window end \(end) is not after start \(start)") }
            return start..<end
        }
    }
}
