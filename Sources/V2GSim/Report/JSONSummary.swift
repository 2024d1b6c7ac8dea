/// A JSON value whose objects keep their keys in insertion order.
///
/// Build it from literals: `["runs": 20, "welfare": 41.5, "mechanism": "RET", "seeds": [1, 2, 3]]`.
public indirect enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    /// A real number; NaN and infinities are written as `null` (JSON has no such numbers).
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// The value as JSON text: pretty-printed with `indent` spaces per level, or compact when `indent` is nil.
    /// With `scalarObjectsInline`, an object whose values are all scalars stays on one line (a record per line
    /// reads best, as `v2g match` prints allocations).
    public func rendered(indent: Int? = 2, scalarObjectsInline: Bool = false) -> String {
        var text = ""
        write(to: &text, indent: indent, depth: 0, inline: scalarObjectsInline)
        return text
    }

    private var isScalar: Bool {
        switch self {
        case .array(let items): return items.isEmpty
        case .object(let object): return object.isEmpty
        default: return true
        }
    }

    private func write(to text: inout String, indent: Int?, depth: Int, inline: Bool) {
        switch self {
        case .null: text += "null"
        case .bool(let value): text += value ? "true" : "false"
        case .int(let value): text += String(value)
        case .double(let value): text += value.isFinite ? value.description : "null"
        case .string(let value): Self.writeString(value, to: &text)
        case .array(let items):
            guard !items.isEmpty else { text += "[]"; return }
            // Short arrays of numbers or strings stay on one line.
            if let indent, items.allSatisfy(\.isScalar) {
                let line = "[" + items.map { $0.rendered(indent: nil) }.joined(separator: ", ") + "]"
                if line.count + indent * depth <= 80 { text += line; return }
            }
            text += "["
            for (index, item) in items.enumerated() {
                text += index == 0 ? "" : ","
                Self.newline(&text, indent, depth + 1)
                item.write(to: &text, indent: indent, depth: depth + 1, inline: inline)
            }
            Self.newline(&text, indent, depth)
            text += "]"
        case .object(let object):
            guard !object.isEmpty else { text += "{}"; return }
            if inline, indent != nil, object.entries.allSatisfy(\.value.isScalar) {
                text += "{" + object.entries.map { entry in
                    var pair = ""
                    Self.writeString(entry.key, to: &pair)
                    return pair + ": " + entry.value.rendered(indent: nil)
                }.joined(separator: ", ") + "}"
                return
            }
            text += "{"
            for (index, entry) in object.entries.enumerated() {
                text += index == 0 ? "" : ","
                Self.newline(&text, indent, depth + 1)
                Self.writeString(entry.key, to: &text)
                text += indent == nil ? ":" : ": "
                entry.value.write(to: &text, indent: indent, depth: depth + 1, inline: inline)
            }
            Self.newline(&text, indent, depth)
            text += "}"
        }
    }

    private static func newline(_ text: inout String, _ indent: Int?, _ depth: Int) {
        guard let indent else { return }
        text += "\n" + String(repeating: " ", count: indent * depth)
    }

    /// Writes `value` as a JSON string: quotes, backslashes and control characters escaped.
    private static func writeString(_ value: String, to text: inout String) {
        text += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case "\u{08}": text += "\\b"
            case "\u{0C}": text += "\\f"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: text.unicodeScalars.append(scalar)
            }
        }
        text += "\""
    }
}

extension JSONValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringInterpolation, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral
{
    public init(nilLiteral: ()) { self = .null }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) { self = .object(JSONObject(elements)) }
}

extension JSONValue {
    /// An array of numbers, e.g. a series of measurements.
    public init(_ values: [Double]) { self = .array(values.map(JSONValue.double)) }
    /// An array of integers.
    public init(_ values: [Int]) { self = .array(values.map(JSONValue.int)) }
    /// An array of strings.
    public init(_ values: [String]) { self = .array(values.map(JSONValue.string)) }
    /// A ``ReportValue`` as JSON: a string, a number, or `null` for a missing value.
    public init(_ value: ReportValue) {
        switch value {
        case .string(let text): self = .string(text)
        case .int(let number): self = .int(number)
        case .double(let number): self = .double(number)
        case .missing: self = .null
        }
    }
}

/// A JSON object that keeps its keys in insertion order; setting an existing key keeps its place.
public struct JSONObject: Sendable, Equatable, ExpressibleByDictionaryLiteral {
    /// One key and its value.
    public struct Entry: Sendable, Equatable {
        public var key: String
        public var value: JSONValue
    }

    /// The entries in insertion order.
    public private(set) var entries: [Entry] = []
    private var positions: [String: Int] = [:]

    /// An empty object.
    public init() {}

    /// An object with `pairs` in order; a repeated key keeps its first place and its last value.
    public init(_ pairs: [(String, JSONValue)]) {
        for (key, value) in pairs { self[key] = value }
    }

    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.init(elements)
    }

    /// The keys in insertion order.
    public var keys: [String] { entries.map(\.key) }
    /// Whether the object has no keys.
    public var isEmpty: Bool { entries.isEmpty }

    /// The value for `key`; setting `nil` removes the key.
    public subscript(key: String) -> JSONValue? {
        get { positions[key].map { entries[$0].value } }
        set {
            if let index = positions[key] {
                if let newValue {
                    entries[index].value = newValue
                } else {
                    entries.remove(at: index)
                    positions = Dictionary(uniqueKeysWithValues: entries.enumerated().map { ($1.key, $0) })
                }
            } else if let newValue {
                positions[key] = entries.count
                entries.append(Entry(key: key, value: newValue))
            }
        }
    }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool { lhs.entries == rhs.entries }
}

/// The JSON summary of one experiment: an ordered object, pretty-printed as `summary.json`.
///
/// ```swift
/// var summary = JSONSummary()
/// summary["experiment"] = "fig4a"
/// summary["parameters"] = ["evs": 50, "rounds": 100]
/// summary["welfare"] = .double(mean)        // NaN or ±inf become null
/// let text = summary.render()
/// ```
public struct JSONSummary: Sendable, Equatable {
    /// The top-level object.
    public var root: JSONObject

    /// A summary holding `root` (empty by default).
    public init(_ root: JSONObject = JSONObject()) {
        self.root = root
    }

    /// The top-level value for `key`; setting `nil` removes it.
    public subscript(key: String) -> JSONValue? {
        get { root[key] }
        set { root[key] = newValue }
    }

    /// The summary as pretty-printed JSON (two-space indent, keys in insertion order), ending in a newline.
    public func render() -> String {
        JSONValue.object(root).rendered(indent: 2) + "\n"
    }
}
