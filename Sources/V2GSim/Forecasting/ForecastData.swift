import FoundationEssentials
import V2GKit

/// A data file `v2g forecast` cannot use: one line naming the file, the line and the column.
public struct ForecastDataError: Error, Sendable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// What is kept beside a model's bytes: how to read data for it.
public struct ForecastModelInfo: Codable, Sendable {
    public var kind: String
    public var scaleWh: Double
    public var sha256: String
    public var samples: Int
    public var finalLoss: Double

    public init(kind: String, scaleWh: Double, sha256: String, samples: Int, finalLoss: Double) {
        self.kind = kind
        self.scaleWh = scaleWh
        self.sha256 = sha256
        self.samples = samples
        self.finalLoss = finalLoss
    }
}



/// A CSV file as rows of named numbers.
public struct NumberCSV: Sendable {
    /// The largest magnitude a value may have (10¹²): far beyond any energy, time or feature the forecasts
    /// read, and small enough that scaling it stays finite.
    public static let maxMagnitude = 1e12

    public var columns: [String]
    public var rows: [[Double]]

    /// The largest file read (256 MiB), refused before it is read.
    public static let maxBytes = 256 << 20

    /// Reads the CSV file at `path` (`parse` says what it must hold).
    public static func read(_ path: String, required: [String], optional: [String] = []) throws(ForecastDataError) -> NumberCSV {
        let size = Path.fileSize(path) ?? 0
        guard size <= maxBytes else { throw ForecastDataError("\(path): larger than \(maxBytes >> 20) MiB") }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ForecastDataError("cannot read \(path)")
        }
        return try parse(text, source: path, required: required, optional: optional)
    }

    /// A header line naming at least the `required` columns, then rows of as many fields, each a finite number
    /// within ±10¹²; `source` names the text in errors.
    public static func parse(_ text: String, source path: String, required: [String], optional: [String] = [])
        throws(ForecastDataError) -> NumberCSV {
        var lines = text.split(whereSeparator: \.isNewline).map(String.init).filter { !$0.trimmingWhitespace().isEmpty }
        guard !lines.isEmpty else { throw ForecastDataError("\(path): empty") }
        let header = lines.removeFirst().split(separator: ",").map { $0.trimmingWhitespace() }
        for c in required where !header.contains(c) {
            throw ForecastDataError("\(path): line 1: missing column \(c) (expected \((required + optional).joined(separator: ",")))")
        }
        let wanted = required + optional.filter(header.contains)
        let index = wanted.map { header.firstIndex(of: $0)! }
        var rows: [[Double]] = []
        for (i, line) in lines.enumerated() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingWhitespace() }
            guard fields.count == header.count else {
                throw ForecastDataError("\(path): line \(i + 2): \(fields.count) fields, the header has \(header.count)")
            }
            rows.append(try index.enumerated().map { (k, j) throws(ForecastDataError) in
                guard let v = Double(fields[j]), v.isFinite, abs(v) <= Self.maxMagnitude else {
                    throw ForecastDataError("\(path): line \(i + 2), column \(wanted[k]): not a number within ±10^12: \"\(fields[j])\"")
                }
                return v
            })
        }
        return NumberCSV(columns: wanted, rows: rows)
    }

    public func column(_ name: String) -> [Double]? { columns.firstIndex(of: name).map { c in rows.map { $0[c] } } }
}

/// The CSV layouts `v2g forecast` reads, turned into training data.
public enum ForecastData {
    public static let loadColumns = ["time_s", "consumption_wh", "production_wh"]
    public static let tripColumns = ["start_hour", "weekday", "temperature_c", "rainfall_mm_per_h", "humidity_percent", "wind_speed_mps",
                              "latitude", "longitude", "gender", "age", "duration_min", "ev_model", "ev_age_years"]

    /// Load rows as LSTM samples: (inputs at period t, target at t, time of t) for t ≥ 3.
    public static func loadSamples(_ csv: NumberCSV, scaleWh: Double) -> [(sample: TrainingSample, time: Double)] {
        let time = csv.column("time_s")!, c = csv.column("consumption_wh")!, p = csv.column("production_wh")!
        let day = { (t: Double) in t.truncatingRemainder(dividingBy: 86_400) / 86_400 }
        guard csv.rows.count > LoadForecast.lookback else { return [] }
        return (LoadForecast.lookback..<csv.rows.count).map { t in
            let input = (t - LoadForecast.lookback..<t).flatMap { [day(time[$0]), c[$0] / scaleWh, p[$0] / scaleWh] }
            // The target is the change from the last period, as LoadSeries has it.
            return (TrainingSample(input: input, target: [(c[t] - c[t - 1]) / scaleWh, (p[t] - p[t - 1]) / scaleWh]), time[t])
        }
    }

    public static func trips(_ csv: NumberCSV) throws(ForecastDataError) -> [Trip] {
        let energy = csv.column("energy_wh")
        return try csv.rows.enumerated().map { (i, r) throws(ForecastDataError) in
            /// A column that holds a whole number in `range`.
            func integer(_ column: Int, _ range: ClosedRange<Int>, _ note: String = "") throws(ForecastDataError) -> Int {
                let v = r[column]
                guard v.rounded() == v, v >= Double(range.lowerBound), v <= Double(range.upperBound) else {
                    throw ForecastDataError("row \(i + 1): \(tripColumns[column]) must be a whole number within "
                                            + "\(range.lowerBound)...\(range.upperBound)\(note), got \(v)")
                }
                return Int(v)
            }
            let model = try integer(11, 0...(EVModel.catalogue.count - 1),
                                    " (" + EVModel.catalogue.map(\.name).joined(separator: ", ") + ")")
            return Trip(startHour: r[0], weekday: try integer(1, 0...6), temperatureC: r[2], rainfallMmPerHour: r[3],
                        humidityPercent: r[4], windSpeedMps: r[5], latitude: r[6], longitude: r[7],
                        gender: try integer(8, 0...1), age: try integer(9, 0...150), durationMinutes: r[10], model: model,
                        evAgeYears: r[12], energyWh: energy?[i] ?? 0)
        }
    }
}
