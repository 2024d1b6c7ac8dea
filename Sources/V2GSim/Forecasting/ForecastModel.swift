import FoundationEssentials
import V2GKit

/// The two forecasts `v2g forecast` trains and runs on a user's CSV data: a prosumer's load ([P] LSTM 2 × 32 on the
/// 3 periods before) and a trip's energy ([T] Fig. 6.3, MLP 13 → 32 → 16 → 1).
public enum ForecastKind: String, CaseIterable, Sendable {
    case load, trip

    /// A fresh network of this kind and its training samples from the CSV at `path`, with the scale that maps
    /// watt-hours to the network's range (the largest load in the data; a fixed one for trips).
    public func trainingSet(csvAt path: String, seed: UInt64) throws -> (network: NeuralNetwork, samples: [TrainingSample], scaleWh: Double) {
        switch self {
        case .load:
            let csv = try NumberCSV.read(path, required: ForecastData.loadColumns)
            let scale = max(1, (csv.column("consumption_wh")! + csv.column("production_wh")!).max() ?? 1)
            return (try NeuralNetwork(LoadForecast.architecture, seed: seed), ForecastData.loadSamples(csv, scaleWh: scale).map(\.sample), scale)
        case .trip:
            let csv = try NumberCSV.read(path, required: ForecastData.tripColumns + ["energy_wh"])
            return (try NeuralNetwork(.mlp(inputs: 13, hidden: [32, 16], outputs: 1), seed: seed),
                    try ForecastData.trips(csv).map(TripEnergyForecast.sample), TripEnergyForecast.scaleWh)
        }
    }

    /// The network's predictions for every row of the CSV at `path`, as CSV lines, header first; every row is
    /// checked before the first prediction.
    public func predictions(of network: NeuralNetwork, scaleWh: Double, csvAt path: String) throws -> [String] {
        switch self {
        case .load:
            let csv = try NumberCSV.read(path, required: ForecastData.loadColumns)
            let c = csv.column("consumption_wh")!, p = csv.column("production_wh")!
            var lines = ["time_s,predicted_consumption_wh,predicted_production_wh"]
            for (i, (sample, time)) in ForecastData.loadSamples(csv, scaleWh: scaleWh).enumerated() {
                // The LSTM predicts the change from the period before.
                let y = try network.predict(sample.input), t = i + LoadForecast.lookback
                lines.append(String(cFormat: "%.0f,%.1f,%.1f", time, max(0, c[t - 1] + y[0] * scaleWh), max(0, p[t - 1] + y[1] * scaleWh)))
            }
            return lines
        case .trip:
            let csv = try NumberCSV.read(path, required: ForecastData.tripColumns, optional: ["energy_wh"])
            let trips = try ForecastData.trips(csv)
            return try ["row,predicted_energy_wh"] + trips.enumerated().map { i, trip in
                String(cFormat: "%d,%.1f", i + 1, max(0, try network.predict(trip.features)[0]) * scaleWh)
            }
        }
    }

    /// Generated data in this kind's CSV format, header first: one prosumer's day of 60 s periods (`agent` 0...4)
    /// for load, `count` generated trips for trip.
    public func exampleCSV(seed: UInt64, agent: Int = 0, count: Int = 2000) throws(ForecastDataError) -> [String] {
        switch self {
        case .load:
            let profiles = ProsumerProfiles.generated(seed: seed)
            guard profiles.agents.indices.contains(agent) else { throw ForecastDataError("agent \(agent): the generated day has agents 0...\(profiles.agents.count - 1)") }
            let s = LoadSeries(profiles, agent: agent, periodSeconds: 60)
            return [ForecastData.loadColumns.joined(separator: ",")]
                + (0..<s.count).map { "\($0 * 60),\(s.consumptionWh[$0]),\(s.productionWh[$0])" }
        case .trip:
            guard count > 0 else { throw ForecastDataError("trip count \(count): it must be at least 1") }
            return [(ForecastData.tripColumns + ["energy_wh"]).joined(separator: ",")] + TripGenerator(seed: seed).trips(count).map { t in
                [t.startHour, Double(t.weekday), t.temperatureC, t.rainfallMmPerHour, t.humidityPercent, t.windSpeedMps,
                 t.latitude, t.longitude, Double(t.gender), Double(t.age), t.durationMinutes, Double(t.model), t.evAgeYears,
                 t.energyWh].map { String(cFormat: "%.4f", $0) }.joined(separator: ",")
            }
        }
    }
}
