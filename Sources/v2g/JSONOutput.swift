/// A JSON value whose object keys keep the order they were written in, so output reads as documented.
enum JSONOutput {
    case string(String)
    case int(Int64)
    case bool(Bool)
    case array([JSONOutput])
    case object([(String, JSONOutput)])

    /// Pretty-printed JSON with two-space indentation and a trailing newline.
    func rendered() -> String {
        var out = ""
        write(to: &out, indent: 0)
        out += "\n"
        return out
    }

    private func write(to out: inout String, indent: Int) {
        let pad = String(repeating: "  ", count: indent + 1)
        let close = String(repeating: "  ", count: indent)
        switch self {
        case .string(let s): JSONOutput.quote(s, into: &out)
        case .int(let n): out += String(n)
        case .bool(let b): out += b ? "true" : "false"
        case .array(let items):
            guard !items.isEmpty else { out += "[]"; return }
            out += "[\n"
            for (i, item) in items.enumerated() {
                out += pad
                item.write(to: &out, indent: indent + 1)
                out += i + 1 < items.count ? ",\n" : "\n"
            }
            out += close + "]"
        case .object(let fields):
            guard !fields.isEmpty else { out += "{}"; return }
            // Objects of scalars stay on one line: an allocation per line reads best.
            if fields.allSatisfy({ $0.1.isScalar }) {
                out += "{"
                for (i, (key, value)) in fields.enumerated() {
                    JSONOutput.quote(key, into: &out)
                    out += ": "
                    value.write(to: &out, indent: indent + 1)
                    if i + 1 < fields.count { out += ", " }
                }
                out += "}"
                return
            }
            out += "{\n"
            for (i, (key, value)) in fields.enumerated() {
                out += pad
                JSONOutput.quote(key, into: &out)
                out += ": "
                value.write(to: &out, indent: indent + 1)
                out += i + 1 < fields.count ? ",\n" : "\n"
            }
            out += close + "}"
        }
    }

    private var isScalar: Bool {
        switch self {
        case .string, .int, .bool: return true
        case .array, .object: return false
        }
    }

    private static func quote(_ s: String, into out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}
