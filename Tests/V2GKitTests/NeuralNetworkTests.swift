import Foundation
import Testing
import V2GKit

/// The Swift layer over v2g_nn.h; the C tests check gradients against finite differences.
@Suite("Neural networks: Swift API")
struct NeuralNetworkTests {
    static let lstm = NeuralNetwork.Architecture.lstm(inputs: 3, layers: [8, 8], outputs: 2)
    static let mlp = NeuralNetwork.Architecture.mlp(inputs: 4, hidden: [8], outputs: 1)

    @Test func bytesRoundTripAndTheDigestInputChangesWithAnyWeight() throws {
        for architecture in [Self.lstm, Self.mlp] {
            let net = try NeuralNetwork(architecture, seed: 9)
            let bytes = try net.serialized()
            let back = try NeuralNetwork(serialized: bytes)
            #expect(back == net)
            #expect(back.parameters.map(\.bitPattern) == net.parameters.map(\.bitPattern))
            var changed = net
            changed.parameters[changed.parameters.count / 2] = changed.parameters[changed.parameters.count / 2].nextUp
            #expect(try changed.serialized() != bytes)
            #expect(throws: V2GError.self) { try NeuralNetwork(serialized: Array(bytes.dropLast())) }
        }
    }

    @Test func theSameSeedDrawsTheSameModel() throws {
        #expect(try NeuralNetwork(Self.lstm, seed: 3) == NeuralNetwork(Self.lstm, seed: 3))
        #expect(try NeuralNetwork(Self.lstm, seed: 3) != NeuralNetwork(Self.lstm, seed: 4))
    }

    @Test func averagingIdenticalModelsReturnsThatModelAndWeightsCount() throws {
        let a = try NeuralNetwork(Self.mlp, seed: 1), b = try NeuralNetwork(Self.mlp, seed: 2)
        #expect(try NeuralNetwork.average([a, a, a], weights: [1, 5, 2]) == a)
        let mix = try NeuralNetwork.average([a, b], weights: [1, 3])
        for i in a.parameters.indices {
            #expect(abs(mix.parameters[i] - (0.25 * a.parameters[i] + 0.75 * b.parameters[i])) < 1e-15)
        }
        #expect(throws: V2GError.self) { try NeuralNetwork.average([a, try NeuralNetwork(Self.lstm, seed: 1)], weights: [1, 1]) }
    }

    @Test func trainingLearnsASmoothFunctionAndTheSameSeedTrainsTheSameModel() throws {
        // y = sin(x0) + x1 * x2 − x3², on [−1, 1]⁴.
        var rng = SplitMix64(seed: 7)
        func u() -> Double { Double(rng.next() >> 11) / Double(1 << 53) * 2 - 1 }
        let samples = (0..<400).map { _ -> TrainingSample in
            let x = [u(), u(), u(), u()]
            return TrainingSample(input: x, target: [sin(x[0]) + x[1] * x[2] - x[3] * x[3]])
        }
        func trained() throws -> (NeuralNetwork, Double, Double) {
            var net = try NeuralNetwork(.mlp(inputs: 4, hidden: [16, 16], outputs: 1), seed: 5)
            var trainer = NetworkTrainer(seed: 5, learningRate: 1e-2)
            let before = try NetworkTrainer.loss(net, samples)
            try trainer.train(&net, on: samples, epochs: 150)
            return (net, before, try NetworkTrainer.loss(net, samples))
        }
        let (net, before, after) = try trained()
        #expect(after < 0.1 * before, "loss \(before) → \(after)")
        #expect(try trained().0 == net)
    }

    @Test func badInputIsRefused() throws {
        let net = try NeuralNetwork(Self.lstm, seed: 1)
        #expect(throws: V2GError.self) { try net.predict([1, 2]) }             // not whole steps
        #expect(throws: V2GError.self) { try net.predict([.nan, 0, 0]) }
        #expect(throws: V2GError.self) { try NeuralNetwork(Self.lstm, parameters: [1, 2, 3]) }
        #expect(throws: V2GError.self) { try NeuralNetwork(.mlp(inputs: 0, hidden: [], outputs: 1), seed: 1) }
        #expect(throws: V2GError.self) { try NeuralNetwork(.mlp(inputs: 4, hidden: [8], outputs: 1), seed: 1).predict([1, 2, 3, 4, 5, 6, 7, 8]) }
    }
}

@Suite("Neural networks: the reusable predictor")
struct PredictorTests {
    /// The predictor that keeps its workspace gives the same bits as one-off predictions, whatever came before.
    @Test func equalsOneOffPredictions() throws {
        let net = try NeuralNetwork(.lstm(inputs: 3, layers: [8, 8], outputs: 2), seed: 4)
        var predictor = NeuralNetwork.Predictor(net)
        var rng = SplitMix64(seed: 4)
        for steps in [3, 1, 5, 3] {
            let x = (0..<3 * steps).map { _ in Double(rng.next() >> 11) / Double(1 << 53) }
            #expect(try predictor.predict(x).map(\.bitPattern) == net.predict(x).map(\.bitPattern))
        }
    }
}
