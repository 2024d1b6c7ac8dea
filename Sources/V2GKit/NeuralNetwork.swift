internal import CV2G

/// A small regression network of the C core (include/v2g/v2g_nn.h): an LSTM over short sequences or a
/// multi-layer perceptron, with its parameters as one flat array.
public struct NeuralNetwork: Hashable, Sendable {
    /// The architecture.
    public enum Architecture: Hashable, Sendable {
        /// Stacked LSTM layers of these widths over `inputs` features per step, then a linear output layer.
        case lstm(inputs: Int, layers: [Int], outputs: Int)
        /// Hidden tanh layers of these widths (none: linear regression), then a linear output layer.
        case mlp(inputs: Int, hidden: [Int], outputs: Int)

        public var inputs: Int {
            switch self { case .lstm(let i, _, _), .mlp(let i, _, _): return i }
        }
        public var outputs: Int {
            switch self { case .lstm(_, _, let o), .mlp(_, _, let o): return o }
        }
        public var isLSTM: Bool { if case .lstm = self { return true } else { return false } }

        var shape: v2g_nn_shape {
            var s = v2g_nn_shape()
            let widths: [Int]
            switch self {
            case let .lstm(inputs, layers, outputs):
                s.kind = V2G_NN_LSTM
                s.inputs = Int32(clamping: inputs)
                s.outputs = Int32(clamping: outputs)
                widths = layers
            case let .mlp(inputs, hidden, outputs):
                s.kind = V2G_NN_MLP
                s.inputs = Int32(clamping: inputs)
                s.outputs = Int32(clamping: outputs)
                widths = hidden
            }
            s.layers = Int32(clamping: widths.count)
            withUnsafeMutableBytes(of: &s.hidden) { raw in
                let h = raw.bindMemory(to: Int32.self)
                for (i, w) in widths.prefix(h.count).enumerated() { h[i] = Int32(clamping: w) }
            }
            return s
        }

        init(_ s: v2g_nn_shape) {
            var shape = s
            let widths: [Int] = withUnsafeBytes(of: &shape.hidden) { raw in
                Array(raw.bindMemory(to: Int32.self).prefix(Int(s.layers)).map(Int.init))
            }
            self = s.kind == V2G_NN_LSTM ? .lstm(inputs: Int(s.inputs), layers: widths, outputs: Int(s.outputs))
                : .mlp(inputs: Int(s.inputs), hidden: widths, outputs: Int(s.outputs))
        }
    }

    public let architecture: Architecture
    /// The parameters, laid out as v2g_nn.h says.
    public var parameters: [Double]

    /// A network with Glorot-initialised weights drawn from `seed`.
    public init(_ architecture: Architecture, seed: UInt64) throws(V2GError) {
        var shape = architecture.shape
        var count = 0
        try check(v2g_nn_param_count(&shape, &count), "sizing the network")
        var p = [Double](repeating: 0, count: count)
        try check(v2g_nn_init(&shape, seed, &p, count), "initialising the network")
        self.architecture = architecture
        parameters = p
    }

    /// A network with these parameters; their count must match the architecture.
    public init(_ architecture: Architecture, parameters: [Double]) throws(V2GError) {
        var shape = architecture.shape
        var count = 0
        try check(v2g_nn_param_count(&shape, &count), "sizing the network")
        guard parameters.count == count else {
            throw V2GError(code: .invalid, message: "\(parameters.count) parameters for a network that has \(count)")
        }
        self.architecture = architecture
        self.parameters = parameters
    }

    /// Bytes of workspace for `steps` steps.
    static func workspaceSize(_ shape: v2g_nn_shape, steps: Int) throws(V2GError) -> Int {
        var s = shape
        var bytes = 0
        try check(v2g_nn_workspace_size(&s, Int32(clamping: steps), &bytes), "sizing the workspace")
        return bytes
    }

    /// The prediction for one sample: `steps × inputs` values, row by row (one row for an MLP).
    public func predict(_ x: [Double]) throws(V2GError) -> [Double] {
        var shape = architecture.shape
        let steps = try Self.steps(of: x, architecture)
        var workspace = [UInt8](repeating: 0, count: try Self.workspaceSize(shape, steps: steps))
        var y = [Double](repeating: 0, count: architecture.outputs)
        try check(v2g_nn_forward(&shape, parameters, parameters.count, x, Int32(steps), &y, &workspace, workspace.count),
                  "predicting")
        return y
    }

    /// Predicts sample after sample with one workspace: what a gateway's loop uses (no allocation per call).
    public struct Predictor: Sendable {
        public let network: NeuralNetwork
        private var workspace: [UInt8] = []
        private var steps = 0

        public init(_ network: NeuralNetwork) { self.network = network }

        /// The prediction for one sample, as `NeuralNetwork.predict`.
        public mutating func predict(_ x: [Double]) throws(V2GError) -> [Double] {
            var shape = network.architecture.shape
            let steps = try NeuralNetwork.steps(of: x, network.architecture)
            if steps != self.steps {
                workspace = [UInt8](repeating: 0, count: try NeuralNetwork.workspaceSize(shape, steps: steps))
                self.steps = steps
            }
            var y = [Double](repeating: 0, count: network.architecture.outputs)
            let p = network.parameters
            try check(v2g_nn_forward(&shape, p, p.count, x, Int32(steps), &y, &workspace, workspace.count), "predicting")
            return y
        }
    }

    static func steps(of x: [Double], _ a: Architecture) throws(V2GError) -> Int {
        guard !x.isEmpty, x.count % a.inputs == 0 else {
            throw V2GError(code: .invalid, message: "a sample of \(x.count) values is not whole steps of \(a.inputs) inputs")
        }
        let steps = x.count / a.inputs
        guard a.isLSTM || steps == 1 else { throw V2GError(code: .invalid, message: "an MLP sample has \(a.inputs) values") }
        return steps
    }

    /// The model's bytes (v2g_nn.h's format); their SHA-256 identifies the model.
    public func serialized() throws(V2GError) -> [UInt8] {
        var shape = architecture.shape
        var size = 0
        try check(v2g_nn_serialized_size(&shape, &size), "sizing the model's bytes")
        var out = [UInt8](repeating: 0, count: size)
        try check(v2g_nn_serialize(&shape, parameters, parameters.count, &out, out.count), "serialising the model")
        return out
    }

    /// A model read back from `serialized()` bytes.
    public init(serialized bytes: [UInt8]) throws(V2GError) {
        var shape = v2g_nn_shape()
        var count = 0
        // The parameter count is bounded by the bytes that carry it.
        var p = [Double](repeating: 0, count: max(1, bytes.count / 8))
        try check(v2g_nn_deserialize(bytes, bytes.count, &shape, &p, p.count, &count), "reading the model")
        architecture = Architecture(shape)
        parameters = Array(p.prefix(count))
    }

    /// Federated averaging: the `weights`-weighted mean of models of one architecture (weights ≥ 0, sum > 0).
    public static func average(_ models: [NeuralNetwork], weights: [Double]) throws(V2GError) -> NeuralNetwork {
        guard let first = models.first, models.count == weights.count,
              models.allSatisfy({ $0.architecture == first.architecture }) else {
            throw V2GError(code: .invalid, message: "averaging needs models of one architecture, one weight each")
        }
        var out = [Double](repeating: 0, count: first.parameters.count)
        let status: Int32 = withArrayPointers(models.map(\.parameters)) { pointers in
            v2g_nn_average(pointers, weights, models.count, first.parameters.count, &out)
        }
        try check(status, "averaging models")
        return try NeuralNetwork(first.architecture, parameters: out)
    }
}

/// Calls `body` with a C array of pointers to each array's elements.
private func withArrayPointers<R>(_ arrays: [[Double]], _ body: ([UnsafePointer<Double>?]) -> R) -> R {
    func go(_ i: Int, _ acc: [UnsafePointer<Double>?]) -> R {
        if i == arrays.count { return body(acc) }
        return arrays[i].withUnsafeBufferPointer { go(i + 1, acc + [$0.baseAddress]) }
    }
    return go(0, [])
}
