import Foundation
import V2GKit

/// A value inside the parsed JSON, with the path that names it in error messages.
struct JSONInput {
    let value: Any
    let path: String

    init(_ value: Any, path: String) {
        self.value = value
        self.path = path
    }

    /// An object, refusing keys outside `known` so that a misspelt field is an error, not a silent default.
    func object(known: Set<String>) throws(MatchJobError) -> JSONInputObject {
        guard let dict = value as? [String: Any] else { throw MatchJobError(path: path, message: "must be an object") }
        if let unknown = dict.keys.sorted().first(where: { !known.contains($0) }) {
            throw MatchJobError(path: path.isEmpty ? unknown : "\(path).\(unknown)", message: "unknown field")
        }
        return JSONInputObject(fields: dict, path: path)
    }

    func array() throws(MatchJobError) -> [JSONInput] {
        guard let items = value as? [Any] else { throw MatchJobError(path: path, message: "must be an array") }
        return items.enumerated().map { JSONInput($1, path: "\(path)[\($0)]") }
    }

    func string() throws(MatchJobError) -> String {
        guard let s = value as? String else { throw MatchJobError(path: path, message: "must be a string") }
        return s
    }

    /// An integer that fits in Int64; JSON booleans, fractions and out-of-range numbers are refused.
    func integer() throws(MatchJobError) -> Int64 {
        guard let number = value as? NSNumber, !(value is NSDecimalNumber) else {
            throw MatchJobError(path: path, message: value is NSDecimalNumber
                             ? "must be an integer within the 64-bit range" : "must be an integer")
        }
        // Foundation reports the JSON literal's type: "c" for true/false, "d" for a fraction or exponent.
        switch String(cString: number.objCType) {
        case "c":
            throw MatchJobError(path: path, message: "must be an integer, not a boolean")
        case "d", "f":
            let d = number.doubleValue
            guard d.rounded() == d, abs(d) <= 9_007_199_254_740_992 else {
                throw MatchJobError(path: path, message: "must be an integer (got \(number))")
            }
            return Int64(d)
        case "q", "l", "i", "s":
            return number.int64Value
        default:
            throw MatchJobError(path: path, message: "must be an integer within the 64-bit range")
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
    let fields: [String: Any]
    let path: String

    private func childPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func required(_ key: String) throws(MatchJobError) -> JSONInput {
        guard let value = fields[key], !(value is NSNull) else {
            throw MatchJobError(path: childPath(key), message: "missing required field")
        }
        return JSONInput(value, path: childPath(key))
    }

    func optional(_ key: String) throws(MatchJobError) -> JSONInput? {
        guard let value = fields[key], !(value is NSNull) else { return nil }
        return JSONInput(value, path: childPath(key))
    }
}
