/// Refuses the TOML texts on which the vendored parser (toml++ under TOMLKit) trips an assertion instead of
/// reporting an error: an abort would take the whole node down on a bad config file.
///
/// The shapes known to trap (found by `fuzz/swift` FuzzConfig): a control character other than tab and the
/// line ends anywhere; a non-ASCII character outside strings and comments (U+2028 where an array value
/// belongs); a table header whose key starts with a character that can start no key (`[.`, `[[ +`); a `}`
/// where an array value belongs (`r = [1, }`). TOML allows none of them, so nothing valid is refused;
/// everything else is left to the parser, which reports it.
enum TOMLPrecheck {
    /// Throws the first trap-shaped spot in `text`, by line and column.
    static func check(_ text: String) throws(ConfigError) {
        var scanner = Scanner(Array(text.unicodeScalars))
        try scanner.run()
    }

    private struct Scanner {
        let scalars: [Unicode.Scalar]
        var index = 0
        var line = 1
        var lineStart = 0
        var atLineStart = true
        // Between a key's `=` and the end of its value; brackets only count there, so a `[` that opens a line
        // inside a multi-line array is not taken for a table header.
        var inValue = false
        var open: [Unicode.Scalar] = []
        // Just after an array's `[` or `,`: a value or `]` must come next.
        var expectValue = false

        init(_ scalars: [Unicode.Scalar]) { self.scalars = scalars }

        mutating func run() throws(ConfigError) {
            while index < scalars.count {
                let c = scalars[index]
                try refuseControl(c)
                switch c {
                case "\n":
                    newLine()
                    if open.isEmpty { inValue = false }
                    index += 1
                    continue
                case " ", "\t", "\r":
                    index += 1
                    continue
                case "#":
                    try skipComment()
                    continue
                case "\"", "'":
                    expectValue = false
                    try skipString(quote: c)
                case "=" where !inValue:
                    inValue = true
                    index += 1
                case "[":
                    if inValue {
                        open.append(c)
                        expectValue = true
                    } else if atLineStart {
                        try checkHeader()
                    }
                    index += 1
                case "{":
                    if inValue { open.append(c) }
                    expectValue = false
                    index += 1
                case "]", "}":
                    if c == "}", expectValue { throw fail("expected a value or \"]\", saw \"}\"", at: index) }
                    if inValue, !open.isEmpty { open.removeLast() }
                    expectValue = false
                    index += 1
                case ",":
                    expectValue = inValue && open.last == "["
                    index += 1
                default:
                    if c.value > 0x7f {
                        throw fail("character U+\(String(c.value, radix: 16, uppercase: true)) outside a string or comment "
                                   + "(TOML allows only ASCII there)", at: index)
                    }
                    expectValue = false
                    index += 1
                }
                atLineStart = false
            }
        }

        private mutating func newLine() {
            line += 1
            lineStart = index + 1
            atLineStart = true
        }

        private func fail(_ what: String, at position: Int) -> ConfigError {
            ConfigError(path: "", message: "not valid TOML: line \(line), column \(position - lineStart + 1): \(what)")
        }

        private func refuseControl(_ c: Unicode.Scalar, at position: Int? = nil) throws(ConfigError) {
            if c != "\t", c != "\r", c != "\n", c.value < 0x20 || c.value == 0x7f {
                throw fail("control character U+\(String(c.value, radix: 16, uppercase: true)) (TOML allows none but tab)",
                           at: position ?? index)
            }
        }

        private mutating func skipComment() throws(ConfigError) {
            while index < scalars.count, scalars[index] != "\n" {
                try refuseControl(scalars[index])
                index += 1
            }
        }

        /// Skips a basic or literal string, single- or multi-line; an unterminated one is left to the parser.
        private mutating func skipString(quote: Unicode.Scalar) throws(ConfigError) {
            let multiLine = index + 2 < scalars.count && scalars[index + 1] == quote && scalars[index + 2] == quote
            index += multiLine ? 3 : 1
            while index < scalars.count {
                let c = scalars[index]
                try refuseControl(c)
                if c == "\\", quote == "\"" {
                    index += 1
                    if index < scalars.count {
                        try refuseControl(scalars[index])
                        if scalars[index] == "\n" { newLine() }
                    }
                    index += 1
                    continue
                }
                if c == "\n" {
                    if !multiLine { return }
                    newLine()
                    index += 1
                    continue
                }
                if c == quote {
                    if !multiLine {
                        index += 1
                        return
                    }
                    if index + 2 < scalars.count, scalars[index + 1] == quote, scalars[index + 2] == quote {
                        index += 3
                        return
                    }
                }
                index += 1
            }
        }

        /// At a `[` that opens a line outside a value: the key must start with a bare-key character or a quote.
        private func checkHeader() throws(ConfigError) {
            var i = index + 1
            if i < scalars.count, scalars[i] == "[" { i += 1 }
            while i < scalars.count, scalars[i] == " " || scalars[i] == "\t" { i += 1 }
            guard i < scalars.count else { return }
            let c = scalars[i]
            try refuseControl(c, at: i)
            let startsKey = c == "\"" || c == "'" || c == "]" || c == "_" || c == "-"
                || ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c)
            if !startsKey {
                throw fail("a table header must start with a key, saw \"\(c.escaped(asASCII: false))\"",
                           at: i)
            }
        }
    }
}
