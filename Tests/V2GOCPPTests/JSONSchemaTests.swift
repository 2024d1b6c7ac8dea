import Foundation
import Testing
@testable import V2GOCPP

@Suite("OCPP payload schemas")
struct JSONSchemaTests {
    static let vectors = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Vectors")

    @Test func everySupportedActionHasBothSchemasInBothVersions() {
        #expect(OCPPSchemas.actions.count == 11)
        for action in OCPPSchemas.actions {
            for version in OCPPVersion.allCases {
                #expect(OCPPSchemas.schema(action, version: version) != nil, "\(action) request, \(version)")
                #expect(OCPPSchemas.schema(action, response: true, version: version) != nil, "\(action) response, \(version)")
            }
        }
        #expect(OCPPSchemas.schema("DataTransfer", version: .v21) == nil)
    }

    /// 1,056 payloads drawn from the schemas, half of them broken, labelled by python-jsonschema
    /// (Vectors/make_schema_cases.py): the gateway's validator agrees on every one.
    @Test func agreesWithTheReferenceValidator() throws {
        let text = try String(contentsOf: Self.vectors.appendingPathComponent("schema-cases.jsonl"), encoding: .utf8)
        var checked = 0, invalid = 0
        for line in text.split(separator: "\n") {
            let c = try #require(JSONValue(parsing: line))
            let version = try #require(c["version"]?.string.flatMap(OCPPVersion.init(rawValue:)))
            let name = try #require(c["schema"]?.string)
            let isResponse = name.hasSuffix("Response")
            let action = String(name.dropLast(isResponse ? 8 : 7))
            let schema = try #require(OCPPSchemas.schema(action, response: isResponse, version: version))
            let payload = try #require(c["payload"])
            let violation = schema.violation(of: payload)
            #expect((violation == nil) == (c["valid"] == .bool(true)), "\(version) \(name): \(violation?.description ?? "valid") — \(payload.text.prefix(300))")
            checked += 1
            if violation != nil { invalid += 1 }
        }
        #expect(checked == 1056 && invalid > 300)
    }

    @Test func aViolationNamesThePathAndTheErrorCode() throws {
        let schema = try #require(OCPPSchemas.schema("BootNotification", version: .v201))
        let good = JSONValue(parsing: #"{"reason":"PowerUp","chargingStation":{"model":"M","vendorName":"V"}}"#)!
        #expect(schema.violation(of: good) == nil)
        let cases: [(String, String, RPCErrorCode)] = [
            (#"{"reason":"PowerUp"}"#, "chargingStation: required, missing", .occurrenceConstraintViolation),
            (#"{"reason":"Sunrise","chargingStation":{"model":"M","vendorName":"V"}}"#, "reason: not one of", .propertyConstraintViolation),
            (#"{"reason":"PowerUp","chargingStation":{"model":7,"vendorName":"V"}}"#, "chargingStation.model: expected string, got number", .typeConstraintViolation),
            (#"{"reason":"PowerUp","chargingStation":{"model":"M","vendorName":"V","colour":"red"}}"#, "chargingStation.colour: not a property", .formatViolation),
            (#"{"reason":"PowerUp","chargingStation":{"model":"\#(String(repeating: "m", count: 21))","vendorName":"V"}}"#, "chargingStation.model: longer than 20", .propertyConstraintViolation),
        ]
        for (text, message, code) in cases {
            let v = try #require(schema.violation(of: JSONValue(parsing: text)!), "\(text)")
            #expect(v.description.hasPrefix(message) && v.code == code, "\(v)")
        }
    }

    @Test(arguments: [
        ("2026-11-30T22:58:52Z", true), ("2026-11-30T22:58:52.123+01:00", true), ("2026-11-30t22:58:52z", true),
        ("2026-11-30T22:58:52", false), ("2026-13-30T22:58:52Z", false), ("2026-11-30 22:58:52Z", false),
        ("2026-11-30T24:00:00Z", false), ("2026-11-30T22:58:52.Z", false), ("2026-11-30T22:58:52+0100", false), ("", false),
        ("2026-02-30T00:00:00Z", false), ("2024-02-29T00:00:00Z", true), ("2100-02-29T00:00:00Z", false), ("2000-02-29T00:00:00Z", true),
    ])
    func dateTimesAreRFC3339(text: String, valid: Bool) {
        #expect(JSONSchema.isDateTime(text) == valid)
    }

    /// One parser for the check and for reading: what passes is what is read, in the right second.
    @Test func dateTimesReadToTheRightSecond() {
        #expect(RFC3339.unixSeconds("1970-01-01T00:00:00Z") == 0)
        #expect(RFC3339.unixSeconds("2026-11-30T23:00:00Z") == 1_796_079_600)
        #expect(RFC3339.unixSeconds("2026-12-01T00:30:00+01:30") == 1_796_079_600)
        #expect(RFC3339.unixSeconds("2026-11-30t23:00:00.999z") == 1_796_079_600)
        #expect(RFC3339.unixSeconds("2024-02-29T12:00:00Z") == 1_709_208_000)
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let t = Int64.random(in: -2_000_000_000...4_000_000_000, using: &rng)
            #expect(RFC3339.unixSeconds(RFC3339.string(t)) == t)
        }
    }

    /// JSON Schema's maxLength counts code points: "é" written as e and a combining accent is two.
    @Test func maxLengthCountsCodePoints() throws {
        let schema = try #require(OCPPSchemas.schema("Authorize", version: .v201))
        let token = String(repeating: "e\u{301}", count: 19)   // 38 code points, 19 characters; the limit is 36
        #expect(schema.violation(of: .object(["idToken": .object(["idToken": .string(token), "type": .string("Central")])]))?.path == "idToken.idToken")
    }
}
