import FoundationEssentials
import V2GKit
import V2GLedger
import V2GNode

/// One line of a control system's `rounds.jsonl`: what its round did, and the cross-campus step after it.
public struct RoundLine: Codable, Sendable {
    /// Phase times in milliseconds.
    public struct Phases: Codable, Sendable {
        public var collect = 0.0, sealInputs = 0.0, allocate = 0.0, record = 0.0, total = 0.0

        enum CodingKeys: String, CodingKey {
            case collect = "collectMs", sealInputs = "sealInputsMs", allocate = "allocateMs", record = "recordMs", total = "totalMs"
        }
    }
    public struct Market: Codable, Sendable {
        public var requests = 0, offers = 0, allocations = 0, fulfilled = 0
        /// Energy requested (after deduplication, as the matcher saw it; absent from logs of releases before it).
        public var demandWh: Int64?
        public var allocatedWh: Int64 = 0
        /// Σ bid × allocated energy, in micro-units.
        public var profit: Int64 = 0
        /// The fill rate as [T] §4.4.1 defines it and every report of V2GKit means it: the share of requested
        /// energy met (here allocated; delivery is metered a round later). Fulfilled requests are counted beside it.
        public var fillRate: Double { (demandWh ?? 0) <= 0 ? 0 : Double(allocatedWh) / Double(demandWh!) }

        enum CodingKeys: String, CodingKey {
            case requests, offers, allocations, fulfilled, demandWh, allocatedWh, profit = "profitMicroJPY"
        }

        init() {}
        init(result: MatchResult?, inputs: RoundInputs?, requests: Int, offers: Int) {
            self.requests = requests
            self.offers = offers
            guard let result, let inputs else { return }
            allocations = result.allocations.count
            fulfilled = result.outcomes.filter(\.fulfilled).count
            demandWh = result.outcomes.reduce(Int64(0)) { $0 &+ $1.demandWh }
            for a in result.allocations {
                allocatedWh += a.energyWh
                profit += (try? money(pricePerKWh: inputs.requests[a.requestIndex].entry.bid, energyWh: a.energyWh)) ?? 0
            }
        }
    }
    public struct Cross: Codable, Sendable {
        public var campuses: [String] = []
        public var market = Market()
        public var phases = Phases()
        /// This campus's requests served by other campuses' EVs.
        public var servedHere = 0
    }

    public var campus: String
    public var round: UInt64
    public var market = Market()
    public var phases = Phases()
    public var missingExchanges: [String] = []
    public var missingEVs: [String] = []
    /// Chain heights after the round, by channel name (BoE, BoEV, BoCS).
    public var heights: [String: UInt64] = [:]
    public var surplusRequests = 0
    public var surplusOffers = 0
    /// Transactions in the blocks the round sealed, and the time from the round's start until every neighbour of
    /// the CS (every node of the campus) reported holding them.
    public var transactions = 0
    public var convergedMs: Double?
    public var cross: Cross?
    public var error: String?
    /// Meter reports sealed in the round, and the rounds whose metering it sealed.
    public var meterReports = 0
    public var metered: [UInt64] = []
    public var meteringErrors: [String] = []

    public init(campus: String, round: UInt64) {
        self.campus = campus
        self.round = round
    }

    public static func ms(_ d: Duration) -> Double { d.inSeconds * 1000 }

    public mutating func record(_ report: RoundReport) {
        market = Market(result: report.result, inputs: report.inputs, requests: report.requests, offers: report.evs.count)
        let t = report.times
        phases = Phases(collect: Self.ms(t.collect), sealInputs: Self.ms(t.sealInputs), allocate: Self.ms(t.allocate),
                        record: Self.ms(t.record), total: Self.ms(t.total))
        missingExchanges = report.missingExchanges.sorted()
        transactions = report.blocks.reduce(0) { $0 + $1.transactions.count }
        missingEVs = report.missingEVs.sorted()
        meterReports = report.meterReports
        metered = report.metered
        meteringErrors = report.meteringErrors
    }

    public mutating func record(_ report: CrossCampusReport) {
        var c = Cross(campuses: report.campuses)
        c.market = Market(result: report.result, inputs: report.inputs, requests: report.requests, offers: report.offers)
        c.phases = Phases(collect: Self.ms(report.collect), sealInputs: Self.ms(report.seal), allocate: Self.ms(report.allocate),
                          record: Self.ms(report.record), total: Self.ms(report.total))
        if let result = report.result, let inputs = report.inputs {
            c.servedHere = result.allocations.filter { inputs.requests[$0.requestIndex].exchange.hasPrefix("\(campus)/") }.count
        }
        cross = c
    }

    /// The JSON line.
    public var encoded: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }
}

/// Appends round lines to a file, one JSON object per line, each written whole.
public final class RoundLog: @unchecked Sendable {  // used from the control system's round thread only
    private let handle: FileDescriptorHandle

    public init(path: String) throws(ConfigError) {
        guard let h = FileDescriptorHandle(forAppendingAtPath: path) else {
            throw ConfigError(path: "data_dir", message: "cannot write \(path)")
        }
        handle = h
    }

    /// Appends the line with one `write` (O_APPEND), so a reader never sees half of it.
    public func append(_ line: RoundLine) { handle.write(line.encoded + "\n") }
}
