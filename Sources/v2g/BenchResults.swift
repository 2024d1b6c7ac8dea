import Foundation

/// Where every `v2g bench` writes its results: pretty-printed JSON with sorted keys, its directory made if
/// missing, the file replaced atomically, and a line saying where.
enum BenchResults {
    static func write(_ document: [String: Any], to path: String) throws {
        try write(JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys]), to: path)
    }

    static func write(_ document: some Encodable, to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try write(encoder.encode(document), to: path)
    }

    private static func write(_ data: Data, to path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        print("wrote \(path)")
    }
}
