import V2GKit

/// The per-period series of one prosumer the [P] load forecast learns from, scaled to about [0, 1].
public struct LoadSeries: Sendable {
    /// Fraction of the day at each period's start.
    public var time: [Double]
    public var consumptionWh: [Int64]
    public var productionWh: [Int64]
    /// Wh that map to 1.0 (the largest consumption or production seen, at least 1).
    public var scaleWh: Double

    /// Consumption and production per matching period of agent `a` (the sums of its samples).
    public init(_ profiles: ProsumerProfiles, agent a: Int, periodSeconds: Int64, scaleWh: Double? = nil) {
        let perPeriod = max(1, Int(periodSeconds / profiles.resolutionSeconds))
        let periods = profiles.sampleCount / perPeriod
        consumptionWh = (0..<periods).map { p in profiles.consumption[a][p * perPeriod..<(p + 1) * perPeriod].reduce(0, +) }
        productionWh = (0..<periods).map { p in profiles.production[a][p * perPeriod..<(p + 1) * perPeriod].reduce(0, +) }
        let day = Double(86_400 / periodSeconds)
        time = (0..<periods).map { Double($0 % Int(day)) / day }
        self.scaleWh = scaleWh ?? max(1, Double(max(consumptionWh.max() ?? 0, productionWh.max() ?? 0)))
    }

    public var count: Int { time.count }

    /// The input at period t: (time, consumption, production) of periods t-3, t-2, t-1.
    public func input(at t: Int) -> [Double] {
        (t - LoadForecast.lookback..<t).flatMap { [time[$0], Double(consumptionWh[$0]) / scaleWh, Double(productionWh[$0]) / scaleWh] }
    }

    /// The target at period t: the change of (consumption, production) from period t-1, scaled. The network
    /// predicts the next period as the last one plus this change, so an untrained model starts at persistence.
    public func target(at t: Int) -> [Double] {
        [Double(consumptionWh[t] - consumptionWh[t - 1]) / scaleWh, Double(productionWh[t] - productionWh[t - 1]) / scaleWh]
    }

    /// The prediction for period t from the network's output `y` (the change from period t-1), in Wh, ≥ 0.
    public func prediction(at t: Int, from y: [Double]) -> (consumptionWh: Int64, productionWh: Int64) {
        (max(0, consumptionWh[t - 1] + Int64((y[0] * scaleWh).rounded())), max(0, productionWh[t - 1] + Int64((y[1] * scaleWh).rounded())))
    }

    /// Training samples for the periods in `range` (each needs the lookback before it).
    public func samples(_ range: Range<Int>) -> [TrainingSample] {
        range.clamped(to: LoadForecast.lookback..<count).map { TrainingSample(input: input(at: $0), target: target(at: $0)) }
    }

    /// This series followed by `next` (same scale): history, then the day being forecast.
    public func appending(_ next: LoadSeries) -> LoadSeries {
        var s = self
        s.time += next.time
        s.consumptionWh += next.consumptionWh
        s.productionWh += next.productionWh
        return s
    }
}

/// [P] §IV.A's federated LSTM load forecasting: every EV, acting as a fog node, trains a local copy of the model
/// for one prosumer; the grid periodically averages the local models, weighted by their samples, into the global
/// model, which every fog node (and any EV that arrives) continues from.
public struct LoadForecast: Sendable {
    /// Periods of history per input.
    public static let lookback = 3
    /// [P]: 2 LSTM layers of 32; inputs time, consumption, production; outputs next consumption and production
    /// (as their change from the last period).
    public static let architecture = NeuralNetwork.Architecture.lstm(inputs: 3, layers: [32, 32], outputs: 2)

    public var periodSeconds: Int64 = 60
    /// Periods between aggregations during the forecast day.
    public var aggregationPeriods = 60
    /// Federated rounds on the history day before forecasting starts.
    public var pretrainRounds = 20
    /// Local epochs per fog node per federated round.
    public var localEpochs = 1
    /// Periods of its prosumer's recent history a fog node trains on in each round of the day.
    public var window = 240
    public var learningRate = 1e-3
    public var seed: UInt64

    public init(seed: UInt64) { self.seed = seed }

    /// A global model the grid published.
    public struct GlobalModel: Sendable {
        public var round: Int
        public var network: NeuralNetwork
        /// Mean training loss of the local models that went into it.
        public var loss: Double
    }

    /// What forecasting a day did.
    public struct Result: Sendable {
        /// Predicted net position (production − consumption, Wh) per agent per period of the day.
        public var predictedNet: [[Int64]]
        /// Predicted consumption and production per agent per period (Wh).
        public var predictedConsumption: [[Int64]]
        public var predictedProduction: [[Int64]]
        /// Root mean squared error of consumption and production predictions (Wh per period), and of the
        /// persistence baseline (next = last), over every agent and period of the day.
        public var rmseWh: Double
        public var persistenceRmseWh: Double
        public var globals: [GlobalModel]
    }

    /// Pre-trains federatedly on `history`, then forecasts every period of `day`, aggregating every
    /// `aggregationPeriods`. `published` sees each global model as the grid publishes it (to anchor its digest
    /// on the ledger); `progress(round, rounds, loss)` reports training.
    public func run(history: ProsumerProfiles, day: ProsumerProfiles,
                    published: (GlobalModel) throws -> Void = { _ in },
                    progress: (Int, Int, Double) -> Void = { _, _, _ in }) throws -> Result {
        let agents = history.agents.count
        let past = (0..<agents).map { LoadSeries(history, agent: $0, periodSeconds: periodSeconds) }
        let series = (0..<agents).map { a in past[a].appending(LoadSeries(day, agent: a, periodSeconds: periodSeconds, scaleWh: past[a].scaleWh)) }
        let dayStart = past[0].count
        let dayPeriods = series[0].count - dayStart
        let rounds = pretrainRounds + (dayPeriods + aggregationPeriods - 1) / aggregationPeriods
        var global = try NeuralNetwork(Self.architecture, seed: seed)
        var trainers = (0..<agents).map { NetworkTrainer(seed: seed &+ UInt64($0 + 1), learningRate: learningRate) }
        var globals: [GlobalModel] = []

        // One federated round: every fog node continues from the global model on its samples; the grid averages.
        func federatedRound(_ ranges: [Range<Int>]) throws {
            var locals: [NeuralNetwork] = []
            var weights: [Double] = []
            var loss = 0.0
            for a in 0..<agents {
                var local = global
                let samples = series[a].samples(ranges[a])
                guard !samples.isEmpty else { continue }
                loss += try trainers[a].train(&local, on: samples, epochs: localEpochs) * Double(samples.count)
                locals.append(local)
                weights.append(Double(samples.count))
            }
            guard !locals.isEmpty else { return }
            global = try NeuralNetwork.average(locals, weights: weights)
            let model = GlobalModel(round: globals.count + 1, network: global, loss: loss / weights.reduce(0, +))
            globals.append(model)
            try published(model)
            progress(globals.count, rounds, model.loss)
        }

        for _ in 0..<pretrainRounds { try federatedRound(Array(repeating: 0..<dayStart, count: agents)) }

        var cons = [[Int64]](repeating: [], count: agents), prod = cons
        var squared = 0.0, persistence = 0.0, n = 0.0
        var t = dayStart
        while t < series[0].count {
            let end = min(t + aggregationPeriods, series[0].count)
            // Each fog node predicts its prosumer's next periods with the current global model.
            var predictor = NeuralNetwork.Predictor(global)
            for a in 0..<agents {
                let s = series[a]
                for p in t..<end {
                    let (c, q) = s.prediction(at: p, from: try predictor.predict(s.input(at: p)))
                    cons[a].append(c)
                    prod[a].append(q)
                    let dc = Double(c - s.consumptionWh[p]), dq = Double(q - s.productionWh[p])
                    squared += dc * dc + dq * dq
                    let pc = Double(s.consumptionWh[p - 1] - s.consumptionWh[p]), pq = Double(s.productionWh[p - 1] - s.productionWh[p])
                    persistence += pc * pc + pq * pq
                    n += 2
                }
            }
            // Then they train on what the period just showed, and the grid aggregates.
            try federatedRound(Array(repeating: max(Self.lookback, end - window)..<end, count: agents))
            t = end
        }
        let net = (0..<agents).map { a in zip(prod[a], cons[a]).map { $0 - $1 } }
        return Result(predictedNet: net, predictedConsumption: cons, predictedProduction: prod,
                      rmseWh: (squared / max(1, n)).squareRoot(), persistenceRmseWh: (persistence / max(1, n)).squareRoot(),
                      globals: globals)
    }
}
