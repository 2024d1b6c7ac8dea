import FoundationEssentials
import V2GKit

/// Training and inference time of the forecasting networks on this CPU (`v2g bench forecast`): the [P] load LSTM
/// over a day of 60 s periods, and the trip-energy MLP over 4,000 trips; medians over the repetitions.
public enum ForecastBenchmark {
    /// One network's medians.
    public struct Timing: Sendable {
        public var parameters: Int
        public var samplesPerEpoch: Int
        public var epochSeconds: Double
        public var inferenceSeconds: Double
        public var trainSecondsPerSample: Double { epochSeconds / Double(samplesPerEpoch) }
    }

    /// The LSTM's and the MLP's timings, each network trained one epoch and then asked for predictions
    /// (2,000 and 20,000) through a `Predictor` that keeps its workspace, `repetitions` times from fresh weights.
    public static func run(repetitions: Int) throws -> (lstm: Timing, mlp: Timing) {
        // The [P] LSTM on one prosumer's day: 1440 periods of 60 s, 1437 samples of 3 steps.
        let series = LoadSeries(ProsumerProfiles.generated(seed: 1), agent: 0, periodSeconds: 60)
        let lstm = try time(LoadForecast.architecture, series.samples(0..<series.count), predictions: 2000, repetitions: repetitions)
        let trips = TripGenerator(seed: 1).trips(4000).map(TripEnergyForecast.sample)
        let mlp = try time(.mlp(inputs: 13, hidden: [32, 16], outputs: 1), trips, predictions: 20_000, repetitions: repetitions)
        return (lstm, mlp)
    }

    private static func time(_ architecture: NeuralNetwork.Architecture, _ samples: [TrainingSample], predictions n: Int,
                             repetitions: Int) throws -> Timing {
        var epochs: [Double] = [], inferences: [Double] = []
        var parameters = 0
        for r in 0..<max(1, repetitions) {
            var net = try NeuralNetwork(architecture, seed: UInt64(r))
            parameters = net.parameters.count
            var trainer = NetworkTrainer(seed: UInt64(r))
            epochs.append(try ContinuousClock().measure { try trainer.train(&net, on: samples, epochs: 1) }.inSeconds)
            var predictor = NeuralNetwork.Predictor(net)
            inferences.append(try ContinuousClock().measure {
                for i in 0..<n { _ = try predictor.predict(samples[i % samples.count].input) }
            }.inSeconds / Double(n))
        }
        return Timing(parameters: parameters, samplesPerEpoch: samples.count, epochSeconds: epochs.median(),
                      inferenceSeconds: inferences.median())
    }
}
