import Foundation
import Testing
@testable import V2GSim

@Suite("Where a JSON text first goes wrong")
struct JSONSyntaxTests {
    @Test(arguments: [
        ("{}", nil),
        (" [1, -0.5e+3, \"a\\u00e9\\n\", true, false, null, {\"k\": []}] ", nil),
        ("{\"a\": 1,}", (1, 9, "expected a member name in quotes")),
        ("[1 2]", (1, 4, "expected ',' or ']'")),
        ("{\n  \"a\": tru\n}", (2, 11, "expected true")),
        ("[01]", (1, 3, "expected ',' or ']'")),
        ("[1.]", (1, 4, "expected a digit after the decimal point")),
        ("\"é\u{1}\"", (1, 3, "a control character inside a string")),
        ("[\"\\x\"]", (1, 4, "an unknown escape in a string")),
        ("[\"abc", (1, 6, "a string that never ends")),
        ("{} {}", (1, 4, "unexpected text after the JSON value")),
    ] as [(String, (Int, Int, String)?)])
    func findsTheFirstError(text: String, expected: (Int, Int, String)?) {
        let got = JSONSyntax.firstError(in: Array(text.utf8))
        guard let expected else {
            #expect(got == nil, "\(String(describing: got))")
            return
        }
        #expect(got?.line == expected.0 && got?.column == expected.1, "\(String(describing: got))")
        #expect(got?.message.hasPrefix(expected.2) == true, "\(String(describing: got))")
    }

    /// Nesting deeper than the bound is an error at the bound, not a stack overflow; and every text
    /// JSONSerialization accepts without extensions passes.
    @Test func deepNestingIsBoundedAndValidTextAgreesWithFoundation() throws {
        let deep = JSONSyntax.firstError(in: Array(String(repeating: "[", count: 100_000).utf8))
        #expect(deep?.column == JSONSyntax.maxDepth + 1 && deep?.message.hasPrefix("nested deeper") == true)
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let value: [String: Any] = ["n": Int.random(in: -1000...1000, using: &rng), "x": Double.random(in: -1...1, using: &rng),
                                        "s": String((0..<8).map { _ in Character(Unicode.Scalar(UInt8.random(in: 32...126, using: &rng))) }),
                                        "a": [1, 2, ["deep": [true, false]]]]
            let data = try JSONSerialization.data(withJSONObject: value)
            #expect(JSONSyntax.firstError(in: [UInt8](data)) == nil, "\(String(decoding: data, as: UTF8.self))")
        }
    }
}
