import ArgumentParser
import Foundation
import V2GKit
import V2GSim

/// `v2g bench forecast`: training and inference time of the [P] load LSTM and the trip-energy MLP on this CPU.
struct ForecastBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forecast",
        abstract: "Time a local training epoch over a day of 60 s periods ([P] LSTM 2 × 32) and inference, and the trip MLP.")

    @Option(help: "Repetitions; medians are reported.")
    var repetitions = 7
    @Option(help: "Where to write the JSON results.")
    var out = "bench/results/forecast.json"

    func run() throws {
        guard repetitions > 0 else { throw CommandFailure.badInput("--repetitions must be at least 1") }
        // The [P] LSTM on one prosumer's day: 1440 periods of 60 s, 1437 samples of 3 steps.
        let profiles = ProsumerProfiles.generated(seed: 1)
        let series = LoadSeries(profiles, agent: 0, periodSeconds: 60)
        let daySamples = series.samples(0..<series.count)
        var lstmEpoch: [Double] = [], lstmInfer: [Double] = []
        for r in 0..<repetitions {
            var net = try NeuralNetwork(LoadForecast.architecture, seed: UInt64(r))
            var trainer = NetworkTrainer(seed: UInt64(r))
            lstmEpoch.append(try ContinuousClock().measure { try trainer.train(&net, on: daySamples, epochs: 1) }.inSeconds)
            let n = 2000
            var predictor = NeuralNetwork.Predictor(net)
            lstmInfer.append(try ContinuousClock().measure { for i in 0..<n { _ = try predictor.predict(daySamples[i % daySamples.count].input) } }.inSeconds / Double(n))
        }
        // The trip MLP: 13 → 32 → 16 → 1 on 4000 trips.
        let trips = TripGenerator(seed: 1).trips(4000).map(TripEnergyForecast.sample)
        var mlpEpoch: [Double] = [], mlpInfer: [Double] = []
        for r in 0..<repetitions {
            var net = try NeuralNetwork(.mlp(inputs: 13, hidden: [32, 16], outputs: 1), seed: UInt64(r))
            var trainer = NetworkTrainer(seed: UInt64(r))
            mlpEpoch.append(try ContinuousClock().measure { try trainer.train(&net, on: trips, epochs: 1) }.inSeconds)
            let n = 20_000
            var predictor = NeuralNetwork.Predictor(net)
            mlpInfer.append(try ContinuousClock().measure { for i in 0..<n { _ = try predictor.predict(trips[i % trips.count].input) } }.inSeconds / Double(n))
        }
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let peakMiB = Double(usage.ru_maxrss) / 1024
        let lstmParams = try NeuralNetwork(LoadForecast.architecture, seed: 0).parameters.count
        let result: [String: Any] = [
            "benchmark": "forecast", "repetitions": repetitions,
            "note": "Swift API (v2g_nn_gradient + v2g_adam_update per batch of 32; v2g_nn_forward per prediction through a Predictor that keeps its workspace), medians, one core",
            "lstm": [
                "architecture": "LSTM 3 inputs, 2 x 32, 2 outputs, 3 steps", "parameters": lstmParams, "samplesPerEpoch": daySamples.count,
                "epochS": lstmEpoch.median(), "trainUsPerSample": lstmEpoch.median() / Double(daySamples.count) * 1e6,
                "inferenceUs": lstmInfer.median() * 1e6, "goalEpochS": 1.0, "goalInferenceUs": 50.0,
            ] as [String: Any],
            "tripMLP": [
                "architecture": "MLP 13 -> 32 -> 16 -> 1", "samplesPerEpoch": trips.count, "epochS": mlpEpoch.median(),
                "trainUsPerSample": mlpEpoch.median() / Double(trips.count) * 1e6, "inferenceUs": mlpInfer.median() * 1e6,
            ] as [String: Any],
            "peakRSSMiB": peakMiB,
        ]
        print(String(format: "LSTM [P] (%d parameters): one epoch over a day (%d samples) %.3f s (%.1f µs/sample), inference %.1f µs",
                     lstmParams, daySamples.count, lstmEpoch.median(), lstmEpoch.median() / Double(daySamples.count) * 1e6,
                     lstmInfer.median() * 1e6))
        print(String(format: "trip MLP: one epoch over %d trips %.3f s (%.1f µs/sample), inference %.2f µs", trips.count,
                     mlpEpoch.median(), mlpEpoch.median() / Double(trips.count) * 1e6, mlpInfer.median() * 1e6))
        print(String(format: "peak resident memory %.1f MiB; goals: epoch under 1 s, inference under 50 µs", peakMiB))
        try BenchResults.write(result, to: out)
    }
}
