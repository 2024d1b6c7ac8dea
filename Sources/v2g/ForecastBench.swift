import ArgumentParser
import FoundationEssentials
import V2GKit
import V2GSim
import Glibc

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
        let (lstm, mlp) = try ForecastBenchmark.run(repetitions: repetitions)
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let peakMiB = Double(usage.ru_maxrss) / 1024
        print(String(cFormat: "LSTM [P] (%d parameters): one epoch over a day (%d samples) %.3f s (%.1f µs/sample), inference %.1f µs",
                     lstm.parameters, lstm.samplesPerEpoch, lstm.epochSeconds, lstm.trainSecondsPerSample * 1e6, lstm.inferenceSeconds * 1e6))
        print(String(cFormat: "trip MLP: one epoch over %d trips %.3f s (%.1f µs/sample), inference %.2f µs", mlp.samplesPerEpoch,
                     mlp.epochSeconds, mlp.trainSecondsPerSample * 1e6, mlp.inferenceSeconds * 1e6))
        print(String(cFormat: "peak resident memory %.1f MiB; goals: epoch under 1 s, inference under 50 µs", peakMiB))
        try BenchResults.write([
            "benchmark": "forecast", "repetitions": repetitions,
            "note": "Swift API (v2g_nn_gradient + v2g_adam_update per batch of 32; v2g_nn_forward per prediction through a Predictor that keeps its workspace), medians, one core",
            "lstm": [
                "architecture": "LSTM 3 inputs, 2 x 32, 2 outputs, 3 steps", "parameters": lstm.parameters,
                "samplesPerEpoch": lstm.samplesPerEpoch, "epochS": lstm.epochSeconds, "trainUsPerSample": lstm.trainSecondsPerSample * 1e6,
                "inferenceUs": lstm.inferenceSeconds * 1e6, "goalEpochS": 1.0, "goalInferenceUs": 50.0,
            ] as [String: Any],
            "tripMLP": [
                "architecture": "MLP 13 -> 32 -> 16 -> 1", "samplesPerEpoch": mlp.samplesPerEpoch, "epochS": mlp.epochSeconds,
                "trainUsPerSample": mlp.trainSecondsPerSample * 1e6, "inferenceUs": mlp.inferenceSeconds * 1e6,
            ] as [String: Any],
            "peakRSSMiB": peakMiB,
        ], to: out)
    }
}
