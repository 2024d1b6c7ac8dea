import FoundationEssentials
import V2GKit
import V2GSim

/// Where every `v2g bench` writes its results: pretty-printed JSON with sorted keys, its directory made if
/// missing, the file replaced atomically, and a line saying where.
enum BenchResults {
    static func write(_ document: [String: Any], to path: String) throws {
        try write(Data((json(document).rendered(indent: 2) + "\n").utf8), to: path)
    }

    /// The bench's dictionary as JSON with its keys sorted; a value of a type JSON has no place for is a
    /// programming error.
    private static func json(_ value: Any) -> JSONValue {
        switch value {
        case let v as JSONValue: v
        case let v as String: .string(v)
        case let v as Bool: .bool(v)
        case let v as Int: .int(v)
        case let v as Int64: .int(Int(v))
        case let v as UInt64: v <= UInt64(Int.max) ? .int(Int(v)) : .double(Double(v))
        case let v as Double: .double(v)
        case let v as [String: Any]: .object(JSONObject(v.keys.sorted().map { ($0, json(v[$0]!)) }))
        case let v as [Any]: .array(v.map(json))
        default: preconditionFailure("BenchResults: no JSON for \(type(of: value))")
        }
    }

    static func write(_ document: some Encodable, to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try write(encoder.encode(document), to: path)
    }

    private static func write(_ data: Data, to path: String) throws {
        try FileManager.default.createDirectory(atPath: Path.parent(of: path), withIntermediateDirectories: true)
        try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        print("wrote \(path)")
    }
}
