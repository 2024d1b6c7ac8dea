import FoundationEssentials

/// A JSON document as OCPP carries it: what a payload is before its schema says what it means.
public indirect enum JSONValue: Hashable, Sendable {
    case null
    case bool(Bool)
    /// Integers and decimals alike; OCPP's integers fit a Double exactly (|n| ≤ 2⁵³).
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// The members of an object; nil for anything else.
    public var object: [String: JSONValue]? { if case .object(let o) = self { o } else { nil } }
    public var string: String? { if case .string(let s) = self { s } else { nil } }
    public var number: Double? { if case .number(let n) = self { n } else { nil } }
    public var array: [JSONValue]? { if case .array(let a) = self { a } else { nil } }

    /// `self[key]` of an object; nil for a missing member or a value that is not an object.
    public subscript(key: String) -> JSONValue? { object?[key] }
}

// Encodable only: parsing is JSONParser's (one pass, bounded depth), not a decoder's type-by-type guessing.
extension JSONValue: Encodable {
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .number(let n):
            // Integral values print without a fraction, as OCPP's integers are written.
            if n == n.rounded(), abs(n) <= 9_007_199_254_740_992 { try c.encode(Int64(n)) } else { try c.encode(n) }
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }
}

extension JSONValue {
    /// Parses `text`; nil if it is not JSON, or nests deeper than 32 levels.
    public init?(parsing text: some StringProtocol) {
        guard let value = JSONParser.parse(text) else { return nil }
        self = value
    }

    /// Compact JSON text, keys sorted (the same value always prints the same).
    public var text: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding a JSONValue cannot fail: every case maps to a JSON value.
        return String(decoding: (try? encoder.encode(self)) ?? Data("null".utf8), as: UTF8.self)
    }
}
