import Foundation
import Testing
@testable import V2GOCPP

@Suite("JSON as stations send it")
struct JSONParserTests {
    /// Found by review: Foundation's decoder, asked for each JSON type in turn, took 50 s on 61 KB of nested
    /// arrays. The parser makes one pass and refuses nesting past 32 levels.
    @Test func deepNestingIsRefusedAtOnce() {
        let clock = ContinuousClock()
        let start = clock.now
        #expect(JSONValue(parsing: String(repeating: "[", count: 500) + String(repeating: "0,", count: 30_000) + "0"
                          + String(repeating: "]", count: 500)) == nil)
        #expect(JSONValue(parsing: String(repeating: "[", count: 33) + String(repeating: "]", count: 33)) == nil)
        #expect(JSONValue(parsing: String(repeating: "[", count: 32) + String(repeating: "]", count: 32)) != nil)
        #expect(clock.now - start < .seconds(2))
    }

    @Test(arguments: [
        (#"{"a":[1,-2.5e3,true,false,null,"x\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00"]}"#,
         JSONValue.object(["a": .array([.number(1), .number(-2500), .bool(true), .bool(false), .null,
                                        .string("x\"\\/\u{8}\u{c}\n\r\té😀")])])),
        (" [ ] ", .array([])), ("{}", .object([:])), ("0", .number(0)), (#""é""#, .string("é")),
        (#"{"k":1,"k":2}"#, .object(["k": .number(2)])),
    ])
    func validJSONParses(text: String, value: JSONValue) {
        #expect(JSONValue(parsing: text) == value)
    }

    @Test(arguments: ["", "[", "]", "[1,]", "{\"a\"}", "{\"a\":}", "01", "1.", ".5", "-", "1e", "+1", "tru", "nul",
                      "\"abc", "\"\\x\"", "\"\\ud800\"", "\"\\udc00\"", "\"a\u{1}b\"", "1e999", "[1] 2", "{'a':1}", "NaN"])
    func invalidJSONDoesNot(text: String) {
        #expect(JSONValue(parsing: text) == nil, "\(text)")
    }

    /// Against Foundation's parser on random documents: whatever both accept, they read the same.
    @Test func agreesWithFoundationOnRandomDocuments() throws {
        var rng = SystemRandomNumberGenerator()
        func random(_ depth: Int) -> Any {
            switch Int.random(in: 0..<(depth > 4 ? 4 : 6), using: &rng) {
            case 0: return Int.random(in: -1_000_000...1_000_000, using: &rng)
            case 1: return Double(Int.random(in: -100_000...100_000, using: &rng)) / 8
            case 2: return String((0..<Int.random(in: 0...8, using: &rng)).map { _ in "aZ09 é\"\\\n😀".randomElement(using: &rng)! })
            case 3: return Bool.random(using: &rng)
            case 4: return (0..<Int.random(in: 0...4, using: &rng)).map { _ in random(depth + 1) }
            default: return Dictionary(uniqueKeysWithValues: (0..<Int.random(in: 0...4, using: &rng)).map { ("k\($0)", random(depth + 1)) })
            }
        }
        func value(_ any: Any) -> JSONValue {
            switch any {
            case let b as Bool: .bool(b)
            case let n as NSNumber: .number(n.doubleValue)
            case let s as String: .string(s)
            case let a as [Any]: .array(a.map(value))
            case let o as [String: Any]: .object(o.mapValues(value))
            default: .null
            }
        }
        for _ in 0..<500 {
            let document = ["d": random(0)]
            let data = try JSONSerialization.data(withJSONObject: document)
            let text = String(decoding: data, as: UTF8.self)
            let reference = value(try JSONSerialization.jsonObject(with: data))
            #expect(JSONValue(parsing: text) == reference, "\(text)")
        }
    }
}
