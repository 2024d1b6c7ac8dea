internal import CV2G

/// A regression sample: the input (`steps × inputs` values, row by row) and the target outputs.
public struct TrainingSample: Hashable, Sendable {
    public var input: [Double]
    public var target: [Double]
    public init(input: [Double], target: [Double]) {
        self.input = input
        self.target = target
    }
}

/// Adam on mean squared error over mini-batches, with the optimiser's moments kept between calls (a fog node
/// trains its local copy a little each period).
public struct NetworkTrainer: Sendable {
    public var learningRate = 1e-3
    public var beta1 = 0.9
    public var beta2 = 0.999
    public var epsilon = 1e-8
    public var batchSize = 32
    /// Shuffles the samples each epoch.
    public var seed: UInt64
    private var m: [Double] = []
    private var v: [Double] = []
    private var step: Int64 = 0
    private var rng: SplitMix64

    public init(seed: UInt64, learningRate: Double = 1e-3, batchSize: Int = 32) {
        self.seed = seed
        self.learningRate = learningRate
        self.batchSize = batchSize
        rng = SplitMix64(seed: seed)
    }

    /// Forgets the optimiser's moments (a model replaced by the global one starts afresh).
    public mutating func reset() {
        m = []
        v = []
        step = 0
    }

    /// Mean loss of `network` over `samples`.
    public static func loss(_ network: NeuralNetwork, _ samples: [TrainingSample]) throws(V2GError) -> Double {
        guard !samples.isEmpty else { return 0 }
        var total = 0.0
        var predictor = NeuralNetwork.Predictor(network)
        for s in samples {
            let y = try predictor.predict(s.input)
            total += zip(y, s.target).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / Double(y.count)
        }
        return total / Double(samples.count)
    }

    /// Trains for `epochs` epochs; `progress(epoch, mean loss over the epoch)` after each. Returns the last
    /// epoch's mean loss.
    @discardableResult
    public mutating func train(_ network: inout NeuralNetwork, on samples: [TrainingSample], epochs: Int,
                               progress: (Int, Double) -> Void = { _, _ in }) throws(V2GError) -> Double {
        guard !samples.isEmpty, epochs > 0 else { return 0 }
        var shape = network.architecture.shape
        let steps = try NeuralNetwork.steps(of: samples[0].input, network.architecture)
        var workspace = [UInt8](repeating: 0, count: try NeuralNetwork.workspaceSize(shape, steps: steps))
        let count = network.parameters.count
        if m.count != count {
            m = [Double](repeating: 0, count: count)
            v = m
            step = 0
        }
        var grad = [Double](repeating: 0, count: count)
        var order = Array(samples.indices)
        var last = 0.0
        for epoch in 1...epochs {
            order.shuffle(using: &rng)
            var epochLoss = 0.0
            var start = 0
            while start < order.count {
                let batch = order[start..<min(start + max(1, batchSize), order.count)]
                for i in grad.indices { grad[i] = 0 }
                for i in batch {
                    let s = samples[i]
                    guard s.input.count == steps * network.architecture.inputs, s.target.count == network.architecture.outputs else {
                        throw V2GError(code: .invalid, message: "sample \(i) does not fit the network")
                    }
                    var loss = 0.0
                    try check(v2g_nn_gradient(&shape, network.parameters, count, s.input, Int32(steps), s.target, &loss, nil,
                                              &grad, &workspace, workspace.count), "computing the gradient of sample \(i)")
                    epochLoss += loss
                }
                let scale = 1 / Double(batch.count)
                for i in grad.indices { grad[i] *= scale }
                var adam = v2g_adam(learning_rate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon, step: step)
                try check(v2g_adam_update(&adam, &network.parameters, grad, &m, &v, count), "updating the parameters")
                step = adam.step
                start += batch.count
            }
            last = epochLoss / Double(samples.count)
            progress(epoch, last)
        }
        return last
    }
}
