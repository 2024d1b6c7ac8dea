import ArgumentParser
import FoundationEssentials
import V2GKit
import V2GLedger
import V2GSim

/// `v2g simulate EXPERIMENT`: reproduces an experiment of the source documents and writes its report.
struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Reproduce an experiment of the source papers: raw CSV, summary.json, SVG figures and report.md.",
        discussion: "Experiments:\n" + ExperimentName.allCases.map { "  \($0.rawValue.padded(to: 20))\($0.summary)" }
            .joined(separator: "\n"))

    @Argument(help: ArgumentHelp("The experiment to run.", valueName: "experiment"))
    var experiment: String

    @Option(help: "Seed for every random draw; the same seed gives the same files.")
    var seed: UInt64 = 2024

    @Option(help: "Repetitions per cell (default: 100 for ch4-market, 20 for the attacks, 5 for ch6-sret, 1 otherwise).")
    var repetitions: Int?

    @Option(help: "Directory for the report (created if missing); default: results/EXPERIMENT.")
    var out: String?

    @Option(name: .customLong("gamma1-ppm"), help: "γ1, the consumer risk parameter of [T] eq. 4.1, in ppm.")
    var gamma1Ppm: Int32 = 100_000

    @Option(name: .customLong("gamma2-ppm"), help: "γ2, the exchange risk parameter of [T] eq. 4.3, in ppm.")
    var gamma2Ppm: Int32 = 100_000

    @Option(name: .customLong("charger-capacity-wh"), help: "W, the charging-pile cap of [T] eq. 4.6, in Wh.")
    var chargerCapacityWh: Int64 = 10_000

    @Option(name: .customLong("ask-min"), help: "Lowest EV ask for the double auction, JPY/kWh.")
    var askMin: Double = 15

    @Option(name: .customLong("ask-max"), help: "Highest EV ask for the double auction, JPY/kWh.")
    var askMax: Double = 35

    @Option(name: .customLong("reserve-wh"), help: "E_r of [P] eq. (1), in Wh.")
    var reserveWh: Int64 = 10_000

    @Option(name: .customLong("charger-power-w"), help: "EV charger power for p-prosumers, in W (default: unlimited).")
    var chargerPowerW: Int64?

    @Option(help: "p-prosumers: profiles CSV with columns time_s,agent,production_wh,consumption_wh.")
    var profiles: String?

    @Option(name: .customLong("pretrain-rounds"), help: "p-forecast: federated rounds on the history day.")
    var pretrainRounds = 20

    @Option(name: .customLong("day-hours"), help: "p-forecast: hours of the generated forecast day.")
    var dayHours = 24

    @Flag(help: "No progress line.")
    var quiet = false

    func run() throws {
        guard let name = ExperimentName(rawValue: experiment) else {
            throw CommandFailure.badInput("unknown experiment \"\(experiment)\" (expected one of: "
                                          + ExperimentName.allCases.map(\.rawValue).joined(separator: ", ") + ")")
        }
        var options = SimulationOptions()
        options.seed = seed
        options.showsProgress = !quiet
        if let repetitions {
            guard repetitions > 0 else { throw CommandFailure.badInput("--repetitions must be at least 1") }
            options.repetitions = repetitions
        }
        guard (0...1_000_000).contains(gamma1Ppm), (0...1_000_000).contains(gamma2Ppm) else {
            throw CommandFailure.badInput("--gamma1-ppm and --gamma2-ppm must lie within 0...1000000")
        }
        options.gamma1 = Ratio(ppm: gamma1Ppm)
        options.gamma2 = Ratio(ppm: gamma2Ppm)
        guard chargerCapacityWh >= 0, reserveWh >= 0, (chargerPowerW ?? 0) >= 0 else {
            throw CommandFailure.badInput("--charger-capacity-wh, --reserve-wh and --charger-power-w must not be negative")
        }
        options.chargerCapacityWh = chargerCapacityWh
        guard askMin >= 0, askMax >= askMin else { throw CommandFailure.badInput("need 0 <= --ask-min <= --ask-max") }
        options.askMicro = Int64((askMin * 1e6).rounded())...Int64((askMax * 1e6).rounded())
        options.reserveWh = reserveWh
        guard pretrainRounds >= 0, (1...24).contains(dayHours) else {
            throw CommandFailure.badInput("--pretrain-rounds must not be negative and --day-hours must lie within 1...24")
        }
        options.forecastPretrainRounds = pretrainRounds
        options.forecastHours = dayHours
        options.chargerPowerW = chargerPowerW
        if let profiles {
            guard name == .pProsumers || name == .pForecast else {
                throw CommandFailure.badInput("--profiles applies to p-prosumers and p-forecast only")
            }
            guard let data = FileManager.default.contents(atPath: profiles), let text = String(data: data, encoding: .utf8) else {
                throw CommandFailure.badInput("cannot read \(profiles)")
            }
            do {
                options.profiles = try ProsumerProfiles.load(csv: text)
            } catch {
                throw CommandFailure.badInput("\(profiles): \(error.description)")
            }
            options.profilesSource = "\(profiles)"
        }
        let directory = URL(fileURLWithPath: out ?? "results/\(name.rawValue)")
        if name == .pForecast {
            // Each global model's digest goes on a ledger: a model-update transaction per model, in models.db.
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            options.anchorModel = try ModelLedger(path: directory.appendingPathComponent("models.db").path).anchor
        }
        let started = Date()
        let artifacts = try Simulator.run(name, options: options)
        let written = try ReportWriter(directory: directory).write(artifacts)
        print("\(name.rawValue): \(written.count) files in \(directory.path) "
              + String(cFormat: "(%.1f s)", Date().timeIntervalSince(started)))
        for url in written { print("  \(url.lastPathComponent)") }
    }
}
