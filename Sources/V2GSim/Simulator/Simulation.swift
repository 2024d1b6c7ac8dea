import FoundationEssentials
import V2GKit

/// The experiments `v2g simulate` runs: one per row of SPEC §9.
public enum ExperimentName: String, CaseIterable, Sendable {
    case ch4Market = "ch4-market"
    case ch4ConsumerAttack = "ch4-consumer-attack"
    case ch4ExchangeAttack = "ch4-exchange-attack"
    case ch5ResponseTime = "ch5-response-time"
    case ch6SRET = "ch6-sret"
    case pProsumers = "p-prosumers"
    case pForecast = "p-forecast"
    case ch6Forecast = "ch6-forecast"

    /// What the experiment reproduces.
    public var summary: String {
        switch self {
        case .ch4Market: return "[T] Table 4.1, Fig. 4.5-4.7: RET vs the double auction across consumer x EV grids"
        case .ch4ConsumerAttack: return "[T] Fig. 4.8: malicious consumers with and without RET"
        case .ch4ExchangeAttack: return "[T] Fig. 4.9: one malicious exchange over consecutive rounds"
        case .ch5ResponseTime: return "[T] Table 5.1, Fig. 5.5: the response-time model"
        case .ch6SRET: return "[T] Table 6.1, Fig. 6.4-6.6, Table 6.2: SRET strategies vs RET, and round times"
        case .pProsumers: return "[P] Tables I-II, Fig. 5-7: PV prosumers and EVs, greedy vs Hungarian"
        case .pForecast: return "[P] Table III: federated LSTM load forecasts against perfect predictions"
        case .ch6Forecast: return "[T] §6.1, §6.3: V2GFTN with driving EVs' trip energy forecast by an MLP"
        }
    }

    /// Repetitions when the user gives none.
    public var defaultRepetitions: Int {
        switch self {
        case .ch4Market: return 100
        case .ch4ConsumerAttack, .ch4ExchangeAttack: return 20
        case .ch5ResponseTime, .pProsumers, .pForecast: return 1
        case .ch6SRET, .ch6Forecast: return 5
        }
    }
}

/// Options every experiment takes; parameters the sources do not give have documented defaults.
public struct SimulationOptions: Sendable {
    public var seed: UInt64 = 2024
    /// nil: the experiment's default.
    public var repetitions: Int?
    /// γ1 and γ2 of [T] eq. 4.1-4.4 (not given in [T]; 0.1 each).
    public var gamma1 = Ratio(ppm: 100_000)
    public var gamma2 = Ratio(ppm: 100_000)
    /// W of [T] eq. 4.6 (not given; 10 kWh).
    public var chargerCapacityWh: Int64 = 10_000
    /// EV ask prices for the double auction, micro-yen per kWh (not given; 15-35 JPY).
    public var askMicro: ClosedRange<Int64> = 15_000_000...35_000_000
    /// E_r of [P] eq. (1) (not given as a number; 10 kWh).
    public var reserveWh: Int64 = 10_000
    /// [P] EV charger power; nil for unlimited ([P] does not limit rates).
    public var chargerPowerW: Int64?
    /// [P] profiles from a CSV; nil for the built-in generator.
    public var profiles: ProsumerProfiles?
    public var profilesSource = "built-in generator"
    /// Draw a progress line on standard error.
    public var showsProgress = true
    /// p-forecast: federated rounds on the history day, and the length of the forecast day (hours).
    public var forecastPretrainRounds = 20
    public var forecastHours = 24
    /// Anchors a published global forecasting model (its round and serialized bytes) and returns its digest in
    /// hex: the CLI writes a model-update transaction to a ledger store. nil: digests are not anchored.
    public var anchorModel: (@Sendable (Int, [UInt8]) throws -> String)?

    public init() {}
}

/// Runs an experiment and returns the files to write: raw CSV, a JSON summary, SVG figures and report.md.
public enum Simulator {
    public static func run(_ name: ExperimentName, options: SimulationOptions) throws -> [ReportArtifact] {
        let progress = Progress(name.rawValue, enabled: options.showsProgress)
        defer { progress.finish() }
        switch name {
        case .ch4Market: return try MarketReport.build(options: options, progress: progress)
        case .ch4ConsumerAttack: return try ConsumerAttackReport.build(options: options, progress: progress)
        case .ch4ExchangeAttack: return try ExchangeAttackReport.build(options: options, progress: progress)
        case .ch5ResponseTime: return try ResponseTimeReport.build(options: options)
        case .ch6SRET: return try SRETReport.build(options: options, progress: progress)
        case .pProsumers: return try ProsumerReport.build(options: options, progress: progress)
        case .pForecast: return try ForecastReport.build(options: options, progress: progress)
        case .ch6Forecast: return try TripForecastReport.build(options: options, progress: progress)
        }
    }
}

/// An experiment that cannot run on the inputs given.
public struct SimulationError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Mean, standard deviation and range of a sample.
struct Stats {
    var mean = 0.0, std = 0.0, min = 0.0, max = 0.0, count = 0

    init<S: Sequence>(_ values: S) where S.Element == Double {
        let v = Array(values)
        count = v.count
        guard !v.isEmpty else { return }
        mean = v.reduce(0, +) / Double(v.count)
        std = v.count > 1 ? (v.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(v.count - 1)).squareRoot() : 0
        min = v.min()!
        max = v.max()!
    }

    /// ±σ for error bars; nil when there is one sample.
    var errorBar: ErrorBar? { count > 1 ? .plusMinus(std) : nil }
}

extension MarkdownReport {
    /// The opening every report shares: what it reproduces, the seed and repetitions, and where the numbers are.
    mutating func preamble(_ name: ExperimentName, options: SimulationOptions, repetitions: Int, parameters: [String]) {
        paragraph("\(name.summary). Generated by `v2g simulate \(name.rawValue) --seed \(options.seed) "
                  + "--repetitions \(repetitions)`; raw numbers in the CSV files beside this report, aggregates in "
                  + "`summary.json`.")
        bulletList(parameters)
    }
}

/// Money in micro-units as whole units (yen or pounds).
func units(_ micro: Int64) -> Double { Double(micro) / 1e6 }

extension JSONSummary {
    /// What every `summary.json` opens with: the experiment, the V2GKit version that ran it and every parameter
    /// it ran with, so a result can be traced and reproduced from its summary alone.
    static func opening(_ name: ExperimentName, options: SimulationOptions, repetitions: Int) -> JSONSummary {
        var parameters = JSONObject()
        // A seed above Int.max would read back negative as a JSON integer; it is written as a string then.
        parameters["seed"] = options.seed <= UInt64(Int.max) ? .int(Int(options.seed)) : .string("\(options.seed)")
        parameters["repetitions"] = .int(repetitions)
        parameters["gamma1"] = .double(Double(options.gamma1.rawValue) / 1e6)
        parameters["gamma2"] = .double(Double(options.gamma2.rawValue) / 1e6)
        parameters["chargerCapacityWh"] = .int(Int(options.chargerCapacityWh))
        parameters["askMicroJPYPerKWh"] = .array([.int(Int(options.askMicro.lowerBound)), .int(Int(options.askMicro.upperBound))])
        parameters["reserveWh"] = .int(Int(options.reserveWh))
        parameters["chargerPowerW"] = options.chargerPowerW.map { .int(Int($0)) } ?? .null
        parameters["profiles"] = .string(options.profilesSource)
        parameters["forecastPretrainRounds"] = .int(options.forecastPretrainRounds)
        parameters["forecastHours"] = .int(options.forecastHours)
        var summary = JSONSummary()
        summary["experiment"] = .string(name.rawValue)
        summary["v2gkitVersion"] = .string(coreVersion)
        summary["parameters"] = .object(parameters)
        return summary
    }
}
