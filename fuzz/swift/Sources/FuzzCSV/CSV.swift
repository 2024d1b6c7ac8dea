import V2GSim

/// The forecast CSV readers: a load and a trip CSV, then their training data; errors, never traps.
@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    if let load = try? NumberCSV.parse(text, source: "fuzz", required: ForecastData.loadColumns) {
        _ = ForecastData.loadSamples(load, scaleWh: 1000)
    }
    if let trips = try? NumberCSV.parse(text, source: "fuzz", required: ForecastData.tripColumns, optional: ["energy_wh"]) {
        _ = try? ForecastData.trips(trips)
    }
    return 0
}
