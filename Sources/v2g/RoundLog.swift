import Foundation
import V2GKit
import V2GLedger
import V2GNode

/// One line of a control system's `rounds.jsonl`: what its round did, and the cross-campus step after it.
struct RoundLine: Codable, Sendable {
    struct Phases: Codable, Sendable {
        var collect = 0.0, sealInputs = 0.0, allocate = 0.0, record = 0.0, total = 0.0   // milliseconds
    }
    struct Market: Codable, Sendable {
        var requests = 0, offers = 0, allocations = 0, fulfilled = 0
        var allocatedWh: Int64 = 0
        /// Σ bid × allocated energy, in micro-units.
        var profit: Int64 = 0
        var fillRate: Double { requests == 0 ? 0 : Double(fulfilled) / Double(requests) }

        init() {}
        init(result: MatchResult?, inputs: RoundInputs?, requests: Int, offers: Int) {
            self.requests = requests
            self.offers = offers
            guard let result, let inputs else { return }
            allocations = result.allocations.count
            fulfilled = result.outcomes.filter(\.fulfilled).count
            for a in result.allocations {
                allocatedWh += a.energyWh
                profit += (try? money(pricePerKWh: inputs.requests[a.requestIndex].entry.bid, energyWh: a.energyWh)) ?? 0
            }
        }
    }
    struct Cross: Codable, Sendable {
        var campuses: [String] = []
        var market = Market()
        var phases = Phases()
        /// This campus's requests served by other campuses' EVs.
        var servedHere = 0
    }

    var campus: String
    var round: UInt64
    var market = Market()
    var phases = Phases()
    var missingExchanges: [String] = []
    var missingEVs: [String] = []
    /// Chain heights after the round, by channel name (BoE, BoEV, BoCS).
    var heights: [String: UInt64] = [:]
    var surplusRequests = 0
    var surplusOffers = 0
    /// Transactions in the blocks the round sealed, and the time from the round's start until every neighbour of
    /// the CS (every node of the campus) reported holding them.
    var transactions = 0
    var convergedMs: Double?
    var cross: Cross?
    var error: String?

    init(campus: String, round: UInt64) {
        self.campus = campus
        self.round = round
    }

    static func ms(_ d: Duration) -> Double { Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15 }

    mutating func record(_ report: RoundReport) {
        market = Market(result: report.result, inputs: report.inputs, requests: report.requests, offers: report.evs.count)
        let t = report.times
        phases = Phases(collect: Self.ms(t.collect), sealInputs: Self.ms(t.sealInputs), allocate: Self.ms(t.allocate),
                        record: Self.ms(t.record), total: Self.ms(t.total))
        missingExchanges = report.missingExchanges.sorted()
        transactions = report.blocks.reduce(0) { $0 + $1.transactions.count }
        missingEVs = report.missingEVs.sorted()
    }

    mutating func record(_ report: CrossCampusReport) {
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
    var encoded: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }
}

/// Appends round lines to a file, one JSON object per line, each written whole.
final class RoundLog: @unchecked Sendable {  // used from the control system's round thread only
    private let handle: FileHandle

    init(path: String) throws {
        if !FileManager.default.fileExists(atPath: path) { FileManager.default.createFile(atPath: path, contents: nil) }
        guard let h = FileHandle(forWritingAtPath: path) else { throw CommandFailure.badInput("cannot write \(path)") }
        h.seekToEndOfFile()
        handle = h
    }

    func append(_ line: RoundLine) { handle.write(Data((line.encoded + "\n").utf8)) }

    deinit { try? handle.close() }
}
