/// The `SetChargingProfile` requests that make an EVSE carry out an allocation (docs/ocpp.md, "From an allocation
/// to a setpoint"): a TxProfile for the vehicle's transaction covering exactly the allocation's interval.
public enum ChargingProfiles {
    /// The power that moves `energyWh` in `seconds`, in W, capped at `maxW` (and at least 1 W for any energy).
    public static func power(energyWh: Int64, seconds: Int64, maxW: Int64) -> Int64 {
        guard energyWh > 0, seconds > 0, maxW > 0 else { return 0 }
        let (product, overflow) = energyWh.multipliedReportingOverflow(by: 3600)
        let needed = overflow ? Int64.max : product / seconds + (product % seconds > 0 ? 1 : 0)
        return min(max(needed, 1), maxW)
    }

    /// OCPP 2.1: discharge at a central setpoint of `-watts` from `start` for `seconds` (Unix seconds).
    public static func discharge(evse: Int, transaction: String, profile: Int, watts: Int64, start: Int64, seconds: Int64) -> JSONValue {
        request(evse: evse, transaction: transaction, profile: profile, start: start, seconds: seconds,
                period: ["startPeriod": .number(0), "operationMode": .string("CentralSetpoint"),
                         "setpoint": .number(-Double(max(0, watts)))])
    }

    /// OCPP 2.0.1 (or a 2.1 station that only charges): charge at most `watts` from `start` for `seconds`, to
    /// absorb surplus.
    public static func chargeLimit(evse: Int, transaction: String, profile: Int, watts: Int64, start: Int64, seconds: Int64) -> JSONValue {
        request(evse: evse, transaction: transaction, profile: profile, start: start, seconds: seconds,
                period: ["startPeriod": .number(0), "limit": .number(Double(watts))])
    }

    private static func request(evse: Int, transaction: String, profile: Int, start: Int64, seconds: Int64,
                                period: [String: JSONValue]) -> JSONValue {
        .object([
            "evseId": .number(Double(evse)),
            "chargingProfile": .object([
                "id": .number(Double(profile)),
                "stackLevel": .number(1),
                "chargingProfilePurpose": .string("TxProfile"),
                "chargingProfileKind": .string("Absolute"),
                "transactionId": .string(transaction),
                "chargingSchedule": .array([.object([
                    "id": .number(Double(profile)),
                    "chargingRateUnit": .string("W"),
                    "startSchedule": .string(RFC3339.string(start)),
                    "duration": .number(Double(seconds)),
                    "chargingSchedulePeriod": .array([.object(period)]),
                ])]),
            ]),
        ])
    }
}
