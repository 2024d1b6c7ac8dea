/// A JSON reader (RFC 8259) whose errors give a line and column a person can act on. One pass, no
/// backtracking; nesting is bounded so a hostile input cannot exhaust the stack. Integer literals that fit
/// 64 bits stay exact (`.int`); fractions, exponents and larger integers become `.double`.
enum JSONSyntax {
    struct Failure: Error, Equatable {
        var line: Int
        var column: Int
        var message: String
    }

    static let maxDepth = 512

    /// The one JSON value `bytes` hold (whitespace around it allowed).
    static func parse(_ bytes: [UInt8]) throws(Failure) -> JSONValue {
        var scanner = Scanner(bytes: bytes)
        scanner.skipSpace()
        let value = try scanner.value(depth: 0)
        scanner.skipSpace()
        if scanner.at < bytes.count { throw scanner.fail("unexpected text after the JSON value") }
        return value
    }

    /// The first syntax error in `bytes`, or nil if they are one well-formed JSON value.
    static func firstError(in bytes: [UInt8]) -> Failure? {
        do throws(Failure) {
            _ = try parse(bytes)
            return nil
        } catch {
            return error
        }
    }

    private struct Scanner {
        let bytes: [UInt8]
        var at = 0

        func fail(_ message: String) -> Failure {
            var line = 1, column = 1
            for b in bytes[..<min(at, bytes.count)] {
                if b == UInt8(ascii: "\n") { line += 1; column = 1 } else if b & 0xC0 != 0x80 { column += 1 }
            }
            let found = at < bytes.count ? describe(bytes[at]) : "the end of the input"
            return Failure(line: line, column: column, message: "\(message), found \(found)")
        }

        private func describe(_ b: UInt8) -> String {
            b >= 0x20 && b < 0x7f ? "'\(Character(Unicode.Scalar(b)))'" : "byte 0x" + String(b, radix: 16)
        }

        mutating func skipSpace() {
            while at < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[at]) { at += 1 }
        }

        mutating func value(depth: Int) throws(Failure) -> JSONValue {
            guard depth < JSONSyntax.maxDepth else { throw fail("nested deeper than \(JSONSyntax.maxDepth) levels") }
            guard at < bytes.count else { throw fail("expected a value") }
            switch bytes[at] {
            case UInt8(ascii: "{"):
                at += 1
                skipSpace()
                var members = JSONObject()
                if at < bytes.count, bytes[at] == UInt8(ascii: "}") { at += 1; return .object(members) }
                while true {
                    skipSpace()
                    guard at < bytes.count, bytes[at] == UInt8(ascii: "\"") else { throw fail("expected a member name in quotes") }
                    let key = try string()
                    skipSpace()
                    guard at < bytes.count, bytes[at] == UInt8(ascii: ":") else { throw fail("expected ':' after the member name") }
                    at += 1
                    skipSpace()
                    members[key] = try value(depth: depth + 1)   // a repeated key: the last value wins
                    skipSpace()
                    guard at < bytes.count else { throw fail("expected ',' or '}'") }
                    if bytes[at] == UInt8(ascii: "}") { at += 1; return .object(members) }
                    guard bytes[at] == UInt8(ascii: ",") else { throw fail("expected ',' or '}'") }
                    at += 1
                }
            case UInt8(ascii: "["):
                at += 1
                skipSpace()
                var items: [JSONValue] = []
                if at < bytes.count, bytes[at] == UInt8(ascii: "]") { at += 1; return .array(items) }
                while true {
                    skipSpace()
                    items.append(try value(depth: depth + 1))
                    skipSpace()
                    guard at < bytes.count else { throw fail("expected ',' or ']'") }
                    if bytes[at] == UInt8(ascii: "]") { at += 1; return .array(items) }
                    guard bytes[at] == UInt8(ascii: ",") else { throw fail("expected ',' or ']'") }
                    at += 1
                }
            case UInt8(ascii: "\""):
                return .string(try string())
            case UInt8(ascii: "t"): try literal("true"); return .bool(true)
            case UInt8(ascii: "f"): try literal("false"); return .bool(false)
            case UInt8(ascii: "n"): try literal("null"); return .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                return try number()
            default:
                throw fail("expected a value")
            }
        }

        private mutating func literal(_ word: String) throws(Failure) {
            for b in word.utf8 {
                guard at < bytes.count, bytes[at] == b else { throw fail("expected \(word)") }
                at += 1
            }
        }

        /// A string's text; invalid UTF-8 and lone surrogates become U+FFFD, as in Foundation's reader.
        private mutating func string() throws(Failure) -> String {
            at += 1   // the opening quote
            var text: [UInt8] = []
            while at < bytes.count {
                let b = bytes[at]
                if b == UInt8(ascii: "\"") { at += 1; return String(decoding: text, as: UTF8.self) }
                if b < 0x20 { throw fail("a control character inside a string (escape it)") }
                if b == UInt8(ascii: "\\") {
                    at += 1
                    guard at < bytes.count else { break }
                    let escaped: [UInt8: UInt8] = [0x22: 0x22, 0x5C: 0x5C, 0x2F: 0x2F, 0x62: 0x08, 0x66: 0x0C, 0x6E: 0x0A,
                                                   0x72: 0x0D, 0x74: 0x09]
                    if let plain = escaped[bytes[at]] {
                        text.append(plain)
                        at += 1
                    } else if bytes[at] == UInt8(ascii: "u") {
                        var unit = try hex4()
                        if (0xD800..<0xDC00).contains(unit), at + 1 < bytes.count, bytes[at] == UInt8(ascii: "\\"),
                           bytes[at + 1] == UInt8(ascii: "u") {
                            let mark = at
                            at += 1
                            let low = try hex4()
                            if (0xDC00..<0xE000).contains(low) {
                                unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                            } else {
                                at = mark   // not a pair: the high half alone, then the next escape on its own
                            }
                        }
                        text.append(contentsOf: String(Character(Unicode.Scalar(unit) ?? "\u{FFFD}")).utf8)
                    } else {
                        throw fail("an unknown escape in a string")
                    }
                    continue
                }
                text.append(b)
                at += 1
            }
            throw fail("a string that never ends")
        }

        /// The four hexadecimal digits after `\\u`, with `at` on the `u`.
        private mutating func hex4() throws(Failure) -> UInt32 {
            at += 1
            var unit: UInt32 = 0
            for _ in 0..<4 {
                guard at < bytes.count, let digit = hexValue(bytes[at]) else { throw fail("expected 4 hexadecimal digits after \\u") }
                unit = unit << 4 | digit
                at += 1
            }
            return unit
        }

        private func hexValue(_ b: UInt8) -> UInt32? {
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(b - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(b - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(b - UInt8(ascii: "A") + 10)
            default: nil
            }
        }

        private mutating func digits() -> Int {
            let start = at
            while at < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[at]) { at += 1 }
            return at - start
        }

        private mutating func number() throws(Failure) -> JSONValue {
            let start = at
            var integral = true
            if bytes[at] == UInt8(ascii: "-") { at += 1 }
            guard at < bytes.count else { throw fail("expected a digit") }
            if bytes[at] == UInt8(ascii: "0") { at += 1 } else if digits() == 0 { throw fail("expected a digit") }
            if at < bytes.count, bytes[at] == UInt8(ascii: ".") {
                integral = false
                at += 1
                if digits() == 0 { throw fail("expected a digit after the decimal point") }
            }
            if at < bytes.count, bytes[at] == UInt8(ascii: "e") || bytes[at] == UInt8(ascii: "E") {
                integral = false
                at += 1
                if at < bytes.count, bytes[at] == UInt8(ascii: "+") || bytes[at] == UInt8(ascii: "-") { at += 1 }
                if digits() == 0 { throw fail("expected a digit in the exponent") }
            }
            let text = String(decoding: bytes[start..<at], as: UTF8.self)
            if integral, let n = Int(text) { return .int(n) }
            return .double(Double(text) ?? .nan)   // every JSON number parses; beyond the double range it is ±inf
        }
    }
}
