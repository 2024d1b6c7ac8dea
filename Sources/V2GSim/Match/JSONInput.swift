import V2GKit

/// A value inside the parsed JSON, with the path that names it in error messages.
struct JSONInput {
    let value: JSONValue
    let path: String

    init(_ value: JSONValue, path: String) {
        self.value = value
        self.path = path
    }

    /// An object, refusing keys outside `known` so that a misspelt field is an error, not a silent default.
    func object(known: Set<String>) throws(MatchJobError) -> JSONInputObject {
        guard case .object(let dict) = value else { throw MatchJobError(path: path, message: "must be an object") }
        if let unknown = dict.keys.sorted().first(where: { !known.contains($0) }) {
            throw MatchJobError(path: path.isEmpty ? unknown : "\(path).\(unknown)", message: "unknown field")
        }
        return JSONInputObject(fields: dict, path: path)
    }

    func array() throws(MatchJobError) -> [JSONInput] {
        guard case .array(let items) = value else { throw MatchJobError(path: path, message: "must be an array") }
        return items.enumerated().map { JSONInput($1, path: "\(path)[\($0)]") }
    }

    func string() throws(MatchJobError) -> String {
        guard case .string(let s) = value else { throw MatchJobError(path: path, message: "must be a string") }
        return s
    }

    /// An integer that fits in Int64; JSON booleans, fractions and out-of-range numbers are refused. A
    /// fraction or exponent with an integral value up to 2^53 (`1e3`, `5.0`) is taken.
    func integer() throws(MatchJobError) -> Int64 {
        switch value {
        case .int(let n):
            return Int64(n)
        case .double(let d):
            guard abs(d) < 9_223_372_036_854_775_808 else {
                throw MatchJobError(path: path, message: "must be an integer within the 64-bit range")
            }
            guard d.rounded() == d, abs(d) <= 9_007_199_254_740_992 else {
                throw MatchJobError(path: path, message: "must be an integer (got \(d))")
            }
            return Int64(d)
        case .bool:
            throw MatchJobError(path: path, message: "must be an integer, not a boolean")
        default:
            throw MatchJobError(path: path, message: "must be an integer")
        }
    }

    func nonNegative() throws(MatchJobError) -> Int64 {
        let n = try integer()
        guard n >= 0 else { throw MatchJobError(path: path, message: "must not be negative (got \(n))") }
        return n
    }

    /// A ratio in parts per million, within [0, 1 000 000].
    func ratio() throws(MatchJobError) -> Ratio {
        let n = try integer()
        guard n >= 0 && n <= 1_000_000 else {
            throw MatchJobError(path: path, message: "must be a ratio in ppm within [0, 1000000] (got \(n))")
        }
        return Ratio(ppm: Int32(n))
    }
}

/// An object inside the parsed JSON.
struct JSONInputObject {
    let fields: JSONObject
    let path: String

    private func childPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func required(_ key: String) throws(MatchJobError) -> JSONInput {
        guard let value = fields[key], value != .null else {
            throw MatchJobError(path: childPath(key), message: "missing required field")
        }
        return JSONInput(value, path: childPath(key))
    }

    func optional(_ key: String) throws(MatchJobError) -> JSONInput? {
        guard let value = fields[key], value != .null else { return nil }
        return JSONInput(value, path: childPath(key))
    }
}
