import FoundationEssentials
import V2GKit
import Glibc

/// Production and consumption of PV prosumers over a day, one sample per `resolutionSeconds` ([P] §V.A).
public struct ProsumerProfiles: Sendable {
    /// Agent names, in a fixed order.
    public var agents: [String]
    public var resolutionSeconds: Int64
    /// production[a][t], consumption[a][t]: Wh in sample t of agent a.
    public var production: [[Int64]]
    public var consumption: [[Int64]]

    public var sampleCount: Int { production.first?.count ?? 0 }

    /// A seeded day of five PV prosumers shaped like [P] Fig. 5 and sized like [P] Table I: midday production
    /// peaks, Z0 about three times R2 at the peak, L2 producing nothing and consuming most, evening consumption
    /// peaks, 10 s resolution. The agents are microgrid buildings: their daily grid exchange is in MWh.
    public static func generated(seed: UInt64, resolutionSeconds: Int64 = 10, hours: Int = 24) -> ProsumerProfiles {
        // (name, PV peak W, base load W, evening peak W)
        let shapes: [(String, Double, Double, Double)] = [
            ("L1", 300_000, 150_000, 120_000), ("L2", 0, 330_000, 120_000), ("L3", 250_000, 80_000, 60_000),
            ("R2", 200_000, 30_000, 20_000), ("Z0", 600_000, 150_000, 100_000),
        ]
        var rng = SplitMix64(seed: seed)
        let samples = Int(Int64(hours) * 3600 / resolutionSeconds)
        var profiles = ProsumerProfiles(agents: shapes.map(\.0), resolutionSeconds: resolutionSeconds,
                                        production: [], consumption: [])
        for (_, peak, base, evening) in shapes {
            var prod: [Int64] = [], cons: [Int64] = []
            // Cloud cover changes slowly: a random walk on a 0.3-1.0 factor.
            var cloud = 1.0
            var appliance = 0.0
            for t in 0..<samples {
                let hour = Double(Int64(t) * resolutionSeconds) / 3600
                let sun = max(0, sin(Double.pi * (hour - 6) / 14)) // daylight 06:00-20:00, peak at 13:00
                cloud = min(1, max(0.3, cloud + (Double(rng.int(Int64(0)...2000)) / 1000 - 1) * 0.01))
                let pv = peak * pow(sun, 1.5) * cloud
                // Appliances switch on and off: a kettle, an oven, a washing machine.
                if rng.int(Int64(0)...999) < 2 { appliance = base * Double(rng.int(Int64(5)...30)) / 100 }
                if rng.int(Int64(0)...999) < 8 { appliance = 0 }
                let eveningBump = evening * exp(-pow((hour - 19) / 1.5, 2)) + evening * 0.4 * exp(-pow((hour - 7.5) / 1, 2))
                let load = base + eveningBump + appliance
                let seconds = Double(resolutionSeconds)
                prod.append(Int64((pv * seconds / 3600).rounded()))
                cons.append(Int64((load * seconds / 3600).rounded()))
            }
            profiles.production.append(prod)
            profiles.consumption.append(cons)
        }
        return profiles
    }

    /// An error in a profiles CSV: the line and what is wrong.
    public struct CSVError: Error, CustomStringConvertible {
        public var line: Int
        public var message: String
        public var description: String { "line \(line): \(message)" }
    }

    /// Reads profiles from CSV with the header `time_s,agent,production_wh,consumption_wh`: one row per sample
    /// and agent, energies in Wh over the sample, samples evenly spaced from the first time.
    public static func load(csv text: String) throws(CSVError) -> ProsumerProfiles {
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init)
        while lines.last?.trimmingWhitespace().isEmpty == true { lines.removeLast() }
        guard let header = lines.first?.split(separator: ",").map({ $0.trimmingWhitespace() }),
              header == ["time_s", "agent", "production_wh", "consumption_wh"] else {
            throw CSVError(line: 1, message: "the header must be time_s,agent,production_wh,consumption_wh")
        }
        var agents: [String] = []
        var rows: [String: [(Int64, Int64, Int64)]] = [:]
        for (n, line) in lines.enumerated().dropFirst() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingWhitespace() }
            guard fields.count == 4 else { throw CSVError(line: n + 1, message: "expected 4 fields, found \(fields.count)") }
            guard let t = Int64(fields[0]) else { throw CSVError(line: n + 1, message: "time_s is not an integer") }
            guard !fields[1].isEmpty else { throw CSVError(line: n + 1, message: "agent is empty") }
            guard let p = Int64(fields[2]), p >= 0 else { throw CSVError(line: n + 1, message: "production_wh must be a non-negative integer") }
            guard let c = Int64(fields[3]), c >= 0 else { throw CSVError(line: n + 1, message: "consumption_wh must be a non-negative integer") }
            if rows[fields[1]] == nil { agents.append(fields[1]) }
            rows[fields[1], default: []].append((t, p, c))
        }
        guard let firstAgent = agents.first, let series = rows[firstAgent], series.count >= 2 else {
            throw CSVError(line: lines.count, message: "need at least two samples of at least one agent")
        }
        let times = series.map(\.0)
        let step = times[1] - times[0]
        guard step > 0 else { throw CSVError(line: 3, message: "time_s must increase") }
        var profiles = ProsumerProfiles(agents: agents, resolutionSeconds: step, production: [], consumption: [])
        for agent in agents {
            let s = rows[agent]!
            guard s.map(\.0) == times else {
                throw CSVError(line: 0, message: "agent \(agent) does not have the same timestamps as \(firstAgent)")
            }
            for i in 1..<times.count where times[i] - times[i - 1] != step {
                throw CSVError(line: 0, message: "samples must be evenly spaced (\(step) s); see time_s \(times[i])")
            }
            profiles.production.append(s.map(\.1))
            profiles.consumption.append(s.map(\.2))
        }
        return profiles
    }

    /// The profiles as CSV in the format `load(csv:)` reads.
    public func csv() -> String {
        var out = "time_s,agent,production_wh,consumption_wh\n"
        for t in 0..<sampleCount {
            for (a, agent) in agents.enumerated() {
                out += "\(Int64(t) * resolutionSeconds),\(agent),\(production[a][t]),\(consumption[a][t])\n"
            }
        }
        return out
    }
}
