/// What a vehicle at an EVSE said it needs and can give, read from its `NotifyEVChargingNeeds` (docs/ocpp.md,
/// "From charging needs to an offer"). Energies in Wh, power in W, times in Unix seconds.
public struct VehicleNeeds: Hashable, Sendable {
    /// The energy it may give for V2X: from its state of charge down to the minimum of its V2X range,
    /// `-evMinV2XEnergyRequest` when that is negative (2.1), else 0.
    public var dischargeableWh: Int64
    /// The energy it may take: up to the maximum of its V2X range (`evMaxV2XEnergyRequest`, 2.1), or the energy
    /// it requests (`acChargingParameters.energyAmount` / `dcChargingParameters.energyAmount`, 2.0.1).
    public var chargeableWh: Int64
    /// `maxDischargePower` (min of EV and EVSE), 0 if it cannot discharge.
    public var maxDischargeW: Int64
    /// `departureTime`, if it said.
    public var departure: Int64?

    /// Reads the `chargingNeeds` of a `NotifyEVChargingNeeds` payload that passed its schema; values are
    /// clamped to 0...10⁹ (a gigawatt-hour is no car).
    public init(notifyEVChargingNeeds payload: JSONValue) {
        let needs = payload["chargingNeeds"]
        let v2x = needs?["v2xChargingParameters"]
        func clamped(_ v: JSONValue?) -> Int64? {
            guard let n = v?.number, n.isFinite else { return nil }
            return Int64(max(0, min(n.rounded(.down), 1e9)))
        }
        dischargeableWh = v2x?["evMinV2XEnergyRequest"]?.number.flatMap { $0 < 0 ? clamped(.number(-$0)) : 0 } ?? 0
        chargeableWh = clamped(v2x?["evMaxV2XEnergyRequest"])
            ?? clamped(needs?["acChargingParameters"]?["energyAmount"])
            ?? clamped(needs?["dcChargingParameters"]?["energyAmount"]) ?? 0
        // With per-phase values the plain field is phase L1's (schema); the vehicle's power is their sum.
        let phases = ["maxDischargePower", "maxDischargePower_L2", "maxDischargePower_L3"].compactMap { clamped(v2x?[$0]) }
        maxDischargeW = phases.reduce(0, +)
        departure = needs?["departureTime"]?.string.flatMap(RFC3339.unixSeconds)
    }

    /// The energy it can give between `start` and its departure (or `end`, whichever is first): what it holds
    /// for V2X, capped by its discharge power over that time.
    public func offerWh(from start: Int64, to end: Int64) -> Int64 {
        let until = min(end, departure ?? end)
        guard until > start else { return 0 }
        let byPower = maxDischargeW.multipliedReportingOverflow(by: until - start)
        return byPower.overflow ? dischargeableWh : min(dischargeableWh, byPower.partialValue / 3600)
    }
}
