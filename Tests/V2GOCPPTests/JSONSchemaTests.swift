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
    ])
    func dateTimesAreRFC3339(text: String, valid: Bool) {
        #expect(JSONSchema.isDateTime(text) == valid)
    }
}
