/// Where a JSON text first goes wrong, as line and column, for an error message a person can act on
/// (JSONSerialization says only that the data is not in the correct format). A validating scan of RFC 8259
/// that builds nothing; nesting is bounded so a hostile input cannot exhaust the stack.
enum JSONSyntax {
    struct Failure: Error, Equatable {
        var line: Int
        var column: Int
        var message: String
    }

    static let maxDepth = 512

    /// The first syntax error in `bytes`, or nil if they are one well-formed JSON value.
    static func firstError(in bytes: [UInt8]) -> Failure? {
        var scanner = Scanner(bytes: bytes)
        do throws(Failure) {
            scanner.skipSpace()
            try scanner.value(depth: 0)
            scanner.skipSpace()
            if scanner.at < bytes.count { throw scanner.fail("unexpected text after the JSON value") }
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

        mutating func value(depth: Int) throws(Failure) {
            guard depth < JSONSyntax.maxDepth else { throw fail("nested deeper than \(JSONSyntax.maxDepth) levels") }
            guard at < bytes.count else { throw fail("expected a value") }
            switch bytes[at] {
            case UInt8(ascii: "{"):
                at += 1
                skipSpace()
                if at < bytes.count, bytes[at] == UInt8(ascii: "}") { at += 1; return }
                while true {
                    skipSpace()
                    guard at < bytes.count, bytes[at] == UInt8(ascii: "\"") else { throw fail("expected a member name in quotes") }
                    try string()
                    skipSpace()
                    guard at < bytes.count, bytes[at] == UInt8(ascii: ":") else { throw fail("expected ':' after the member name") }
                    at += 1
                    skipSpace()
                    try value(depth: depth + 1)
                    skipSpace()
                    guard at < bytes.count else { throw fail("expected ',' or '}'") }
                    if bytes[at] == UInt8(ascii: "}") { at += 1; return }
                    guard bytes[at] == UInt8(ascii: ",") else { throw fail("expected ',' or '}'") }
                    at += 1
                }
            case UInt8(ascii: "["):
                at += 1
                skipSpace()
                if at < bytes.count, bytes[at] == UInt8(ascii: "]") { at += 1; return }
                while true {
                    skipSpace()
                    try value(depth: depth + 1)
                    skipSpace()
                    guard at < bytes.count else { throw fail("expected ',' or ']'") }
                    if bytes[at] == UInt8(ascii: "]") { at += 1; return }
                    guard bytes[at] == UInt8(ascii: ",") else { throw fail("expected ',' or ']'") }
                    at += 1
                }
            case UInt8(ascii: "\""):
                try string()
            case UInt8(ascii: "t"): try literal("true")
            case UInt8(ascii: "f"): try literal("false")
            case UInt8(ascii: "n"): try literal("null")
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                try number()
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

        private mutating func string() throws(Failure) {
            at += 1   // the opening quote
            while at < bytes.count {
                let b = bytes[at]
                if b == UInt8(ascii: "\"") { at += 1; return }
                if b < 0x20 { throw fail("a control character inside a string (escape it)") }
                if b == UInt8(ascii: "\\") {
                    at += 1
                    guard at < bytes.count else { break }
                    switch bytes[at] {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                         UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                        at += 1
                    case UInt8(ascii: "u"):
                        at += 1
                        for _ in 0..<4 {
                            guard at < bytes.count, isHex(bytes[at]) else { throw fail("expected 4 hexadecimal digits after \\u") }
                            at += 1
                        }
                    default:
                        throw fail("an unknown escape in a string")
                    }
                    continue
                }
                at += 1
            }
            throw fail("a string that never ends")
        }

        private func isHex(_ b: UInt8) -> Bool {
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(b)
                || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(b)
        }

        private mutating func digits() -> Int {
            let start = at
            while at < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[at]) { at += 1 }
            return at - start
        }

        private mutating func number() throws(Failure) {
            if bytes[at] == UInt8(ascii: "-") { at += 1 }
            guard at < bytes.count else { throw fail("expected a digit") }
            if bytes[at] == UInt8(ascii: "0") { at += 1 } else if digits() == 0 { throw fail("expected a digit") }
            if at < bytes.count, bytes[at] == UInt8(ascii: ".") {
                at += 1
                if digits() == 0 { throw fail("expected a digit after the decimal point") }
            }
            if at < bytes.count, bytes[at] == UInt8(ascii: "e") || bytes[at] == UInt8(ascii: "E") {
                at += 1
                if at < bytes.count, bytes[at] == UInt8(ascii: "+") || bytes[at] == UInt8(ascii: "-") { at += 1 }
                if digits() == 0 { throw fail("expected a digit in the exponent") }
            }
        }
    }
}
