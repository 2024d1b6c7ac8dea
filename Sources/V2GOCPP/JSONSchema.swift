/// The part of JSON Schema (draft 6) the OCPP 2.0.1 and 2.1 schemas use: `type`, `properties`, `required`,
/// `additionalProperties: false`, `$ref` to `#/definitions/…`, `enum`, `maxLength`, `minimum`, `maximum`,
/// `items`, `minItems`, `maxItems` and `format: date-time`. Annotations (`description`, `javaType`, `comment`,
/// `default`, `additionalItems` beside a single `items` schema) change nothing.
public struct JSONSchema: Sendable {
    private let root: JSONValue

    /// Reads a schema document; nil if it is not a JSON object.
    public init?(_ text: String) {
        guard let root = JSONValue(parsing: text), root.object != nil else { return nil }
        self.root = root
    }

    /// The first place `value` breaks the schema, or nil if it conforms.
    public func violation(of value: JSONValue) -> SchemaViolation? {
        check(value, against: root, at: "", depth: 0)
    }

    private func resolve(_ schema: JSONValue) -> JSONValue? {
        guard let ref = schema["$ref"]?.string else { return schema }
        guard ref.hasPrefix("#/definitions/") else { return nil }
        return root["definitions"]?[String(ref.dropFirst("#/definitions/".count))]
    }

    private func check(_ value: JSONValue, against unresolved: JSONValue, at path: String, depth: Int) -> SchemaViolation? {
        // The OCPP schemas nest a few levels; a deeper chain of references is a broken schema, not a payload.
        guard depth < 64, let schema = resolve(unresolved) else {
            return SchemaViolation(path: path, code: .internalError, "the schema cannot be followed here")
        }
        if let type = schema["type"]?.string, !Self.value(value, hasType: type) {
            return SchemaViolation(path: path, code: .typeConstraintViolation, "expected \(type), got \(Self.typeName(value))")
        }
        if let allowed = schema["enum"]?.array, !allowed.contains(value) {
            let names = allowed.compactMap(\.string).prefix(8).joined(separator: ", ")
            return SchemaViolation(path: path, code: .propertyConstraintViolation, "not one of: \(names)\(allowed.count > 8 ? ", …" : "")")
        }
        switch value {
        case .string(let s):
            // JSON Schema counts code points, not grapheme clusters.
            if let max = schema["maxLength"]?.number, Double(s.unicodeScalars.count) > max {
                return SchemaViolation(path: path, code: .propertyConstraintViolation, "longer than \(Int(max)) characters")
            }
            if schema["format"]?.string == "date-time", !Self.isDateTime(s) {
                return SchemaViolation(path: path, code: .propertyConstraintViolation, "not an RFC 3339 date-time")
            }
        case .number(let n):
            if let min = schema["minimum"]?.number, n < min {
                return SchemaViolation(path: path, code: .propertyConstraintViolation, "below the minimum \(min)")
            }
            if let max = schema["maximum"]?.number, n > max {
                return SchemaViolation(path: path, code: .propertyConstraintViolation, "above the maximum \(max)")
            }
        case .array(let items):
            if let min = schema["minItems"]?.number, Double(items.count) < min {
                return SchemaViolation(path: path, code: .occurrenceConstraintViolation, "fewer than \(Int(min)) items")
            }
            if let max = schema["maxItems"]?.number, Double(items.count) > max {
                return SchemaViolation(path: path, code: .occurrenceConstraintViolation, "more than \(Int(max)) items")
            }
            if let itemSchema = schema["items"], itemSchema.object != nil {
                for (i, item) in items.enumerated() {
                    if let v = check(item, against: itemSchema, at: "\(path)[\(i)]", depth: depth + 1) { return v }
                }
            }
        case .object(let members):
            let properties = schema["properties"]?.object ?? [:]
            for name in schema["required"]?.array?.compactMap(\.string) ?? [] where members[name] == nil {
                return SchemaViolation(path: Self.join(path, name), code: .occurrenceConstraintViolation, "required, missing")
            }
            if schema["additionalProperties"] == .bool(false),
               let extra = members.keys.sorted().first(where: { properties[$0] == nil }) {
                return SchemaViolation(path: Self.join(path, extra), code: .formatViolation, "not a property of this object")
            }
            for name in members.keys.sorted() {
                guard let member = members[name], let propertySchema = properties[name] else { continue }
                if let v = check(member, against: propertySchema, at: Self.join(path, name), depth: depth + 1) { return v }
            }
        case .null, .bool:
            break
        }
        return nil
    }

    private static func join(_ path: String, _ name: String) -> String { path.isEmpty ? name : "\(path).\(name)" }

    private static func value(_ value: JSONValue, hasType type: String) -> Bool {
        switch (type, value) {
        case ("object", .object), ("array", .array), ("string", .string), ("boolean", .bool), ("null", .null),
             ("number", .number): true
        case ("integer", .number(let n)): n == n.rounded() && abs(n) <= 9_007_199_254_740_992
        default: false
        }
    }

    private static func typeName(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    /// RFC 3339 `date-time`, as the gateway reads it (`RFC3339.unixSeconds`).
    static func isDateTime(_ s: String) -> Bool { RFC3339.unixSeconds(s) != nil }
}

/// Where and how a payload breaks its schema, and the CALLERROR code that says so.
public struct SchemaViolation: Error, Hashable, Sendable, CustomStringConvertible {
    /// The member's path in the payload (`evse.id`, `meterValue[0].sampledValue[1].value`); empty for the payload.
    public let path: String
    public let code: RPCErrorCode
    public let reason: String

    init(path: String, code: RPCErrorCode, _ reason: String) {
        self.path = path
        self.code = code
        self.reason = reason
    }

    public var description: String { path.isEmpty ? reason : "\(path): \(reason)" }
}
