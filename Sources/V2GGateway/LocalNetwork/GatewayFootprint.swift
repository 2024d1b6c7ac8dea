import FoundationEssentials
import V2GKit

/// One campus at gateway scale, every node a `v2g node` process on loopback (what `v2g bench gateway` runs): an
/// EV gateway with `evs` vehicles and a control system allocating their offers against `requests` requests per
/// round; each node's resident memory is sampled every 200 ms and its peak kept.
public struct GatewayFootprint: Sendable {
    public var requests = 20_000
    public var evs = 10_000
    /// Rounds; the first is a warm-up, medians are over the rest.
    public var rounds = 3
    public var intervalMs = 30_000
    /// The nodes' data directory (replaced).
    public var dataDirectory = ".build/bench-gateway"
    /// The `v2g` binary the nodes run.
    public var executable: String

    public init(executable: String) { self.executable = executable }

    /// What a run measured.
    public struct Result: Sendable {
        /// The nodes in layout order, each with its role and peak resident memory in MiB.
        public var nodes: [(name: String, role: String, peakMiB: Double)]
        public var exchanges: Int
        public var rounds: [RoundLine]
        /// Medians of rounds 2 and after, by phase (`collect`, `sealInputs`, `allocate`, `record`, `total`).
        public var medianPhasesMs: [String: Double]
        /// Rounds that failed, or did not carry the whole load (which would measure something else).
        public var failures: [String]
    }

    /// Starts the campus, waits for `rounds` rounds (calling `started` once the nodes run and `round` as each
    /// round's line appears), stops it and returns what it measured.
    /// - Throws: `LocalNetworkError` if the nodes cannot start or the rounds do not finish in time.
    public func run(started: (_ nodes: Int, _ exchanges: Int) -> Void = { _, _ in }, round: (RoundLine) -> Void = { _ in })
        throws -> Result {
        guard requests >= 3, evs >= 1, rounds >= 2, intervalMs >= 1000 else {
            throw LocalNetworkError("requests at least 3, EVs at least 1, rounds at least 2, the interval at least 1000 ms")
        }
        var options = LocalNetworkLayout.Options()
        options.campuses = 1
        options.requestsPerCampus = requests
        // One exchange per 4,000 consumers, as a campus this size would run them (a request list is one
        // transaction; the frame limit would take about 80,000).
        options.exchanges = max(3, (requests + 3_999) / 4_000)
        options.consumersPerExchange = max(20, (requests + options.exchanges - 1) / options.exchanges)
        options.maxPool = evs + 2 * options.exchanges + 1_024
        options.vehicles = [evs]
        options.gatewaysPerCampus = 1
        options.rounds = rounds
        options.intervalMs = intervalMs
        options.collectMs = intervalMs * 4 / 5
        options.shortfallPPM = 0
        options.startAfterMs = 10_000   // 10,000 vehicle keys to load before the first round
        let root = try DemoDirectory.prepare(dataDirectory)
        options.startAtMs = Int64(Date().timeIntervalSince1970 * 1000) + Int64(options.startAfterMs)
        let layout = try LocalNetworkLayout(options: options, root: root)
        let network = LocalNetwork(layout: layout, executable: executable)
        try network.startAll()
        defer { _ = network.stopAll() }
        started(layout.nodes.count, options.exchanges)
        var peak: [String: Int] = [:]
        let deadline = ContinuousClock.now + .milliseconds(options.startAfterMs + (rounds + 2) * intervalMs) + .seconds(60)
        var lines: [RoundLine] = []
        while lines.count < rounds, ContinuousClock.now < deadline {
            Threads.sleep(for: .seconds(0.2))
            for n in layout.nodes { if let r = network.residentBytes(n.name) { peak[n.name] = max(peak[n.name] ?? 0, r) } }
            let now = network.rounds(layout.campusNames[0])
            for line in now.dropFirst(lines.count) { round(line) }
            lines = now
        }
        guard lines.count >= rounds else { throw LocalNetworkError("only \(lines.count) of \(rounds) rounds finished in time") }
        var failures = lines.compactMap(\.error)
        for line in lines where line.market.requests < requests || line.market.offers < evs {
            failures.append("round \(line.round) carried \(line.market.requests) of \(requests) requests and "
                            + "\(line.market.offers) of \(evs) offers")
        }
        let measured = lines.dropFirst()
        return Result(
            nodes: layout.nodes.map { ($0.name, $0.role.rawValue, Double(peak[$0.name] ?? 0) / 1_048_576) },
            exchanges: options.exchanges, rounds: lines,
            medianPhasesMs: ["collect": measured.map(\.phases.collect).median(), "sealInputs": measured.map(\.phases.sealInputs).median(),
                             "allocate": measured.map(\.phases.allocate).median(), "record": measured.map(\.phases.record).median(),
                             "total": measured.map(\.phases.total).median()],
            failures: failures)
    }
}
