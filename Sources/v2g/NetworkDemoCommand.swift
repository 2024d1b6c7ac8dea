import ArgumentParser
import Foundation
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
        let vehicleCounts = vehicles.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !vehicleCounts.isEmpty, vehicleCounts.allSatisfy({ $0 >= 1 }) else {
            throw CommandFailure.badInput("--vehicles: comma-separated counts of at least 1, got \"\(vehicles)\"")
        }
        guard intervalMs >= 200 else { throw CommandFailure.badInput("--interval-ms must be at least 200") }
        let faults = try Fault.parse(kill: kill, partition: partition, stall: stall)
        let root = try DemoDirectory.prepare(dataDir)
        let started = ContinuousClock.now
        let startedMs = ControlSystemRunner.nowMs()

        var options = DemoNetworkLayout.Options()
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
        let rogue = try SigningKey()
        if attack { options.rogue = rogue.publicKey }
        options.startAtMs = startedMs + Int64(options.startAfterMs)
        let layout = try DemoNetworkLayout(options: options, root: root)
        for f in faults where layout.node(f.node) == nil {
            throw CommandFailure.badInput("no node \(f.node) (nodes are named like \(layout.nodes.prefix(4).map(\.name).joined(separator: ", ")), …)")
        }
        let run = DemoNetworkRun(layout: layout, executable: try Self.executable())
        print("V2GKit \(coreVersion) network demo — \(campuses) campuses, \(layout.nodes.count) node processes on loopback, data in \(root)")
        for c in layout.campusNames {
            let vehicles = layout.campus(c).filter { $0.role == .ev }.map { layout.vehicles[$0.name]?.count ?? 0 }.reduce(0, +)
            print("  campus \(c): 1 control system, \(endorsers) endorsers (policy \(endorsers) of \(endorsers)), \(exchanges) exchanges × \(consumers) consumers, \(vehicles) vehicles")
        }
        if campuses > 1 { print("  BoCS: the \(campuses) control systems; \(layout.campusNames[0])'s orders it; SRET (double) across campuses, endorsed by all") }
        if intruder { print("  intruder: a node with a key nobody lists, dialling campus \(layout.campusNames[0])") }
        print("")

        try run.startAll()
        var failures: [String] = []
        var lines: [UInt64: [String: RoundLine]] = [:]
        // Faults fire on the shared round schedule: 20 ms into the round's slot (after the CS announced it,
        // while agents are submitting); a partitioned or stalled node comes back half-way through the next slot.
        func slot(_ round: UInt64, plus ms: Int) -> ContinuousClock.Instant {
            let at = options.startAtMs + Int64(round - 1) * Int64(intervalMs) + Int64(ms)
            return started + .milliseconds(at - startedMs)
        }
        var pending = faults.map { (at: slot($0.round, plus: 20), fault: $0) }
        var attackAt: ContinuousClock.Instant? = attack ? slot(min(2, UInt64(rounds)), plus: intervalMs * 3 / 4) : nil
        var sent: DemoAttack.Sent?
        var restarts: [(at: ContinuousClock.Instant, node: String, action: Fault.Kind)] = []
        let deadline = ContinuousClock.now + .milliseconds(options.startAfterMs + (rounds + 6) * intervalMs) + .seconds(20)
        var printed: UInt64 = 0
        while printed < UInt64(rounds), ContinuousClock.now < deadline {
            Thread.sleep(forTimeInterval: 0.005)
            for (i, p) in pending.enumerated().reversed() where ContinuousClock.now >= p.at {
                let f = p.fault
                switch f.kind {
                case .kill:
                    run.signal(f.node, SIGKILL)
                    _ = run.wait(f.node, timeout: .seconds(5))
                    print("  ✂ \(f.node) killed (SIGKILL) 20 ms into round \(f.round); restarting it")
                    restarts.append((ContinuousClock.now + .milliseconds(100), f.node, .kill))
                case .partition:
                    run.signal(f.node, SIGTERM)
                    _ = run.wait(f.node, timeout: .seconds(10))
                    print("  ✂ \(f.node) partitioned (stopped, its sockets closed) 20 ms into round \(f.round)")
                    restarts.append((slot(f.round + 1, plus: intervalMs / 2), f.node, .partition))
                case .stall:
                    run.signal(f.node, SIGSTOP)
                    print("  ✂ \(f.node) stalled (SIGSTOP) 20 ms into round \(f.round)")
                    restarts.append((slot(f.round + 1, plus: intervalMs / 2), f.node, .stall))
                }
                pending.remove(at: i)
            }
            for (i, r) in restarts.enumerated().reversed() where ContinuousClock.now >= r.at {
                if r.action == .stall {
                    run.signal(r.node, SIGCONT)
                    print("  ↺ \(r.node) resumed (SIGCONT)")
                } else {
                    do {
                        try run.start(r.node)
                        print("  ↺ \(r.node) restarted from its store")
                    } catch {
                        failures.append("restarting \(r.node): \(error)")
                    }
                }
                restarts.remove(at: i)
            }
            if let at = attackAt, ContinuousClock.now >= at {
                attackAt = nil
                do {
                    sent = try DemoAttack.run(rogue: rogue, target: layout.controlSystem(layout.campusNames[0]))
                    print("  ☠ a rogue member sent campus \(layout.campusNames[0])'s CS garbage, oversize, unknown and truncated frames, a forged transaction and block, and replays of a committed transaction and block")
                } catch {
                    failures.append("the attack could not be run: \(error)")
                }
            }
            lines = run.roundsByNumber()
            while let next = lines[printed + 1], next.count == layout.campusNames.count {
                printed += 1
                Self.printRound(printed, next, campuses: layout.campusNames)
                failures += next.values.compactMap { l in l.error.map { "campus \(l.campus) round \(l.round): \($0)" } }
            }
        }
        for r in restarts {   // faults that had not ended when the rounds did
            if r.action == .stall { run.signal(r.node, SIGCONT) } else { try? run.start(r.node) }
        }
        if printed < UInt64(rounds) { failures.append("only \(printed) of \(rounds) rounds finished on every campus in time") }

        // Convergence: every node of a campus reports its CS's heights (from the metrics endpoints).
        let converged = Self.waitForConvergence(run, layout: layout, timeout: .seconds(20))
        if !converged.isEmpty { failures.append("not converged within 20 s: \(converged.joined(separator: ", "))") }
        var report = DemoSummary(rounds: [])
        var intruderRefused: Int?
        if intruder {
            let m = run.metrics(layout.controlSystem(layout.campusNames[0]).name)
            intruderRefused = Int(m["v2g_connections_refused_total"] ?? 0)
        }
        if let sent {
            let m = run.metrics(layout.controlSystem(layout.campusNames[0]).name)
            func v(_ key: String) -> Int { Int(m[key] ?? 0) }
            let seen = DemoSummary.Attack(
                sent: sent, malformed: v("v2g_gossip_dropped_total{reason=\"malformed\"}"),
                oversize: v("v2g_gossip_dropped_total{reason=\"oversize\"}"),
                unknownType: v("v2g_gossip_dropped_total{reason=\"unknownType\"}"),
                poolNotMember: v("v2g_pool_refusals_total{reason=\"notMember\"}"),
                poolReplay: v("v2g_pool_refusals_total{reason=\"replay\"}"),
                duplicates: v("v2g_gossip_duplicates_total"),
                blocksRejected: m.filter { $0.key.hasPrefix("v2g_block_rejections_total") }.values.reduce(0) { $0 + Int($1) },
                blocksStale: v("v2g_blocks_stale_total"))
            print("  attack counted at campus \(layout.campusNames[0])'s CS: \(seen.malformed) malformed, \(seen.oversize) oversize, \(seen.unknownType) unknown-type frames dropped; the pool refused \(seen.poolNotMember) transaction(s) from a non-member; replays: \(seen.poolReplay) refused by the pool, \(seen.duplicates) gossip duplicates dropped (replays included); forged blocks: \(seen.blocksRejected) rejected, \(seen.blocksStale) stale")
            // A replay of what the CS already holds is dropped as a gossip duplicate (same bytes) before the pool sees it.
            if seen.malformed < 2 || seen.oversize < 1 || seen.unknownType < 1 || seen.poolNotMember < 1
                || seen.poolReplay + seen.duplicates < 2 || seen.blocksRejected + seen.blocksStale < 1 {
                failures.append("the attack's frames were not all counted")
            }
            report.attack = seen
        }
        let bad = run.stopAll()
        if !bad.isEmpty { failures.append("nodes that did not stop cleanly: \(bad.joined(separator: ", "))") }

        // Read every store back and compare.
        report.rounds = lines.keys.sorted().flatMap { r in layout.campusNames.compactMap { lines[r]?[$0] } }
        print("Chains, read back from every node's SQLite store after SIGTERM:")
        var snapshots: [String: ChainSnapshot] = [:]
        for n in layout.nodes { snapshots[n.name] = ChainSnapshot.read(n.store) }
        for c in layout.campusNames {
            let nodes = layout.campus(c)
            let reference = snapshots[layout.controlSystem(c).name]!
            let differing = nodes.filter { snapshots[$0.name]!.heads != reference.heads }.map(\.name)
            let unverified = nodes.filter { snapshots[$0.name]!.verified != nil }.map { "\($0.name): \(snapshots[$0.name]!.verified!)" }
            let balances = nodes.allSatisfy { snapshots[$0.name]!.balances == reference.balances }
            let penalties = nodes.allSatisfy { snapshots[$0.name]!.penalties == reference.penalties }
            let ok = differing.isEmpty && unverified.isEmpty && balances && penalties
            print("  campus \(c): \(nodes.count) nodes, \(reference.describe([.boe, .boev])) — "
                  + (ok ? "identical on every node, every store verifies, \(reference.balances.count) balances (sum \(reference.balances.values.reduce(0, +))) and \(reference.penalties.consumers.count + reference.penalties.exchanges.count) penalty lists agree"
                        : "MISMATCH"))
            if !differing.isEmpty { failures.append("campus \(c): chains differ on \(differing.joined(separator: ", "))") }
            failures += unverified
            if !balances { failures.append("campus \(c): balances differ") }
            if !penalties { failures.append("campus \(c): penalty lists differ") }
            report.campuses.append(.init(name: c, nodes: nodes.count, identical: ok, boeHeight: reference.heads[.boe]?.height ?? 0,
                                         boevHeight: reference.heads[.boev]?.height ?? 0))
        }
        if campuses > 1 {
            let css = layout.campusNames.map { layout.controlSystem($0) }
            let bocs = css.map { ChainSnapshot.read($0.bocsStore!) }
            let ok = bocs.allSatisfy { $0.heads == bocs[0].heads && $0.balances == bocs[0].balances && $0.verified == nil }
                && bocs[0].heads[.bocs] != nil
            print("  BoCS: \(css.count) control systems, \(bocs[0].describe([.bocs])) — "
                  + (ok ? "identical, verified, \(bocs[0].balances.count) cross-campus balances agree" : "MISMATCH"))
            if !ok { failures.append("the BoCS differs between control systems or does not verify") }
            report.bocsIdentical = ok
            report.bocsHeight = bocs[0].heads[.bocs]?.height ?? 0
        }
        if let refused = intruderRefused {
            let a = snapshots[layout.controlSystem(layout.campusNames[0]).name]!
            let theirs = snapshots["intruder"]!
            let stored = theirs.heads.contains { c, h in a.heads[c]?.hash == h.hash }
            print("  intruder: \(refused) connection(s) refused by campus \(layout.campusNames[0])'s CS (ZAP); "
                  + (stored ? "ITS BLOCKS WERE STORED" : "none of its blocks is on campus \(layout.campusNames[0])'s chains"))
            if refused == 0 { failures.append("the intruder was not refused") }
            if stored { failures.append("the intruder's blocks were stored") }
            report.intruderRefused = refused
        }
        report.nodes = layout.nodes.map { n in
            .init(name: n.name, campus: n.campus, role: n.role.rawValue, verified: snapshots[n.name]!.verified == nil,
                  heights: Dictionary(uniqueKeysWithValues: snapshots[n.name]!.heads.map { ("\($0.key)", $0.value.height) }))
        }
        report.failures = failures
        report.seconds = RoundLine.ms(ContinuousClock.now - started) / 1000
        if let summary {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(report).write(to: URL(fileURLWithPath: summary))
        }
        print("")
        if failures.isEmpty {
            print(String(format: "All checks passed in %.1f s. Inspect a store: v2g ledger show %@", report.seconds,
                         layout.controlSystem(layout.campusNames[0]).store))
        } else {
            print("FAILED:")
            for f in failures { print("  - \(f)") }
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
        print("  campus  requests  offers  allocations  fill rate     profit  blocks BoE/BoEV/BoCS   collect     seal  allocate   record    total (ms)")
        for c in campuses {
            guard let l = lines[c] else { continue }
            let m = l.market, p = l.phases
            let blocks = "\(l.heights["BoE"].map(String.init) ?? "-")/\(l.heights["BoEV"].map(String.init) ?? "-")/\(l.heights["BoCS"].map(String.init) ?? "-")"
            print(String(format: "  %-6@ %9d %7d %12d %9.1f%% %10.2f  %-20@ %8.1f %8.1f %9.1f %8.1f %8.1f", c, m.requests, m.offers,
                         m.allocations, m.fillRate * 100, Double(m.profit) / 1e6, blocks, p.collect, p.sealInputs, p.allocate,
                         p.record, p.total) + (l.error.map { "  ERROR: \($0)" } ?? ""))
        }
        if let cross = campuses.compactMap({ lines[$0]?.cross }).first {
            let m = cross.market, p = cross.phases
            let left = campuses.compactMap { c in lines[c].map { "\(c) \($0.surplusRequests)/\($0.surplusOffers)" } }.joined(separator: ", ")
            print(String(format: "  cross-campus (SRET on the BoCS; left over requests/EVs: %@): %d requests, %d EVs → %d allocations, fill rate %.1f%%, profit %.2f; collect %.1f, seal %.1f, allocate %.1f, record %.1f, total %.1f ms",
                         left, m.requests, m.offers, m.allocations, m.fillRate * 100, Double(m.profit) / 1e6, p.collect,
                         p.sealInputs, p.allocate, p.record, p.total))
        }
    }

    /// Waits until every running campus node reports its CS's chain heights; returns the nodes that do not.
    static func waitForConvergence(_ run: DemoNetworkRun, layout: DemoNetworkLayout, timeout: Duration) -> [String] {
        let deadline = ContinuousClock.now + timeout
        var lagging: [String] = []
        repeat {
            lagging = []
            for c in layout.campusNames {
                let cs = run.metrics(layout.controlSystem(c).name)
                let want = cs.filter { $0.key.hasPrefix("v2g_chain_height{") }
                for n in layout.campus(c) where n.role != .controlSystem {
                    let have = run.metrics(n.name).filter { $0.key.hasPrefix("v2g_chain_height{") }
                    if want.isEmpty || have != want { lagging.append(n.name) }
                }
            }
            if lagging.isEmpty { return [] }
            Thread.sleep(forTimeInterval: 0.1)
        } while ContinuousClock.now < deadline
        return lagging
    }
}

extension RoundLine {
    var crossTotal: Double { cross?.phases.total ?? 0 }
}

/// A fault to inject into one node as a round starts.
struct Fault {
    enum Kind { case kill, partition, stall }
    var kind: Kind
    var node: String
    var round: UInt64

    static func parse(kill: [String], partition: [String], stall: [String]) throws -> [Fault] {
        func one(_ text: String, _ kind: Kind, _ flag: String) throws -> Fault {
            let parts = text.split(separator: "@")
            guard parts.count == 2, let round = UInt64(parts[1]), round >= 1 else {
                throw CommandFailure.badInput("--\(flag): expected NODE@ROUND, got \"\(text)\"")
            }
            return Fault(kind: kind, node: String(parts[0]), round: round)
        }
        return try kill.map { try one($0, .kill, "kill") } + partition.map { try one($0, .partition, "partition") }
            + stall.map { try one($0, .stall, "stall") }
    }
}

/// What `--summary` writes.
struct DemoSummary: Codable {
    struct Campus: Codable {
        var name: String
        var nodes: Int
        var identical: Bool
        var boeHeight: UInt64
        var boevHeight: UInt64
    }
    struct Node: Codable {
        var name: String
        var campus: String
        var role: String
        var verified: Bool
        var heights: [String: UInt64]
    }
    struct Attack: Codable {
        var sent: DemoAttack.Sent
        var malformed, oversize, unknownType, poolNotMember, poolReplay, duplicates, blocksRejected, blocksStale: Int
    }
    var rounds: [RoundLine]
    var attack: Attack?
    var campuses: [Campus] = []
    var bocsIdentical = false
    var bocsHeight: UInt64 = 0
    var intruderRefused: Int?
    var nodes: [Node] = []
    var failures: [String] = []
    var seconds = 0.0
}

/// The demo's data directory: created, or replaced if an earlier demo made it; anything else is refused.
enum DemoDirectory {
    static let marker = ".v2g-demo"

    static func prepare(_ path: String) throws -> String {
        let fm = FileManager.default
        let absolute = path.hasPrefix("/") ? path : (fm.currentDirectoryPath as NSString).appendingPathComponent(path)
        if fm.fileExists(atPath: absolute) {
            let contents = (try? fm.contentsOfDirectory(atPath: absolute)) ?? []
            guard contents.isEmpty || contents.contains(marker) else {
                throw CommandFailure.badInput("--data-dir \(absolute) exists and was not made by v2g demo; choose another")
            }
            try fm.removeItem(atPath: absolute)
        }
        try fm.createDirectory(atPath: absolute, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        fm.createFile(atPath: (absolute as NSString).appendingPathComponent(marker), contents: Data())
        return absolute
    }
}
