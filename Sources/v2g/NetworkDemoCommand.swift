import ArgumentParser
import FoundationEssentials
import V2GGateway
import V2GKit
import V2GLedger

/// `v2g demo`: a network of campuses as separate node processes on loopback, trading for a few rounds.
struct NetworkDemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "network",
        abstract: "Run campuses as separate `v2g node` processes on loopback: trading rounds, the cross-campus step, identical chains.",
        discussion: """
            Writes keys and a TOML config per node under --data-dir (a directory this command made before is \
            replaced), starts every node, lets the control systems run --rounds rounds (RET in each campus, \
            then SRET across campuses on the BoCS), prints each round, waits until every node holds its \
            campus's chains, stops every node with SIGTERM, and reads every store back: each must verify and \
            the chains, balances and penalty lists of a campus (and the BoCS of the control systems) must be \
            identical. Faults can be injected: --kill NODE@ROUND (SIGKILL as the round starts, restarted at \
            once), --partition NODE@ROUND (stopped, its sockets closed, restarted a round later), --stall \
            NODE@ROUND (SIGSTOP for a round, then SIGCONT). Exit status 0 when every check passed.
            """)

    @Option(help: "Number of campuses (at least 1; the BoCS needs 2).")
    var campuses = 3
    @Option(help: "Trading rounds each control system runs.")
    var rounds = 4
    @Option(help: "Endorsers per campus (the policy needs all of them).")
    var endorsers = 2
    @Option(help: "Exchanges per campus.")
    var exchanges = 3
    @Option(help: "Consumers per exchange (each asks for energy every round).")
    var consumers = 20
    @Option(help: "Vehicles per campus, comma-separated, cycled over the campuses.")
    var vehicles = "12,40,90"
    @Option(help: "Milliseconds from one round's start to the next.")
    var intervalMs = 1500
    @Option(help: "Seed for consumers, vehicles and meters.")
    var seed: UInt64 = 2024
    @Option(help: "Directory for the nodes' keys, configs, logs and SQLite stores.")
    var dataDir = "demo-data"
    @Option(help: "SIGKILL a node as a round starts, then restart it (NODE@ROUND, e.g. A-x1@2).")
    var kill: [String] = []
    @Option(help: "Stop a node (sockets closed) as a round starts and restart it a round later (NODE@ROUND).")
    var partition: [String] = []
    @Option(help: "SIGSTOP a node as a round starts and SIGCONT it a round later (NODE@ROUND).")
    var stall: [String] = []
    @Flag(help: "Also start a node whose key no campus lists, linking to campus A: it must be refused.")
    var intruder = false
    @Flag(help: "Also send campus A's CS garbage, oversize, forged and replayed frames from a member key during round 2.")
    var attack = false
    @Option(help: "Write a JSON summary of the run here.")
    var summary: String?

    func run() throws {
        guard campuses >= 1, campuses <= 26, rounds >= 1, endorsers >= 1, exchanges >= 1, consumers >= 1 else {
            throw CommandFailure.badInput("--campuses 1...26, --rounds, --endorsers, --exchanges and --consumers at least 1")
        }
        let vehicleCounts = vehicles.split(separator: ",").compactMap { Int($0.trimmingWhitespace()) }
        guard !vehicleCounts.isEmpty, vehicleCounts.allSatisfy({ $0 >= 1 }) else {
            throw CommandFailure.badInput("--vehicles: comma-separated counts of at least 1, got \"\(vehicles)\"")
        }
        guard intervalMs >= 200 else { throw CommandFailure.badInput("--interval-ms must be at least 200") }
        let faults = try CommandFailure.input { () throws(LocalNetworkError) in
            try Fault.parse(kill: kill, partition: partition, stall: stall)
        }
        let root = try DemoDirectory.prepare(dataDir)
        var options = LocalNetworkLayout.Options()
        options.campuses = campuses
        options.rounds = rounds
        options.endorsers = endorsers
        options.exchanges = exchanges
        options.consumersPerExchange = consumers
        options.vehicles = vehicleCounts
        options.intervalMs = intervalMs
        options.collectMs = intervalMs * 4 / 5
        options.seed = seed
        options.intruder = intruder
        let rogue = attack ? try SigningKey() : nil
        options.rogue = rogue?.publicKey
        options.startAtMs = Int64(Date().timeIntervalSince1970 * 1000) + Int64(options.startAfterMs)
        let layout = try LocalNetworkLayout(options: options, root: root)
        for f in faults where layout.node(f.node) == nil {
            throw CommandFailure.badInput("no node \(f.node) (nodes are named like \(layout.nodes.prefix(4).map(\.name).joined(separator: ", ")), …)")
        }
        print("V2GKit \(coreVersion) network demo — \(campuses) campuses, \(layout.nodes.count) node processes on loopback, data in \(root)")
        for c in layout.campusNames {
            let vehicles = layout.campus(c).filter { $0.role == .ev }.map { layout.vehicles[$0.name]?.count ?? 0 }.reduce(0, +)
            print("  campus \(c): 1 control system, \(endorsers) endorsers (policy \(endorsers) of \(endorsers)), \(exchanges) exchanges × \(consumers) consumers, \(vehicles) vehicles")
        }
        if campuses > 1 { print("  BoCS: the \(campuses) control systems; \(layout.campusNames[0])'s orders it; SRET (double) across campuses, endorsed by all") }
        if intruder { print("  intruder: a node with a key nobody lists, dialling campus \(layout.campusNames[0])") }
        print("")
        var chainsHeader = false
        let demo = LocalNetworkDemo(layout: layout, faults: faults, rogue: rogue, executable: try Self.executable())
        let report = try demo.run { event in
            switch event {
            case .note(let line): print("  \(line)")
            case let .round(round, lines): Self.printRound(round, lines, campuses: layout.campusNames)
            case .chains(let line):
                if !chainsHeader { print("Chains, read back from every node's SQLite store after SIGTERM:") }
                chainsHeader = true
                print("  \(line)")
            }
        }
        if let summary {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(report).write(to: URL(fileURLWithPath: summary))
        }
        print("")
        if report.failures.isEmpty {
            print(String(cFormat: "All checks passed in %.1f s. ", report.seconds)
                  + "Inspect a store: v2g ledger show \(layout.controlSystem(layout.campusNames[0]).store)")
        } else {
            print("FAILED:")
            for f in report.failures { print("  - \(f)") }
            throw ExitCode(1)
        }
    }

    static func executable() throws -> String {
        let path = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        guard FileManager.default.isExecutableFile(atPath: path) else { throw CommandFailure.badInput("cannot find the v2g executable") }
        return path
    }

    static func printRound(_ round: UInt64, _ lines: [String: RoundLine], campuses: [String]) {
        print("round \(round)")
        print("  campus  requests  offers  allocations  fulfilled  fill rate   profit ¥  blocks BoE/BoEV/BoCS   collect     seal  allocate   record    total (ms)")
        for c in campuses {
            guard let l = lines[c] else { continue }
            let m = l.market, p = l.phases
            let blocks = "\(l.heights["BoE"].map(String.init) ?? "-")/\(l.heights["BoEV"].map(String.init) ?? "-")/\(l.heights["BoCS"].map(String.init) ?? "-")"
            print("  " + c.padded(to: 6)
                  + String(cFormat: " %9d %7d %12d %10d %9.1f%% %10.2f  ", m.requests, m.offers, m.allocations, m.fulfilled, m.fillRate * 100,
                           Double(m.profit) / 1e6)
                  + blocks.padded(to: 20)
                  + String(cFormat: " %8.1f %8.1f %9.1f %8.1f %8.1f", p.collect, p.sealInputs, p.allocate, p.record, p.total)
                  + (l.error.map { "  ERROR: \($0)" } ?? ""))
        }
        if let cross = campuses.compactMap({ lines[$0]?.cross }).first {
            let m = cross.market, p = cross.phases
            let left = campuses.compactMap { c in lines[c].map { "\(c) \($0.surplusRequests)/\($0.surplusOffers)" } }.joined(separator: ", ")
            print("  cross-campus (SRET on the BoCS; left over requests/EVs: \(left)): " + String(cFormat: "%d requests, %d EVs → %d allocations, %d fulfilled, fill rate %.1f%% of the energy, profit ¥%.2f; collect %.1f, seal %.1f, allocate %.1f, record %.1f, total %.1f ms",
                         m.requests, m.offers, m.allocations, m.fulfilled, m.fillRate * 100, Double(m.profit) / 1e6, p.collect,
                         p.sealInputs, p.allocate, p.record, p.total))
        }
    }
}
