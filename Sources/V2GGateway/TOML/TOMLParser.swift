/// A TOML 1.0.0 reader: one pass over the UTF-8 bytes, every error a line and column, nesting bounded so a
/// hostile file cannot exhaust the stack. It replaces TOMLKit, whose C++ parser (toml++) aborted the process on
/// some malformed files and whose Foundation import put ICU (37 MB) into the binary.
public enum TOMLParser {
    /// Arrays and inline tables nest at most this deep, and a key has at most this many dotted parts.
    public static let maxDepth = 64

    /// The document `text` holds.
    public static func parse(_ text: String) throws(TOMLSyntaxError) -> TOMLTable {
        var reader = Reader(Array(text.utf8))
        return try reader.document()
    }
}

/// A table while the document is read: how it came to be decides what may still add to it.
private final class TableBuilder {
    enum Origin: Equatable {
        /// Made on the way to a deeper `[header]`; a later `[header]` of its own may still define it.
        case implicit
        /// Defined by a `[header]`, or an element of an array of tables.
        case header
        /// Made by dotted keys in the section with this number; only that section's dotted keys add to it.
        case dotted(Int)
        /// An inline table: closed once its `}` is read.
        case inline
    }

    enum Item {
        case value(TOMLValue)
        case table(TableBuilder)
        /// An array of tables (`[[name]]`), open for more elements.
        case tables([TableBuilder])
    }

    var origin: Origin
    var keys: [String] = []
    var items: [String: Item] = [:]

    init(_ origin: Origin) { self.origin = origin }

    subscript(key: String) -> Item? {
        get { items[key] }
        set {
            if items.updateValue(newValue!, forKey: key) == nil { keys.append(key) }
        }
    }

    var value: TOMLTable {
        var table = TOMLTable()
        for key in keys {
            switch items[key]! {
            case .value(let v): table[key] = v
            case .table(let t): table[key] = .table(t.value)
            case .tables(let ts): table[key] = .array(ts.map { .table($0.value) })
            }
        }
        return table
    }
}

private struct Reader {
    let bytes: [UInt8]
    var at = 0
    var section = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    // MARK: - Document

    mutating func document() throws(TOMLSyntaxError) -> TOMLTable {
        let root = TableBuilder(.header)
        var current = root
        while true {
            skipBlank()
            guard at < bytes.count else { break }
            switch bytes[at] {
            case UInt8(ascii: "\n"): at += 1; continue
            case UInt8(ascii: "\r"): try newline(); continue
            case UInt8(ascii: "#"): try comment(); continue
            case UInt8(ascii: "["):
                section += 1
                let double = peek(1) == UInt8(ascii: "[")
                at += double ? 2 : 1
                skipBlank()
                let keyStart = at
                let path = try headerKey(closing: double ? "]]" : "]")
                let end = at
                at = keyStart   // a redefinition is reported at the key
                current = double ? try openArrayElement(root, path) : try openTable(root, path)
                at = end
            default:
                try keyValue(into: current, depth: 0)
            }
            try endOfLine()
        }
        return root.value
    }

    /// The rest of a line after a header or key/value: blanks, an optional comment, then a line end or the end.
    mutating func endOfLine() throws(TOMLSyntaxError) {
        skipBlank()
        guard at < bytes.count else { return }
        switch bytes[at] {
        case UInt8(ascii: "#"): try comment()
        case UInt8(ascii: "\n"), UInt8(ascii: "\r"): break
        default: throw fail("expected the end of the line, found \(found)")
        }
        if at < bytes.count { try newline() }
    }

    mutating func headerKey(closing: String) throws(TOMLSyntaxError) -> [String] {
        skipBlank()
        let path = try key()
        skipBlank()
        for b in closing.utf8 {
            guard at < bytes.count, bytes[at] == b else { throw fail("expected \"\(closing)\" to close the table header, found \(found)") }
            at += 1
        }
        return path
    }

    /// `[a.b.c]`: walks to `a.b` and defines `c`, which no header or key may have defined already.
    mutating func openTable(_ root: TableBuilder, _ path: [String]) throws(TOMLSyntaxError) -> TableBuilder {
        let parent = try walkHeader(root, path.dropLast())
        let name = path.last!
        switch parent[name] {
        case nil:
            let table = TableBuilder(.header)
            parent[name] = .table(table)
            return table
        case .table(let table) where table.origin == .implicit:
            table.origin = .header
            return table
        default:
            throw fail("the table \(quoted(path)) is already defined")
        }
    }

    /// `[[a.b.c]]`: walks to `a.b` and adds an element to the array of tables `c`.
    mutating func openArrayElement(_ root: TableBuilder, _ path: [String]) throws(TOMLSyntaxError) -> TableBuilder {
        let parent = try walkHeader(root, path.dropLast())
        let name = path.last!
        let element = TableBuilder(.header)
        switch parent[name] {
        case nil: parent[name] = .tables([element])
        case .tables(let elements): parent[name] = .tables(elements + [element])
        default: throw fail("\(quoted(path)) is already defined and is not an array of tables")
        }
        return element
    }

    /// The table a header's leading keys name, made (implicitly) where missing; through an array of tables
    /// the last element.
    mutating func walkHeader(_ root: TableBuilder, _ path: ArraySlice<String>) throws(TOMLSyntaxError) -> TableBuilder {
        var table = root
        for (i, name) in zip(path.indices, path) {
            switch table[name] {
            case nil:
                let made = TableBuilder(.implicit)
                table[name] = .table(made)
                table = made
            case .table(let next) where next.origin != .inline:
                table = next
            case .tables(let elements):
                table = elements.last!
            default:
                throw fail("\(quoted(Array(path[...i]))) is already defined as a value, not a table")
            }
        }
        return table
    }

    /// `a.b.c = value` into `table`: `a` and `b` are made, or must be tables dotted keys of this section made.
    mutating func keyValue(into table: TableBuilder, depth: Int) throws(TOMLSyntaxError) {
        let keyStart = at
        let path = try key()
        skipBlank()
        guard at < bytes.count, bytes[at] == UInt8(ascii: "=") else { throw fail("expected \"=\" after the key, found \(found)") }
        at += 1
        skipBlank()
        let dotted: TableBuilder.Origin = table.origin == .inline ? .inline : .dotted(section)
        var target = table
        for (i, name) in path.dropLast().enumerated() {
            switch target[name] {
            case nil:
                let made = TableBuilder(dotted)
                target[name] = .table(made)
                target = made
            case .table(let next) where next.origin == dotted || next.origin == .implicit && dotted != .inline:
                next.origin = dotted
                target = next
            default:
                at = keyStart
                throw fail("\(quoted(Array(path[...i]))) is already defined; dotted keys cannot add to it here")
            }
        }
        let name = path.last!
        guard target[name] == nil else {
            at = keyStart
            throw fail("the key \(quoted(path)) is already defined")
        }
        target[name] = .value(try value(depth: depth))
    }

    // MARK: - Keys

    /// A key: bare or quoted parts joined by dots (blanks allowed around the dots).
    mutating func key() throws(TOMLSyntaxError) -> [String] {
        var parts: [String] = []
        while true {
            parts.append(try simpleKey())
            guard parts.count <= TOMLParser.maxDepth else { throw fail("a key of more than \(TOMLParser.maxDepth) parts") }
            skipBlank()
            guard at < bytes.count, bytes[at] == UInt8(ascii: ".") else { return parts }
            at += 1
            skipBlank()
        }
    }

    mutating func simpleKey() throws(TOMLSyntaxError) -> String {
        guard at < bytes.count else { throw fail("expected a key, found \(found)") }
        switch bytes[at] {
        case UInt8(ascii: "\""):
            guard !starts(with: "\"\"\"") else { throw fail("a key cannot be a multi-line string") }
            return try basicString()
        case UInt8(ascii: "'"):
            guard !starts(with: "'''") else { throw fail("a key cannot be a multi-line string") }
            return try literalString()
        default:
            let start = at
            while at < bytes.count, isBareKey(bytes[at]) { at += 1 }
            guard at > start else { throw fail("expected a key, found \(found)") }
            return String(decoding: bytes[start..<at], as: UTF8.self)
        }
    }

    func isBareKey(_ b: UInt8) -> Bool {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(b) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(b)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b) || b == UInt8(ascii: "_") || b == UInt8(ascii: "-")
    }

    // MARK: - Values

    mutating func value(depth: Int) throws(TOMLSyntaxError) -> TOMLValue {
        guard depth < TOMLParser.maxDepth else { throw fail("arrays and inline tables nested deeper than \(TOMLParser.maxDepth)") }
        guard at < bytes.count else { throw fail("expected a value, found \(found)") }
        switch bytes[at] {
        case UInt8(ascii: "\""):
            return .string(starts(with: "\"\"\"") ? try multilineBasicString() : try basicString())
        case UInt8(ascii: "'"):
            return .string(starts(with: "'''") ? try multilineLiteralString() : try literalString())
        case UInt8(ascii: "["):
            return try array(depth: depth)
        case UInt8(ascii: "{"):
            return try inlineTable(depth: depth)
        case UInt8(ascii: "t"):
            guard starts(with: "true") else { throw fail("expected a value, found \(found)") }
            at += 4
            return .bool(true)
        case UInt8(ascii: "f"):
            guard starts(with: "false") else { throw fail("expected a value, found \(found)") }
            at += 5
            return .bool(false)
        default:
            return try numberOrDate()
        }
    }

    mutating func array(depth: Int) throws(TOMLSyntaxError) -> TOMLValue {
        at += 1
        var items: [TOMLValue] = []
        while true {
            try skipBlankLinesAndComments()
            guard at < bytes.count else { throw fail("an array that never ends") }
            if bytes[at] == UInt8(ascii: "]") { at += 1; return .array(items) }
            items.append(try value(depth: depth + 1))
            try skipBlankLinesAndComments()
            guard at < bytes.count else { throw fail("an array that never ends") }
            if bytes[at] == UInt8(ascii: ",") { at += 1; continue }
            guard bytes[at] == UInt8(ascii: "]") else { throw fail("expected \",\" or \"]\" in the array, found \(found)") }
        }
    }

    mutating func inlineTable(depth: Int) throws(TOMLSyntaxError) -> TOMLValue {
        at += 1
        let table = TableBuilder(.inline)
        skipBlank()
        if at < bytes.count, bytes[at] == UInt8(ascii: "}") { at += 1; return .table(table.value) }
        while true {
            skipBlank()
            try keyValue(into: table, depth: depth + 1)
            skipBlank()
            guard at < bytes.count else { throw fail("an inline table that never ends") }
            if bytes[at] == UInt8(ascii: "}") { at += 1; return .table(table.value) }
            guard bytes[at] == UInt8(ascii: ",") else { throw fail("expected \",\" or \"}\" in the inline table (on one line), found \(found)") }
            at += 1
        }
    }

    // MARK: - Strings

    mutating func basicString() throws(TOMLSyntaxError) -> String {
        at += 1
        var text: [UInt8] = []
        while at < bytes.count {
            let b = bytes[at]
            switch b {
            case UInt8(ascii: "\""):
                at += 1
                return String(decoding: text, as: UTF8.self)
            case UInt8(ascii: "\\"):
                try escape(into: &text)
            case UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                throw fail("a string that does not end on its line")
            default:
                try refuseControl(b)
                text.append(b)
                at += 1
            }
        }
        throw fail("a string that never ends")
    }

    mutating func multilineBasicString() throws(TOMLSyntaxError) -> String {
        at += 3
        try skipFirstNewline()
        var text: [UInt8] = []
        while at < bytes.count {
            let b = bytes[at]
            if starts(with: "\"\"\"") {
                // Up to two quotes just before the closing three belong to the string.
                var quotes = 3
                while quotes < 5, peek(quotes) == UInt8(ascii: "\"") { quotes += 1 }
                text += repeatElement(UInt8(ascii: "\""), count: quotes - 3)
                at += quotes
                return String(decoding: text, as: UTF8.self)
            }
            switch b {
            case UInt8(ascii: "\\"):
                var look = at + 1
                while look < bytes.count, bytes[look] == 0x20 || bytes[look] == 0x09 { look += 1 }
                if look < bytes.count, bytes[look] == UInt8(ascii: "\n") || bytes[look] == UInt8(ascii: "\r") {
                    // A line-ending backslash: the line end and the blanks after it go.
                    at = look
                    while at < bytes.count {
                        if bytes[at] == 0x20 || bytes[at] == 0x09 || bytes[at] == UInt8(ascii: "\n") { at += 1 } else if bytes[at] == UInt8(ascii: "\r") { try newline() } else { break }
                    }
                } else {
                    try escape(into: &text)
                }
            case UInt8(ascii: "\r"):
                try newline()
                text.append(UInt8(ascii: "\n"))
            case UInt8(ascii: "\n"):
                text.append(b)
                at += 1
            default:
                try refuseControl(b)
                text.append(b)
                at += 1
            }
        }
        throw fail("a multi-line string that never ends")
    }

    mutating func literalString() throws(TOMLSyntaxError) -> String {
        at += 1
        let start = at
        while at < bytes.count {
            let b = bytes[at]
            if b == UInt8(ascii: "'") {
                defer { at += 1 }
                return String(decoding: bytes[start..<at], as: UTF8.self)
            }
            if b == UInt8(ascii: "\n") || b == UInt8(ascii: "\r") { throw fail("a string that does not end on its line") }
            try refuseControl(b)
            at += 1
        }
        throw fail("a string that never ends")
    }

    mutating func multilineLiteralString() throws(TOMLSyntaxError) -> String {
        at += 3
        try skipFirstNewline()
        var text: [UInt8] = []
        while at < bytes.count {
            let b = bytes[at]
            if starts(with: "'''") {
                var quotes = 3
                while quotes < 5, peek(quotes) == UInt8(ascii: "'") { quotes += 1 }
                text += repeatElement(UInt8(ascii: "'"), count: quotes - 3)
                at += quotes
                return String(decoding: text, as: UTF8.self)
            }
            if b == UInt8(ascii: "\r") {
                try newline()
                text.append(UInt8(ascii: "\n"))
                continue
            }
            if b != UInt8(ascii: "\n") { try refuseControl(b) }
            text.append(b)
            at += 1
        }
        throw fail("a multi-line string that never ends")
    }

    /// A newline right after a multi-line string's opening delimiter is not part of the string.
    mutating func skipFirstNewline() throws(TOMLSyntaxError) {
        if at < bytes.count, bytes[at] == UInt8(ascii: "\n") { at += 1 } else if at < bytes.count, bytes[at] == UInt8(ascii: "\r") { try newline() }
    }

    mutating func escape(into text: inout [UInt8]) throws(TOMLSyntaxError) {
        at += 1
        guard at < bytes.count else { throw fail("a string that never ends") }
        let simple: [UInt8: UInt8] = [0x62: 0x08, 0x74: 0x09, 0x6E: 0x0A, 0x66: 0x0C, 0x72: 0x0D, 0x22: 0x22, 0x5C: 0x5C]
        if let plain = simple[bytes[at]] {
            text.append(plain)
            at += 1
            return
        }
        let digits: Int
        switch bytes[at] {
        case UInt8(ascii: "u"): digits = 4
        case UInt8(ascii: "U"): digits = 8
        default: throw fail("an unknown escape in a string")
        }
        at += 1
        var code: UInt32 = 0
        for _ in 0..<digits {
            guard at < bytes.count, let d = hexDigit(bytes[at]) else { throw fail("expected \(digits) hexadecimal digits in the escape, found \(found)") }
            code = code << 4 | d
            at += 1
        }
        guard let scalar = Unicode.Scalar(code) else { throw fail("the escape names no Unicode scalar value") }
        text += Array(String(Character(scalar)).utf8)
    }

    func hexDigit(_ b: UInt8) -> UInt32? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(b - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(b - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(b - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    // MARK: - Numbers and dates

    mutating func numberOrDate() throws(TOMLSyntaxError) -> TOMLValue {
        let start = at
        if isDigit(peek(0)), isDigit(peek(1)) {
            if isDigit(peek(2)), isDigit(peek(3)), peek(4) == UInt8(ascii: "-") { return try dateTime() }
            if peek(2) == UInt8(ascii: ":") { return try dateTime() }
        }
        // The token: what a number can be made of; its shape is checked below.
        while at < bytes.count, isNumberByte(bytes[at]) { at += 1 }
        let token = Array(bytes[start..<at])
        guard !token.isEmpty else {
            at = start
            throw fail("expected a value, found \(found)")
        }
        at = start
        var body = token[...]
        var negative = false
        if body.first == UInt8(ascii: "+") || body.first == UInt8(ascii: "-") {
            negative = body.first == UInt8(ascii: "-")
            body = body.dropFirst()
        }
        let word = String(decoding: body, as: UTF8.self)
        if word == "inf" || word == "nan" {
            at += token.count
            return .float(word == "inf" ? (negative ? -.infinity : .infinity) : .nan)
        }
        if body.count > 2, body.first == UInt8(ascii: "0"), let radix = [UInt8(ascii: "x"): 16, UInt8(ascii: "o"): 8, UInt8(ascii: "b"): 2][body[body.startIndex + 1]] {
            guard body.count == token.count else { throw fail("a sign is not allowed on a hexadecimal, octal or binary integer") }
            let digits = try digitsWithoutUnderscores(body.dropFirst(2), radix: radix)
            guard let n = Int64(digits, radix: radix) else { throw fail("an integer outside the 64-bit range") }
            at += token.count
            return .integer(n)
        }
        let isFloat = body.contains(UInt8(ascii: ".")) || body.contains(UInt8(ascii: "e")) || body.contains(UInt8(ascii: "E"))
        var parts = body.split(separator: UInt8(ascii: "e"), maxSplits: 1, omittingEmptySubsequences: false)
        if parts.count == 1 { parts = body.split(separator: UInt8(ascii: "E"), maxSplits: 1, omittingEmptySubsequences: false) }
        let mantissa = parts[0].split(separator: UInt8(ascii: "."), maxSplits: 1, omittingEmptySubsequences: false)
        let whole = try digitsWithoutUnderscores(mantissa[0], radix: 10)
        if whole.count > 1, whole.first == "0" { throw fail("leading zeros are not allowed in a number") }
        var text = (negative ? "-" : "") + whole
        if mantissa.count == 2 { text += "." + (try digitsWithoutUnderscores(mantissa[1], radix: 10)) }
        if parts.count == 2 {
            var exponent = parts[1]
            var sign = ""
            if exponent.first == UInt8(ascii: "+") || exponent.first == UInt8(ascii: "-") {
                sign = exponent.first == UInt8(ascii: "-") ? "-" : ""
                exponent = exponent.dropFirst()
            }
            text += "e" + sign + (try digitsWithoutUnderscores(exponent, radix: 10))
        }
        if isFloat {
            guard let d = Double(text), d.isFinite else { throw fail("a float outside the 64-bit range") }
            at += token.count
            return .float(d)
        }
        guard let n = Int64(text) else { throw fail("an integer outside the 64-bit range") }
        at += token.count
        return .integer(n)
    }

    /// The digits of `part` with its underscores taken out; each underscore must sit between two digits.
    func digitsWithoutUnderscores(_ part: ArraySlice<UInt8>, radix: Int) throws(TOMLSyntaxError) -> String {
        var digits: [UInt8] = []
        var previousDigit = false
        for b in part {
            if b == UInt8(ascii: "_") {
                guard previousDigit else { throw fail("an underscore in a number must sit between two digits") }
                previousDigit = false
                continue
            }
            guard let d = hexDigit(b), d < radix else { throw fail("not a valid number") }
            digits.append(b)
            previousDigit = true
        }
        guard previousDigit else { throw fail(digits.isEmpty ? "not a valid number" : "an underscore in a number must sit between two digits") }
        return String(decoding: digits, as: UTF8.self)
    }

    func isNumberByte(_ b: UInt8) -> Bool {
        isDigit(b) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(b) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(b)
            || b == UInt8(ascii: "_") || b == UInt8(ascii: "+") || b == UInt8(ascii: "-") || b == UInt8(ascii: ".")
    }

    func isDigit(_ b: UInt8?) -> Bool { b.map { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) } ?? false }

    /// A date-time, date or time (RFC 3339 as TOML restricts it), kept as written.
    mutating func dateTime() throws(TOMLSyntaxError) -> TOMLValue {
        let start = at
        let hasDate = peek(4) == UInt8(ascii: "-")
        if hasDate {
            let year = try digits(4)
            try expect("-")
            let month = try digits(2)
            try expect("-")
            let day = try digits(2)
            let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
            let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
            guard (1...12).contains(month), (1...days[month - 1]).contains(day) else {
                at = start
                throw fail("not a valid date")
            }
            let separator = peek(0)
            let timeFollows = separator == UInt8(ascii: "T") || separator == UInt8(ascii: "t")
                || separator == UInt8(ascii: " ") && isDigit(peek(1)) && isDigit(peek(2)) && peek(3) == UInt8(ascii: ":")
            guard timeFollows else { return .dateTime(String(decoding: bytes[start..<at], as: UTF8.self)) }
            at += 1
        }
        let hour = try digits(2)
        try expect(":")
        let minute = try digits(2)
        try expect(":")
        let second = try digits(2)
        guard hour < 24, minute < 60, second <= 60 else {
            at = start
            throw fail("not a valid time")
        }
        if peek(0) == UInt8(ascii: ".") {
            at += 1
            guard isDigit(peek(0)) else { throw fail("expected digits after the decimal point of the seconds, found \(found)") }
            while isDigit(peek(0)) { at += 1 }
        }
        if hasDate, let z = peek(0), z == UInt8(ascii: "Z") || z == UInt8(ascii: "z") {
            at += 1
        } else if hasDate, let sign = peek(0), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
            at += 1
            let h = try digits(2)
            try expect(":")
            let m = try digits(2)
            guard h < 24, m < 60 else { throw fail("not a valid time offset") }
        }
        return .dateTime(String(decoding: bytes[start..<at], as: UTF8.self))
    }

    mutating func digits(_ count: Int) throws(TOMLSyntaxError) -> Int {
        var n = 0
        for _ in 0..<count {
            guard let b = peek(0), isDigit(b) else { throw fail("not a valid date or time") }
            n = n * 10 + Int(b - UInt8(ascii: "0"))
            at += 1
        }
        return n
    }

    mutating func expect(_ c: Character) throws(TOMLSyntaxError) {
        guard peek(0) == c.asciiValue else { throw fail("not a valid date or time") }
        at += 1
    }

    // MARK: - Blanks, comments, lines

    func peek(_ offset: Int) -> UInt8? { at + offset < bytes.count ? bytes[at + offset] : nil }

    func starts(with text: String) -> Bool {
        let t = Array(text.utf8)
        return at + t.count <= bytes.count && bytes[at..<(at + t.count)].elementsEqual(t)
    }

    mutating func skipBlank() {
        while at < bytes.count, bytes[at] == 0x20 || bytes[at] == 0x09 { at += 1 }
    }

    mutating func skipBlankLinesAndComments() throws(TOMLSyntaxError) {
        while at < bytes.count {
            switch bytes[at] {
            case 0x20, 0x09, UInt8(ascii: "\n"): at += 1
            case UInt8(ascii: "\r"): try newline()
            case UInt8(ascii: "#"): try comment()
            default: return
            }
        }
    }

    /// A comment up to (not including) its line end.
    mutating func comment() throws(TOMLSyntaxError) {
        while at < bytes.count, bytes[at] != UInt8(ascii: "\n") {
            if bytes[at] == UInt8(ascii: "\r"), peek(1) == UInt8(ascii: "\n") { return }
            try refuseControl(bytes[at])
            at += 1
        }
    }

    /// A line end: LF or CR LF.
    mutating func newline() throws(TOMLSyntaxError) {
        if bytes[at] == UInt8(ascii: "\r") {
            guard peek(1) == UInt8(ascii: "\n") else { throw fail("a carriage return not followed by a line feed") }
            at += 1
        }
        at += 1
    }

    func refuseControl(_ b: UInt8) throws(TOMLSyntaxError) {
        if (b < 0x20 && b != 0x09) || b == 0x7F {
            throw fail("control character U+\(String(b, radix: 16, uppercase: true)) (TOML allows none but tab)")
        }
    }

    func quoted(_ path: [String]) -> String {
        "\"" + path.map { $0.allSatisfy(isBareKeyCharacter) && !$0.isEmpty ? $0 : "\"\($0)\"" }.joined(separator: ".") + "\""
    }

    private func isBareKeyCharacter(_ c: Character) -> Bool { c.asciiValue.map(isBareKey) ?? false }

    /// What is at the reading position, for "expected …, found …" messages.
    var found: String {
        guard at < bytes.count else { return "the end of the file" }
        let b = bytes[at]
        if b == UInt8(ascii: "\n") || b == UInt8(ascii: "\r") { return "the end of the line" }
        if b >= 0x20 && b < 0x7F { return "\"\(Character(Unicode.Scalar(b)))\"" }
        if b < 0x80 { return "control character U+\(String(b, radix: 16, uppercase: true))" }
        var end = at + 1
        while end < bytes.count, bytes[end] & 0xC0 == 0x80 { end += 1 }
        let scalar = String(decoding: bytes[at..<end], as: UTF8.self).unicodeScalars.first!
        return "U+\(String(scalar.value, radix: 16, uppercase: true)) (TOML allows only ASCII outside strings and comments)"
    }

    func fail(_ message: String) -> TOMLSyntaxError {
        var line = 1, column = 1
        for b in bytes[..<min(at, bytes.count)] {
            if b == UInt8(ascii: "\n") { line += 1; column = 1 } else if b & 0xC0 != 0x80 { column += 1 }
        }
        return TOMLSyntaxError(line: line, column: column, message: message)
    }
}
