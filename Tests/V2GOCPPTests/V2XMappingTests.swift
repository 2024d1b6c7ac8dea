import Testing
@testable import V2GOCPP

@Suite("From chargers' messages to offers, setpoints and metering")
struct V2XMappingTests {
    static let start: Int64 = 1_796_000_000   // 2026-11-30T…Z

    @Test func aV2XVehicleOffersWhatItHoldsAboveItsMinimumCappedByPowerAndDeparture() throws {
        let payload = try #require(JSONValue(parsing: """
            {"evseId":1,"chargingNeeds":{"requestedEnergyTransfer":"AC_BPT","departureTime":"\(RFC3339.string(Self.start + 1800))",
             "v2xChargingParameters":{"evMinV2XEnergyRequest":-12000,"evMaxV2XEnergyRequest":8000,"maxDischargePower":7400}}}
            """))
        #expect(OCPPSchemas.schema("NotifyEVChargingNeeds", version: .v21)?.violation(of: payload) == nil)
        let needs = VehicleNeeds(notifyEVChargingNeeds: payload)
        #expect(needs.dischargeableWh == 12000 && needs.chargeableWh == 8000 && needs.maxDischargeW == 7400)
        #expect(needs.departure == Self.start + 1800)
        #expect(needs.offerWh(from: Self.start, to: Self.start + 7200) == 3700)   // 7.4 kW for the half hour it stays
        #expect(needs.offerWh(from: Self.start - 7200, to: Self.start + 7200) == 12000)   // what it holds
        #expect(needs.offerWh(from: Self.start + 1800, to: Self.start + 7200) == 0)    // gone by then
    }

    @Test func aVehicleBelowItsV2XRangeOrACharge201OneGivesNothing() throws {
        let below = VehicleNeeds(notifyEVChargingNeeds: try #require(JSONValue(parsing:
            #"{"evseId":1,"chargingNeeds":{"requestedEnergyTransfer":"DC_BPT","v2xChargingParameters":{"evMinV2XEnergyRequest":500,"maxDischargePower":10000}}}"#)))
        #expect(below.dischargeableWh == 0 && below.offerWh(from: 0, to: 3600) == 0)
        // Per-phase powers: the plain field is phase L1's, and the vehicle's power is the sum.
        let threePhase = VehicleNeeds(notifyEVChargingNeeds: try #require(JSONValue(parsing:
            #"{"evseId":1,"chargingNeeds":{"requestedEnergyTransfer":"AC_BPT","v2xChargingParameters":{"evMinV2XEnergyRequest":-9000,"maxDischargePower":3700,"maxDischargePower_L2":3700,"maxDischargePower_L3":3700}}}"#)))
        #expect(threePhase.maxDischargeW == 11100)
        let ac201 = try #require(JSONValue(parsing:
            #"{"evseId":2,"chargingNeeds":{"requestedEnergyTransfer":"AC_three_phase","acChargingParameters":{"energyAmount":20000,"evMinCurrent":6,"evMaxCurrent":16,"evMaxVoltage":400}}}"#))
        #expect(OCPPSchemas.schema("NotifyEVChargingNeeds", version: .v201)?.violation(of: ac201) == nil)
        let charge = VehicleNeeds(notifyEVChargingNeeds: ac201)
        #expect(charge.dischargeableWh == 0 && charge.chargeableWh == 20000 && charge.maxDischargeW == 0 && charge.departure == nil)
    }

    @Test func profilesPassTheirSchemasAndCarryTheSetpoint() throws {
        let watts = ChargingProfiles.power(energyWh: 2000, seconds: 900, maxW: 11000)
        #expect(watts == 8000)
        #expect(ChargingProfiles.power(energyWh: 5000, seconds: 900, maxW: 11000) == 11000)   // capped
        #expect(ChargingProfiles.power(energyWh: .max, seconds: 1, maxW: 7) == 7)              // no overflow
        #expect(ChargingProfiles.power(energyWh: 1, seconds: 3600, maxW: 7) == 1)
        #expect(ChargingProfiles.power(energyWh: 2_562_047_788_015_215, seconds: 4000, maxW: 7) == 7)   // found by review: trapped
        let discharge = ChargingProfiles.discharge(evse: 1, transaction: "T-1", profile: 42, watts: watts, start: Self.start, seconds: 900)
        #expect(OCPPSchemas.schema("SetChargingProfile", version: .v21)?.violation(of: discharge) == nil)
        let period = discharge["chargingProfile"]?["chargingSchedule"]?.array?.first?["chargingSchedulePeriod"]?.array?.first
        #expect(period == .object(["startPeriod": .number(0), "operationMode": .string("CentralSetpoint"), "setpoint": .number(-8000)]))
        let limit = ChargingProfiles.chargeLimit(evse: 2, transaction: "T-2", profile: 43, watts: 3000, start: Self.start, seconds: 900)
        for version in OCPPVersion.allCases {
            #expect(OCPPSchemas.schema("SetChargingProfile", version: version)?.violation(of: limit) == nil, "\(version)")
        }
        // 2.0.1 has no setpoints: a discharge profile breaks its schema (the session would not send it).
        #expect(OCPPSchemas.schema("SetChargingProfile", version: .v201)?.violation(of: discharge) != nil)
    }

    static func sample(_ at: Int64, _ value: Double, _ measurand: String? = "Energy.Active.Export.Register", unit: String? = nil,
                       multiplier: Int? = nil) -> JSONValue {
        var sv: [String: JSONValue] = ["value": .number(value)]
        if let measurand { sv["measurand"] = .string(measurand) }
        if unit != nil || multiplier != nil {
            var u: [String: JSONValue] = [:]
            if let unit { u["unit"] = .string(unit) }
            if let multiplier { u["multiplier"] = .number(Double(multiplier)) }
            sv["unitOfMeasure"] = .object(u)
        }
        return .object(["timestamp": .string(RFC3339.string(at)), "sampledValue": .array([.object(sv)])])
    }

    @Test func theEnergyMovedInAnIntervalComesFromTheRegisterAroundIt() {
        let s = Self.start
        let values = [Self.sample(s - 60, 1000), Self.sample(s + 300, 1.5, unit: "kWh"), Self.sample(s + 600, 2.0, unit: "kWh"),
                      Self.sample(s + 900, 25, multiplier: 2), Self.sample(s + 900, 99999, nil)]   // import register: not this one
        let register = EnergyRegister(values, measurand: .export)
        #expect(register.readings.map(\.wh) == [1000, 1500, 2000, 2500])
        #expect(register.moved(from: s, to: s + 900, maxW: 11000) == .success(1500))
        #expect(register.moved(from: s, to: s + 901, maxW: 11000) == .failure(.notCovered))
        #expect(EnergyRegister(values, measurand: .import).readings.map(\.wh) == [99999])
        // A register that goes backwards, or jumps faster than the EVSE's power, measured nothing settleable.
        let backwards = EnergyRegister([Self.sample(s, 1000), Self.sample(s + 300, 900), Self.sample(s + 900, 2000)], measurand: .export)
        #expect(backwards.moved(from: s, to: s + 900, maxW: 11000) == .failure(.wentBackwards(at: s + 300)))
        let jump = EnergyRegister([Self.sample(s, 1000), Self.sample(s + 300, 50000), Self.sample(s + 900, 51000)], measurand: .export)
        #expect(jump.moved(from: s, to: s + 900, maxW: 11000) == .failure(.jumped(at: s + 300)))
        // Found by review: two readings of 1e308 kWh were both infinite, their step NaN passed both checks and
        // the conversion to Int64 trapped. Readings beyond 10¹⁵ Wh are not readings.
        let huge = EnergyRegister([Self.sample(s, 1e308, unit: "kWh"), Self.sample(s + 900, 1e308, unit: "kWh")], measurand: .export)
        #expect(huge.readings.isEmpty && huge.moved(from: s, to: s + 900, maxW: .max) == .failure(.notCovered))
        // Only the EVSE's total counts: a phase's value, or one measured at the EV, does not overwrite it.
        let phased: JSONValue = .object(["timestamp": .string(RFC3339.string(s + 900)), "sampledValue": .array([
            .object(["value": .number(2000), "measurand": .string("Energy.Active.Export.Register")]),
            .object(["value": .number(700), "measurand": .string("Energy.Active.Export.Register"), "phase": .string("L1")]),
            .object(["value": .number(9), "measurand": .string("Energy.Active.Export.Register"), "location": .string("EV")]),
        ])])
        #expect(EnergyRegister([Self.sample(s, 1000), phased], measurand: .export).moved(from: s, to: s + 900, maxW: 11000) == .success(1000))
    }
}
