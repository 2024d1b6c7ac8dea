import ArgumentParser
import Foundation
import V2GKit
import V2GLedger
import V2GSim

/// `v2g forecast`: train and run the forecasting networks on a user's own CSV data.
struct ForecastCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forecast",
        abstract: "Train and run the load (LSTM) and trip-energy (MLP) forecasts on CSV data.",
        discussion: """
            load CSV: time_s,consumption_wh,production_wh — one prosumer, one row per matching period; the LSTM \
            predicts each period's consumption and production from the 3 before it. trip CSV: \
            start_hour,weekday,temperature_c,rainfall_mm_per_h,humidity_percent,wind_speed_mps,latitude,longitude,\
            gender,age,duration_min,ev_model,ev_age_years,energy_wh — the 13 features of [T] Fig. 6.3 and the \
            energy (energy_wh may be absent for predict). `v2g forecast example` writes generated data in either format.
            """,
        subcommands: [ForecastTrain.self, ForecastPredict.self, ForecastExample.self])
}

enum ForecastKind: String, ExpressibleByArgument, CaseIterable { case load, trip }


struct ForecastTrain: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "train", abstract: "Train a model on a CSV and write it.")

    @Option(help: "load (LSTM 2 × 32) or trip (MLP 13 → 32 → 16 → 1).")
    var kind: ForecastKind
    @Option(help: "The training data (CSV).")
    var data: String
    @Option(help: "Where to write the model; its description goes to FILE.json.")
    var out: String
    @Option(help: "Epochs.")
    var epochs = 30
    @Option(help: "Seed for the initial weights and the shuffling.")
    var seed: UInt64 = 1
    @Flag(help: "No per-epoch progress.")
    var quiet = false

    func run() throws {
        guard epochs > 0 else { throw CommandFailure.badInput("--epochs must be at least 1") }
        var network: NeuralNetwork
        var samples: [TrainingSample]
        var scale = 1.0
        switch kind {
        case .load:
            let csv = try NumberCSV.read(data, required: ForecastData.loadColumns)
            scale = max(1, (csv.column("consumption_wh")! + csv.column("production_wh")!).max() ?? 1)
            samples = ForecastData.loadSamples(csv, scaleWh: scale).map(\.sample)
            network = try NeuralNetwork(LoadForecast.architecture, seed: seed)
        case .trip:
            let csv = try NumberCSV.read(data, required: ForecastData.tripColumns + ["energy_wh"])
            scale = TripEnergyForecast.scaleWh
            samples = try ForecastData.trips(csv).map(TripEnergyForecast.sample)
            network = try NeuralNetwork(.mlp(inputs: 13, hidden: [32, 16], outputs: 1), seed: seed)
        }
        guard samples.count >= 1 else { throw CommandFailure.badInput("\(data): too few rows to train on") }
        var trainer = NetworkTrainer(seed: seed &+ 1, learningRate: 3e-3)
        let started = Date()
        let first = try NetworkTrainer.loss(network, samples)
        let last = try trainer.train(&network, on: samples, epochs: epochs) { epoch, loss in
            if !quiet {
                FileHandle.standardError.write(Data(String(format: "epoch %d/%d  loss %.6f  (%.1f s)\n", epoch, epochs, loss,
                                                           Date().timeIntervalSince(started)).utf8))
            }
        }
        let bytes = try network.serialized()
        try Data(bytes).write(to: URL(fileURLWithPath: out))
        let info = ForecastModelInfo(kind: kind.rawValue, scaleWh: scale, sha256: Digest.of(bytes).description, samples: samples.count,
                                     finalLoss: last)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(info).write(to: URL(fileURLWithPath: out + ".json"))
        print(String(format: "%@ model on %d samples: loss %.6f → %.6f; %@ (%d bytes), sha256 %@", kind.rawValue, samples.count,
                     first, last, out, bytes.count, info.sha256))
    }
}

struct ForecastPredict: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "predict", abstract: "Predict with a trained model; CSV on standard output.")

    @Option(help: "The model written by `v2g forecast train` (its FILE.json beside it).")
    var model: String
    @Option(help: "The data (CSV, as for training).")
    var data: String

    func run() throws {
        guard let bytes = FileManager.default.contents(atPath: model) else { throw CommandFailure.badInput("cannot read \(model)") }
        guard let infoData = FileManager.default.contents(atPath: model + ".json"),
              let info = try? JSONDecoder().decode(ForecastModelInfo.self, from: infoData) else {
            throw CommandFailure.badInput("cannot read \(model).json (written by v2g forecast train)")
        }
        let network: NeuralNetwork
        do { network = try NeuralNetwork(serialized: Array(bytes)) } catch { throw CommandFailure.badInput("\(model): \(error.message)") }
        guard Digest.of(Array(bytes)).description == info.sha256 else {
            throw CommandFailure.badInput("\(model): its SHA-256 is not the one \(model).json records")
        }
        switch info.kind {
        case "load":
            let csv = try NumberCSV.read(data, required: ForecastData.loadColumns)
            print("time_s,predicted_consumption_wh,predicted_production_wh")
            let c = csv.column("consumption_wh")!, p = csv.column("production_wh")!
            for (i, (sample, time)) in ForecastData.loadSamples(csv, scaleWh: info.scaleWh).enumerated() {
                let y = try network.predict(sample.input)
                let t = i + LoadForecast.lookback
                print(String(format: "%.0f,%.1f,%.1f", time, max(0, c[t - 1] + y[0] * info.scaleWh), max(0, p[t - 1] + y[1] * info.scaleWh)))
            }
        default:
            let csv = try NumberCSV.read(data, required: ForecastData.tripColumns, optional: ["energy_wh"])
            let trips = try ForecastData.trips(csv)   // every row checked before anything is printed
            print("row,predicted_energy_wh")
            for (i, trip) in trips.enumerated() {
                print(String(format: "%d,%.1f", i + 1, max(0, try network.predict(trip.features)[0]) * info.scaleWh))
            }
        }
    }
}

struct ForecastExample: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "example", abstract: "Write generated data in a forecast CSV format.")

    @Option(help: "load (one generated prosumer day, 60 s periods) or trip (generated trips).")
    var kind: ForecastKind
    @Option(help: "Trips to generate (trip only).")
    var count = 2000
    @Option(help: "Seed.")
    var seed: UInt64 = 1
    @Option(help: "Prosumer of the generated day (load only): 0-4.")
    var agent = 0
    @Option(help: "Where to write the CSV.")
    var out: String

    func run() throws {
        var lines: [String]
        switch kind {
        case .load:
            let profiles = ProsumerProfiles.generated(seed: seed)
            guard profiles.agents.indices.contains(agent) else { throw CommandFailure.badInput("--agent must be 0...\(profiles.agents.count - 1)") }
            let s = LoadSeries(profiles, agent: agent, periodSeconds: 60)
            lines = [ForecastData.loadColumns.joined(separator: ",")]
            lines += (0..<s.count).map { "\($0 * 60),\(s.consumptionWh[$0]),\(s.productionWh[$0])" }
        case .trip:
            guard count > 0 else { throw CommandFailure.badInput("--count must be at least 1") }
            lines = [(ForecastData.tripColumns + ["energy_wh"]).joined(separator: ",")]
            lines += TripGenerator(seed: seed).trips(count).map { t in
                [t.startHour, Double(t.weekday), t.temperatureC, t.rainfallMmPerHour, t.humidityPercent, t.windSpeedMps,
                 t.latitude, t.longitude, Double(t.gender), Double(t.age), t.durationMinutes, Double(t.model), t.evAgeYears,
                 t.energyWh].map { String(format: "%.4f", $0) }.joined(separator: ",")
            }
        }
        try (lines.joined(separator: "\n") + "\n").write(toFile: out, atomically: true, encoding: .utf8)
        print("\(lines.count - 1) rows in \(out)")
    }
}
