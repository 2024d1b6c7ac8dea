import ArgumentParser
import FoundationEssentials
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

extension ForecastKind: ExpressibleByArgument {}

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
        var (network, samples, scale) = try kind.trainingSet(csvAt: data, seed: seed)
        guard samples.count >= 1 else { throw CommandFailure.badInput("\(data): too few rows to train on") }
        var trainer = NetworkTrainer(seed: seed &+ 1, learningRate: 3e-3)
        let started = ContinuousClock.now
        let first = try NetworkTrainer.loss(network, samples)
        let last = try trainer.train(&network, on: samples, epochs: epochs) { epoch, loss in
            if !quiet {
                StandardStreams.writeError(String(cFormat: "epoch %d/%d  loss %.6f  (%.1f s)\n", epoch, epochs, loss,
                                                  (ContinuousClock.now - started).inSeconds))
            }
        }
        let bytes = try network.serialized()
        try Data(bytes).write(to: URL(fileURLWithPath: out))
        let info = ForecastModelInfo(kind: kind.rawValue, scaleWh: scale, sha256: Digest.of(bytes).description, samples: samples.count,
                                     finalLoss: last)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(info).write(to: URL(fileURLWithPath: out + ".json"))
        print("\(kind.rawValue) model on \(samples.count) samples: " + String(cFormat: "loss %.6f → %.6f", first, last)
              + "; \(out) (\(bytes.count) bytes), sha256 \(info.sha256)")
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
        guard let kind = ForecastKind(rawValue: info.kind) else { throw CommandFailure.badInput("\(model).json: unknown kind \(info.kind)") }
        for line in try kind.predictions(of: network, scaleWh: info.scaleWh, csvAt: data) { print(line) }
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
        let lines = try kind.exampleCSV(seed: seed, agent: agent, count: count)
        try (lines.joined(separator: "\n") + "\n").write(toFile: out, atomically: true, encoding: .utf8)
        print("\(lines.count - 1) rows in \(out)")
    }
}
