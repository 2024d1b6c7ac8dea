import V2GOCPP

/// A text message from a charging station: the framing either refuses it (with an answer, or none for an unknown
/// message type) or parses it to a frame that prints back to a text parsing to the same frame; a CALL's payload
/// goes through its action's schema, and what the gateway would read from it (needs, meter values) never traps.
@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    for version in OCPPVersion.allCases {
        do {
            let frame = try RPCFrame(parsing: text, version: version)
            precondition((try? RPCFrame(parsing: frame.text, version: version)) == frame, "a frame does not print back to itself")
            if case let .call(_, action, payload) = frame, let schema = OCPPSchemas.schema(action, version: version) {
                let violation = schema.violation(of: payload)
                if violation == nil, action == "NotifyEVChargingNeeds" {
                    let needs = VehicleNeeds(notifyEVChargingNeeds: payload)
                    precondition(needs.offerWh(from: 0, to: 3600) <= needs.dischargeableWh, "an offer above what the vehicle holds")
                }
                if violation == nil, action == "MeterValues" || action == "TransactionEvent" {
                    let register = EnergyRegister(payload["meterValue"]?.array ?? [], measurand: .export)
                    _ = register.moved(from: 0, to: 1 << 40, maxW: 1 << 20)
                }
            }
        } catch {
            _ = error.reply?.text
        }
    }
    return 0
}
