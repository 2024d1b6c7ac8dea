import FoundationEssentials
import V2GKit

/// Campuses as separate `v2g node` processes on loopback, timed round by round (what `v2g bench network` runs):
/// each campus a control system, two endorsers (2 of 2), three exchanges and `gateways` EV gateways, the control
/// systems on the BoCS when there are several.
public struct NetworkRoundBenchmark: Sendable {
    public var campuses = 3
    /// Requests and EVs in all, spread evenly over the campuses.
    public var requests = 600, evs = 270
    public var gateways = 3
    /// Rounds; the first is a warm-up.
    public var rounds = 6
    public var intervalMs = 3000
    /// Niceness of the exchanges' and EV gateways' processes (0: the control systems' and endorsers').
    public var agentNice = 0
    public var dataDirectory = ".build/bench-network"
    public var executable: String

    public init(executable: String) { self.executable = executable }

    /// What a run measured.
    public struct Result: Sendable {
        public var processes: Int
        /// The campuses' names; the first orders the BoCS.
        public var campusNames: [String]
        /// Every round's lines by campus, round 1 first.
        public var lines: [[String: RoundLine]]
        /// Rounds 2 and after, timed at their slowest campus.
        public var measured: [NetworkRoundTimes]
        /// CPU seconds (user and system) per round, summed over every node process, rounds 2 and after.
        public var cpuSecondsPerRound: Double?
        public var failures: [String]
    }

    /// Starts the network, waits for `rounds` rounds (calling `started` once the nodes run, `round` as each
    /// round completes on every campus), stops it and returns what it measured.
    /// - Throws: `LocalNetworkError` if the nodes cannot start or the rounds do not finish in time.
    public func run(started: (_ processes: Int) -> Void = { _ in },
                    round: (_ number: UInt64, _ lines: [String: RoundLine], _ times: NetworkRoundTimes) -> Void = { _, _, _ in })
        throws -> Result {
        guard campuses >= 1, requests >= campuses * 3, evs >= campuses, gateways >= 1, rounds >= 2 else {
            throw LocalNetworkError("campuses and gateways at least 1, rounds at least 2, and enough requests and EVs for every campus")
        }
        var options = LocalNetworkLayout.Options()
        options.campuses = campuses
        options.requestsPerCampus = requests / campuses
        options.vehicles = [evs / campuses]
        options.gatewaysPerCampus = gateways
        options.rounds = rounds
        options.intervalMs = intervalMs
        options.collectMs = intervalMs * 4 / 5
        options.shortfallPPM = 0
        let root = try DemoDirectory.prepare(dataDirectory)
        options.startAtMs = Int64(Date().timeIntervalSince1970 * 1000) + Int64(options.startAfterMs)
        let layout = try LocalNetworkLayout(options: options, root: root)
        let network = LocalNetwork(layout: layout, executable: executable)
        for n in layout.nodes where n.role == .exchange || n.role == .ev { network.niceness[n.name] = agentNice }
        try network.startAll()
        defer { _ = network.stopAll() }
        started(layout.nodes.count)
        let orderer = layout.campusNames[0]
        let deadline = ContinuousClock.now + .milliseconds(options.startAfterMs + (rounds + 4) * intervalMs) + .seconds(30)
        var lines: [UInt64: [String: RoundLine]] = [:]
        var done: UInt64 = 0
        var cpuAfterWarmUp: Double?, cpuAtEnd: Double?
        while done < UInt64(rounds), ContinuousClock.now < deadline {
            Threads.sleep(for: .seconds(0.05))
            lines = network.roundsByNumber()
            while let next = lines[done + 1], next.count == campuses {
                done += 1
                if done == 1 { cpuAfterWarmUp = network.cpuSeconds }
                if done == UInt64(rounds) { cpuAtEnd = network.cpuSeconds }
                round(done, next, NetworkRoundTimes(next, orderer: orderer))
            }
        }
        guard done == UInt64(rounds) else { throw LocalNetworkError("only \(done) of \(rounds) rounds finished in time") }
        return Result(
            processes: layout.nodes.count, campusNames: layout.campusNames,
            lines: (1...UInt64(rounds)).map { lines[$0]! },
            measured: (2...UInt64(rounds)).map { NetworkRoundTimes(lines[$0]!, orderer: orderer) },
            cpuSecondsPerRound: cpuAfterWarmUp.flatMap { a in cpuAtEnd.map { ($0 - a) / Double(rounds - 1) } },
            failures: lines.values.flatMap { $0.values.compactMap(\.error) })
    }
}
