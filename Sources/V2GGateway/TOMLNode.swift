import TOMLKit
import V2GLedger

/// A value of the parsed TOML document and its dotted key, for error messages that name it.
struct TOMLNode {
    let value: TOMLValueConvertible
    let path: String

    /// A TOML table: its keys are checked against a known list, so typos are errors, not silent defaults.
    struct Table {
        let table: TOMLTable
        let path: String

        func key(_ name: String) -> String { path.isEmpty ? name : "\(path).\(name)" }

        func known(_ names: Set<String>) throws(ConfigError) {
            for k in table.keys.sorted() where !names.contains(k) {
                throw ConfigError(path: key(k), message: "unknown key (expected one of: \(names.sorted().joined(separator: ", ")))")
            }
        }

        func optional(_ name: String) throws(ConfigError) -> TOMLNode? {
            table[name].map { TOMLNode(value: $0, path: key(name)) }
        }

        func required(_ name: String) throws(ConfigError) -> TOMLNode {
            guard let node = try optional(name) else { throw ConfigError(path: key(name), message: "missing required key") }
            return node
        }
    }

    static func table(_ table: TOMLTable, path: String) -> Table { Table(table: table, path: path) }

    func error(_ message: String) -> ConfigError { ConfigError(path: path, message: message) }

    private func mistyped(_ expected: String) -> ConfigError {
        error("expected \(expected), got \(value.type)")
    }

    func string() throws(ConfigError) -> String {
        guard let s = value.string else { throw mistyped("a string") }
        return s
    }

    func integer(in range: ClosedRange<Int64>) throws(ConfigError) -> Int64 {
        guard let n = value.int else { throw mistyped("an integer") }
        guard range.contains(Int64(n)) else { throw error("must be within \(range.lowerBound)...\(range.upperBound) (got \(n))") }
        return Int64(n)
    }

    func bool() throws(ConfigError) -> Bool {
        guard let b = value.bool else { throw mistyped("true or false") }
        return b
    }

    func table() throws(ConfigError) -> Table {
        guard let t = value.table else { throw mistyped("a table") }
        return Table(table: t, path: path)
    }

    func array() throws(ConfigError) -> [TOMLNode] {
        guard let a = value.array else { throw mistyped("an array") }
        return a.indices.map { TOMLNode(value: a[$0], path: "\(path)[\($0)]") }
    }

    /// An Ed25519 public key as 64 hexadecimal digits.
    func publicKey() throws(ConfigError) -> PublicKey {
        let text = try string()
        do { return try PublicKey(hex: text) } catch { throw self.error("not an Ed25519 public key: expected 64 hexadecimal digits") }
    }
}
