import V2GLedger

/// A value of the parsed TOML document and its dotted key, for error messages that name it.
struct TOMLNode {
    let value: TOMLValue
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
        error("expected \(expected), got \(value.typeName)")
    }

    func string() throws(ConfigError) -> String {
        guard case .string(let s) = value else { throw mistyped("a string") }
        return s
    }

    func integer(in range: ClosedRange<Int64>) throws(ConfigError) -> Int64 {
        guard case .integer(let n) = value else { throw mistyped("an integer") }
        guard range.contains(n) else { throw error("must be within \(range.lowerBound)...\(range.upperBound) (got \(n))") }
        return n
    }

    func bool() throws(ConfigError) -> Bool {
        guard case .bool(let b) = value else { throw mistyped("true or false") }
        return b
    }

    func table() throws(ConfigError) -> Table {
        guard case .table(let t) = value else { throw mistyped("a table") }
        return Table(table: t, path: path)
    }

    func array() throws(ConfigError) -> [TOMLNode] {
        guard case .array(let a) = value else { throw mistyped("an array") }
        return a.indices.map { TOMLNode(value: a[$0], path: "\(path)[\($0)]") }
    }

    /// An Ed25519 public key as 64 hexadecimal digits.
    func publicKey() throws(ConfigError) -> PublicKey {
        let text = try string()
        do { return try PublicKey(hex: text) } catch { throw self.error("not an Ed25519 public key: expected 64 hexadecimal digits") }
    }
}
