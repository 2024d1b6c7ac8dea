import Testing
@testable import V2GGateway

/// The config's TOML reader against TOML 1.0.0: the spec's own examples for each kind of value and table, and
/// what the spec calls invalid, each refused with the line and column of the fault.
struct TOMLParserTests {
    private func parse(_ text: String) throws -> TOMLTable { try TOMLParser.parse(text) }

    @Test func stringsOfEveryKind() throws {
        let t = try parse(#"""
            basic = "I'm a string. \"You can quote me\". Name\tJos\u00E9\nLocation\tSF. \U0001F600"
            literal = 'C:\Users\nodejs\templates'
            empty = ""
            multi = """
            Roses are red
            Violets are blue"""
            folded = """\
                   The quick brown \
                   fox jumps over \
                   the lazy dog.\
                   """
            quotes = """Here are two quotation marks: "". Simple enough."""
            five = """Here are fifteen quotation marks: ""\"""\"""\"""\"""\"."""
            edge = """"This," she said, "is just a pointless statement.""""
            raw = '''
            The first newline is
            trimmed in raw strings.
            '''
            apostrophes = ''''That,' she said, 'is still pointless.''''
            """#)
        #expect(t["basic"] == .string("I'm a string. \"You can quote me\". Name\tJos\u{E9}\nLocation\tSF. \u{1F600}"))
        #expect(t["literal"] == .string(#"C:\Users\nodejs\templates"#))
        #expect(t["empty"] == .string(""))
        #expect(t["multi"] == .string("Roses are red\nViolets are blue"))
        #expect(t["folded"] == .string("The quick brown fox jumps over the lazy dog."))
        #expect(t["quotes"] == .string("Here are two quotation marks: \"\". Simple enough."))
        #expect(t["five"] == .string("Here are fifteen quotation marks: \"\"\"\"\"\"\"\"\"\"\"\"\"\"\"."))
        #expect(t["edge"] == .string("\"This,\" she said, \"is just a pointless statement.\""))
        #expect(t["raw"] == .string("The first newline is\ntrimmed in raw strings.\n"))
        #expect(t["apostrophes"] == .string("'That,' she said, 'is still pointless.'"))
    }

    @Test func numbersBooleansAndDates() throws {
        let t = try parse("""
            a = +99
            b = -17
            c = 0
            d = 1_000_000
            e = 0xDEAD_beef
            f = 0o755
            g = 0b1101_0110
            h = -9223372036854775808
            i = 3.1415
            j = -0.01
            k = 5e+22
            l = 6.626e-34
            m = 224_617.445_991_228
            n = -inf
            o = nan
            p = true
            q = false
            r = 1979-05-27T07:32:00Z
            s = 1979-05-27 00:32:00.999999-07:00
            u = 1979-05-27T07:32:00
            v = 1979-05-27
            w = 00:32:00.999999
            """)
        let expected: [(String, TOMLValue)] = [
            ("a", .integer(99)), ("b", .integer(-17)), ("c", .integer(0)), ("d", .integer(1_000_000)),
            ("e", .integer(0xDEADBEEF)), ("f", .integer(0o755)), ("g", .integer(0b1101_0110)), ("h", .integer(.min)),
            ("i", .float(3.1415)), ("j", .float(-0.01)), ("k", .float(5e22)), ("l", .float(6.626e-34)),
            ("m", .float(224_617.445_991_228)), ("n", .float(-.infinity)), ("p", .bool(true)), ("q", .bool(false)),
            ("r", .dateTime("1979-05-27T07:32:00Z")), ("s", .dateTime("1979-05-27 00:32:00.999999-07:00")),
            ("u", .dateTime("1979-05-27T07:32:00")), ("v", .dateTime("1979-05-27")), ("w", .dateTime("00:32:00.999999")),
        ]
        for (key, value) in expected { #expect(t[key] == value, "\(key)") }
        guard case .float(let nan) = t["o"] else { Issue.record("o is not a float"); return }
        #expect(nan.isNaN)
        #expect(t.keys == expected.map(\.0).prefix(14) + ["o"] + expected.map(\.0).dropFirst(14))
    }

    @Test func tablesArraysAndKeys() throws {
        let t = try parse("""
            # a comment
            "quoted key" = 1
            site."google.com" = true
            fruit.apple.color = "red"   # dotted keys make tables
            fruit.apple.taste.sweet = true
            points = [ { x = 1, y = 2 }, { x = 7, y = 8 } ,]
            nested = [ [ 1, 2 ], ["a", 'b'],
              # comments and line ends inside arrays
            ]

            [fruit.apple.texture]   # a sub-table of a table dotted keys made
            smooth = true

            [dog."tater.man"]
            type.name = "pug"

            [[products]]
            name = "Hammer"

            [[products]]

            [[products]]
            name = "Nail"
            [products.dimensions]
            mm = 3
            """)
        #expect(t["quoted key"] == .integer(1))
        #expect(t["site"] == .table(table(["google.com": .bool(true)])))
        let apple = table(["color": .string("red"), "taste": .table(table(["sweet": .bool(true)])),
                           "texture": .table(table(["smooth": .bool(true)]))])
        #expect(t["fruit"] == .table(table(["apple": .table(apple)])))
        #expect(t["points"] == .array([.table(table(["x": .integer(1), "y": .integer(2)])),
                                       .table(table(["x": .integer(7), "y": .integer(8)]))]))
        #expect(t["nested"] == .array([.array([.integer(1), .integer(2)]), .array([.string("a"), .string("b")])]))
        #expect(t["dog"] == .table(table(["tater.man": .table(table(["type": .table(table(["name": .string("pug")]))]))])))
        #expect(t["products"] == .array([
            .table(table(["name": .string("Hammer")])), .table(TOMLTable()),
            .table(table(["name": .string("Nail"), "dimensions": .table(table(["mm": .integer(3)]))])),
        ]))
    }

    @Test func windowsLineEndsAndAnEmptyDocument() throws {
        #expect(try parse("a = 1\r\nb = \"\"\"x\r\ny\"\"\"\r\n")["b"] == .string("x\ny"))
        #expect(try parse("").keys.isEmpty)
        #expect(try parse("\n# only a comment\n\n").keys.isEmpty)
    }

    /// What TOML 1.0.0 calls invalid, each with the position a person would look at.
    @Test(arguments: [
        ("a = 1\na = 2", "line 2, column 1: the key \"a\" is already defined"),
        ("[a]\n[a]", "line 2, column 2: the table \"a\" is already defined"),
        ("a.b = 1\n[a]", "line 2, column 2: the table \"a\" is already defined"),
        ("[fruit]\napple.color = 1\n[fruit.apple]", "line 3, column 2: the table \"fruit.apple\" is already defined"),
        ("[a.b]\nx = 1\n[a]\nb.y = 2", "line 4, column 1: \"b\" is already defined; dotted keys cannot add to it here"),
        ("a = {x = 1}\na.y = 2", "line 2, column 1: \"a\" is already defined; dotted keys cannot add to it here"),
        ("a = {x = 1}\n[a]", "line 2, column 2: the table \"a\" is already defined"),
        ("a = [1]\n[[a]]", "line 2, column 3: \"a\" is already defined and is not an array of tables"),
        ("[[a]]\n[a]", "line 2, column 2: the table \"a\" is already defined"),
        ("a = 1 b = 2", "line 1, column 7: expected the end of the line, found \"b\""),
        ("a = ", "line 1, column 5: expected a value, found the end of the file"),
        ("= 1", "line 1, column 1: expected a key, found \"=\""),
        ("a = \"open", "line 1, column 10: a string that never ends"),
        ("a = \"x\ny\"", "line 1, column 7: a string that does not end on its line"),
        ("a = \"\\q\"", "line 1, column 7: an unknown escape in a string"),
        ("a = \"\\uD800\"", "line 1, column 12: the escape names no Unicode scalar value"),
        ("a = 01", "line 1, column 5: leading zeros are not allowed in a number"),
        ("a = 1__0", "line 1, column 5: an underscore in a number must sit between two digits"),
        ("a = _1", "line 1, column 5: an underscore in a number must sit between two digits"),
        ("a = 1.", "line 1, column 5: not a valid number"),
        ("a = .5", "line 1, column 5: not a valid number"),
        ("a = +0x1", "line 1, column 5: a sign is not allowed on a hexadecimal, octal or binary integer"),
        ("a = 9223372036854775808", "line 1, column 5: an integer outside the 64-bit range"),
        ("a = 1e400", "line 1, column 5: a float outside the 64-bit range"),
        ("a = 1979-02-29", "line 1, column 5: not a valid date"),
        ("a = 24:00:00", "line 1, column 5: not a valid time"),
        ("a = { x = 1, }", "line 1, column 14: expected a key, found \"}\""),
        ("a = { x = 1\n}", "line 1, column 12: expected \",\" or \"}\" in the inline table (on one line), found the end of the line"),
        ("a = [1 2]", "line 1, column 8: expected \",\" or \"]\" in the array, found \"2\""),
        ("a = [1,", "line 1, column 8: an array that never ends"),
        ("a = 1\r", "line 1, column 6: a carriage return not followed by a line feed"),
        ("[a", "line 1, column 3: expected \"]\" to close the table header, found the end of the file"),
        ("[[a]", "line 1, column 5: expected \"]]\" to close the table header, found the end of the file"),
        ("\"\"\"k\"\"\" = 1", "line 1, column 1: a key cannot be a multi-line string"),
        ("a = tru", "line 1, column 5: expected a value, found \"t\""),
    ])
    func invalidDocumentsAreRefusedWithAPosition(text: String, message: String) {
        #expect { try TOMLParser.parse(text) } throws: { error in
            "\(error)" == message
        }
    }

    /// A hostile file cannot exhaust the stack: nesting and key length are bounded.
    @Test func nestingIsBounded() {
        let depth = TOMLParser.maxDepth
        #expect(throws: TOMLSyntaxError.self) { try TOMLParser.parse("a = " + String(repeating: "[", count: 100_000)) }
        #expect(throws: TOMLSyntaxError.self) { try TOMLParser.parse("a = " + String(repeating: "{b=", count: 100_000)) }
        #expect(throws: TOMLSyntaxError.self) { try TOMLParser.parse("[" + Array(repeating: "k", count: depth + 1).joined(separator: ".") + "]") }
        #expect(throws: Never.self) {
            try TOMLParser.parse("a = " + String(repeating: "[", count: depth) + String(repeating: "]", count: depth))
        }
    }

    private func table(_ pairs: KeyValuePairs<String, TOMLValue>) -> TOMLTable {
        var t = TOMLTable()
        for (k, v) in pairs { t[k] = v }
        return t
    }
}
