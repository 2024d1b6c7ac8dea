import Foundation
import Testing
import V2GGateway
import V2GLedger

/// `[ocpp]` and the vehicles' placements in an EV gateway's config.
@Suite("OCPP config")
struct OCPPConfigTests {
    static let table = #"""
        [ocpp]
        listen = "0.0.0.0:9000"
        delivery_s = 600
        stations = [{ id = "ST1", password = "sixteen-chars-ok" }]
        """#
    static let placed = #"{ name = "car1", key_file = "car1.key", station = "ST1", evse = 2 }, { name = "car2", key_file = "car2.key" }"#

    /// An EV gateway config with `vehicles` and `ocpp` appended, its key files in `dir`.
    static func gateway(_ dir: ScratchDirectory, ocpp: String, vehicles: String = placed) throws -> String {
        let key = try SigningKey(), cs = try SigningKey()
        try KeyFile.write(key, to: dir.path("gw.key"))
        try KeyFile.write(try SigningKey(), to: dir.path("car1.key"))
        try KeyFile.write(try SigningKey(), to: dir.path("car2.key"))
        return [
            #"role = "ev""#, #"key_file = "gw.key""#, #"data_dir = "data""#,
            "[network]", #"listen = "tcp://127.0.0.1:*""#, "members = [\"\(cs.publicKey)\"]",
            "[ev]", "vehicles = [\(vehicles)]", ocpp,
        ].joined(separator: "\n")
    }

    @Test func anOCPPTableReadsIntoStationsPasswordsAndPlacements() throws {
        let dir = try ScratchDirectory()
        let (config, _) = try GatewayConfig.parse(toml: try Self.gateway(dir, ocpp: Self.table), base: dir.url.path)
        let ocpp = try #require(config.roles.ocpp)
        #expect(ocpp.host == "0.0.0.0" && ocpp.port == 9000 && ocpp.passwords == ["ST1": "sixteen-chars-ok"])
        #expect(ocpp.placements == ["car1": ChargerPlacement(station: "ST1", evse: 2)])
        #expect(ocpp.chargers.deliverySeconds == 600 && ocpp.chargers.sampleIntervalSeconds == 5)
        #expect(config.roles.ev?.vehicles.map(\.placement) == [ChargerPlacement(station: "ST1", evse: 2), nil])
    }

    @Test(arguments: [
        (table.replacingOccurrences(of: "sixteen-chars-ok", with: "short"), placed,
         "ocpp.stations[0].password: a station password is 16 to 40 characters"),
        (table.replacingOccurrences(of: #""ST1", password"#, with: #""ST 1", password"#), placed,
         "ocpp.stations[0].id: a station identity is 1 to 48"),
        (table, #"{ name = "car1", key_file = "car1.key", station = "ST9" }"#,
         #"ev.vehicles: car1 is placed at station "ST9", which ocpp.stations does not list"#),
        (table, #"{ name = "car1", key_file = "car1.key", station = "ST1" }, { name = "car2", key_file = "car2.key", station = "ST1" }"#,
         "ev.vehicles[1].station: two vehicles are placed at ST1/1"),
        ("", #"{ name = "car1", key_file = "car1.key", station = "ST1" }"#, "ev.vehicles: vehicles placed at stations need the [ocpp] table"),
        (table.replacingOccurrences(of: "0.0.0.0:9000", with: "9000"), placed, #"ocpp.listen: expected "HOST:PORT""#),
        (table + "\nsurprise = 1", placed, "ocpp.surprise: unknown key"),
    ])
    func aBadOCPPTableNamesItsKey(ocpp: String, vehicles: String, message: String) throws {
        let dir = try ScratchDirectory()
        let text = try Self.gateway(dir, ocpp: ocpp, vehicles: vehicles)
        #expect { try GatewayConfig.parse(toml: text, base: dir.url.path) } throws: { error in
            "\(error)".hasPrefix(message)
        }
    }

    @Test func aControlSystemMetersFromReportsWhenTheRoundsSaySo() throws {
        let dir = try ScratchDirectory()
        let (text, _, _) = try ConfigAndMetricsTests.controlSystem(dir)
        let (config, _) = try GatewayConfig.parse(toml: text + "\nmetering = \"reports\"\nmetering_wait_s = 900", base: dir.url.path)
        #expect(config.roles.rounds?.metering == .reports && config.roles.rounds?.meteringWaitSeconds == 900)
        #expect { try GatewayConfig.parse(toml: text + "\nmetering = \"guess\"", base: dir.url.path) } throws: { error in
            "\(error)".hasPrefix("rounds.metering: unknown metering \"guess\"")
        }
    }
}
