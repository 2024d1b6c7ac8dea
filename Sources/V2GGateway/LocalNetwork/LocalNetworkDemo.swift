import FoundationEssentials
import V2GLedger
import V2GTransport
import Glibc
import V2GKit

/// A demo of a local network (`v2g demo`): starts every node, injects faults on the round schedule, lets a rogue
/// member attack, waits for the rounds and for every node to converge, stops every node with SIGTERM, and reads
/// every store back: each must verify, and the chains, balances and penalty lists of a campus (and the BoCS of
/// the control systems) must be identical.
public struct LocalNetworkDemo {
    /// What happens, as it happens, for the caller to show.
    public enum Event: Sendable {
        /// A fault was injected or ended, or the attack was sent: a line of narrative.
        case note(String)
        /// Every campus finished round `round`: their control systems' lines.
        case round(UInt64, [String: RoundLine])
        /// The stores were read back: a line of narrative per campus, the BoCS and the intruder.
        case chains(String)
    }

    public var layout: LocalNetworkLayout
    public var faults: [Fault]
    /// The rogue member's key, if it attacks campus A's control system (in round 2); the layout must admit it.
    public var rogue: SigningKey?
    /// The `v2g` binary the nodes run.
    public var executable: String

    public init(layout: LocalNetworkLayout, faults: [Fault], rogue: SigningKey?, executable: String) {
        self.layout = layout
        self.faults = faults
        self.rogue = rogue
        self.executable = executable
    }

    /// Runs the demo; `report` is called on this thread as things happen. The summary's `failures` is empty
    /// when every check passed.
    public func run(report: (Event) -> Void) throws -> DemoSummary {
        let options = layout.options
        let started = ContinuousClock.now
        let startedMs = Int64(Date().timeIntervalSince1970 * 1000)
        let campusA = layout.campusNames[0]
        let network = LocalNetwork(layout: layout, executable: executable)
        try network.startAll()
        var failures: [String] = []
        var lines: [UInt64: [String: RoundLine]] = [:]
        // Faults fire on the shared round schedule: 20 ms into the round's slot (after the CS announced it,
        // while agents are submitting); a partitioned or stalled node comes back half-way through the next slot.
        func slot(_ round: UInt64, plus ms: Int) -> ContinuousClock.Instant {
            let at = options.startAtMs + Int64(round - 1) * Int64(options.intervalMs) + Int64(ms)
            return started + .milliseconds(at - startedMs)
        }
        var pending = faults.map { (at: slot($0.round, plus: 20), fault: $0) }
        var attackAt: ContinuousClock.Instant? = rogue != nil ? slot(min(2, UInt64(options.rounds)), plus: options.intervalMs * 3 / 4) : nil
        var sent: RogueMember.Sent?
        var resident: [Int?] = []   // the attacked node's RSS: before the attack, after it, at the end
        var logAtAttack: (bytes: Int, at: ContinuousClock.Instant)?   // the attacked node's log when it began
        var restarts: [(at: ContinuousClock.Instant, node: String, action: Fault.Kind)] = []
        let deadline = ContinuousClock.now + .milliseconds(options.startAfterMs + (options.rounds + 6) * options.intervalMs) + .seconds(20)
        var printed: UInt64 = 0
        while printed < UInt64(options.rounds), ContinuousClock.now < deadline {
            // Other processes write the round files: there is no condition to wait on across them, so poll.
            Threads.sleep(for: .seconds(0.005))
            for (i, p) in pending.enumerated().reversed() where ContinuousClock.now >= p.at {
                let f = p.fault
                switch f.kind {
                case .kill:
                    network.signal(f.node, SIGKILL)
                    _ = network.wait(f.node, timeout: .seconds(5))
                    report(.note("✂ \(f.node) killed (SIGKILL) 20 ms into round \(f.round); restarting it"))
                    restarts.append((ContinuousClock.now + .milliseconds(100), f.node, .kill))
                case .partition:
                    network.signal(f.node, SIGTERM)
                    _ = network.wait(f.node, timeout: .seconds(10))
                    report(.note("✂ \(f.node) partitioned (stopped, its sockets closed) 20 ms into round \(f.round)"))
                    restarts.append((slot(f.round + 1, plus: options.intervalMs / 2), f.node, .partition))
                case .stall:
                    network.signal(f.node, SIGSTOP)
                    report(.note("✂ \(f.node) stalled (SIGSTOP) 20 ms into round \(f.round)"))
                    restarts.append((slot(f.round + 1, plus: options.intervalMs / 2), f.node, .stall))
                }
                pending.remove(at: i)
            }
            for (i, r) in restarts.enumerated().reversed() where ContinuousClock.now >= r.at {
                if r.action == .stall {
                    network.signal(r.node, SIGCONT)
                    report(.note("↺ \(r.node) resumed (SIGCONT)"))
                } else {
                    do {
                        try network.start(r.node)
                        report(.note("↺ \(r.node) restarted from its store"))
                    } catch {
                        failures.append("restarting \(r.node): \(error)")
                    }
                }
                restarts.remove(at: i)
            }
            if let at = attackAt, let rogue, ContinuousClock.now >= at {
                attackAt = nil
                let target = layout.controlSystem(campusA)
                do {
                    resident = [network.residentBytes(target.name)]
                    logAtAttack = (Self.fileSize(target.log), ContinuousClock.now)
                    sent = try RogueMember.run(rogue: rogue, endpoint: target.endpoint, target: target.key.publicKey)
                    resident.append(network.residentBytes(target.name))
                    report(.note("☠ a rogue member sent campus \(campusA)'s CS garbage, oversize, unknown and truncated frames, a forged transaction and block, replays of a committed transaction and block, 1,000 forged endorsements, 8 messages of 8 × 1 MiB frames, opened 9 connections and \(sent!.silentConnections) that never send"))
                } catch {
                    failures.append("the attack could not be run: \(error)")
                }
            }
            lines = network.roundsByNumber()
            while let next = lines[printed + 1], next.count == layout.campusNames.count {
                printed += 1
                report(.round(printed, next))
                failures += next.values.compactMap { l in l.error.map { "campus \(l.campus) round \(l.round): \($0)" } }
            }
        }
        for r in restarts {   // faults that had not ended when the rounds did
            if r.action == .stall { network.signal(r.node, SIGCONT) } else { try? network.start(r.node) }
        }
        if printed < UInt64(options.rounds) { failures.append("only \(printed) of \(options.rounds) rounds finished on every campus in time") }

        // Convergence: every node of a campus reports its CS's heights (from the metrics endpoints).
        var logGrowth: (bytes: Int, seconds: Double)?
        if sent != nil {
            let target = layout.controlSystem(campusA)
            resident.append(network.residentBytes(target.name))
            if let l = logAtAttack {
                logGrowth = (Self.fileSize(target.log) - l.bytes, RoundLine.ms(ContinuousClock.now - l.at) / 1000)
            }
        }
        let lagging = network.waitForConvergence(timeout: .seconds(20))
        if !lagging.isEmpty { failures.append("not converged within 20 s: \(lagging.joined(separator: ", "))") }
        var summary = DemoSummary(rounds: [])
        let csMetrics = network.metrics(layout.controlSystem(campusA).name)
        let intruderRefused = options.intruder ? Int(csMetrics["v2g_connections_refused_total"] ?? 0) : nil
        if let sent {
            var seen = Self.attackCounted(sent, csMetrics)
            let mebibytes = resident.compactMap { $0.map { $0 >> 20 } }
            seen.residentMiB = mebibytes.count == 3 ? mebibytes : nil
            seen.logBytes = logGrowth?.bytes
            seen.logSeconds = logGrowth?.seconds
            report(.note("attack counted at campus \(campusA)'s CS: \(seen.malformed) malformed, \(seen.oversize) oversize, \(seen.unknownType) unknown-type frames dropped; the pool refused \(seen.poolNotMember) transaction(s) from a non-member; replays: \(seen.poolReplay) refused by the pool, \(seen.duplicates) gossip duplicates dropped (replays included); forged blocks: \(seen.blocksRejected) rejected, \(seen.blocksStale) stale; \(seen.unexpected) forged endorsements and \(seen.badEnvelope) many-frame messages dropped; \(seen.connectionsCut) connections cut"
                        + (seen.residentMiB.map { "; its resident memory \($0.map(String.init).joined(separator: " → ")) MiB (before, after the attack, at the end)" } ?? "")
                        + (logGrowth.map { String(cFormat: "; its log grew %d bytes in %.1f s (%.0f B/s)", $0.bytes, $0.seconds, Double($0.bytes) / max($0.seconds, 0.001)) } ?? "")))
            // A replay of what the CS already holds is dropped as a gossip duplicate (same bytes) before the pool sees it.
            if seen.malformed < 2 || seen.oversize < 1 || seen.unknownType < 1 || seen.poolNotMember < 1
                || seen.poolReplay + seen.duplicates < 2 || seen.blocksRejected + seen.blocksStale < 1
                || seen.unexpected < sent.forgedEndorsements || seen.badEnvelope < sent.manyFrameMessages
                || seen.connectionsCut < sent.extraConnections + 1 - NetworkLimits().maxConnectionsPerMember
                                         + sent.silentConnections - NetworkLimits().maxSilentConnections {
                failures.append("the attack's frames were not all counted")
            }
            summary.attack = seen
        }
        let bad = network.stopAll()
        if !bad.isEmpty { failures.append("nodes that did not stop cleanly: \(bad.joined(separator: ", "))") }

        summary.rounds = lines.keys.sorted().flatMap { r in layout.campusNames.compactMap { lines[r]?[$0] } }
        failures += readBack(into: &summary, intruderRefused: intruderRefused, report: report)
        summary.failures = failures
        summary.seconds = RoundLine.ms(ContinuousClock.now - started) / 1000
        return summary
    }

    static func fileSize(_ path: String) -> Int {
        Path.fileSize(path) ?? 0
    }

    /// What the attacked control system's metrics counted.
    static func attackCounted(_ sent: RogueMember.Sent, _ m: [String: Double]) -> DemoSummary.Attack {
        func v(_ key: String) -> Int { Int(m[key] ?? 0) }
        return DemoSummary.Attack(
            sent: sent, malformed: v("v2g_gossip_dropped_total{reason=\"malformed\"}"),
            oversize: v("v2g_gossip_dropped_total{reason=\"oversize\"}"),
            unknownType: v("v2g_gossip_dropped_total{reason=\"unknown_type\"}"),
            poolNotMember: v("v2g_pool_refusals_total{reason=\"not_member\"}"),
            poolReplay: v("v2g_pool_refusals_total{reason=\"replay\"}"),
            duplicates: v("v2g_gossip_duplicates_total"),
            blocksRejected: m.filter { $0.key.hasPrefix("v2g_block_rejections_total") }.values.reduce(0) { $0 + Int($1) },
            blocksStale: v("v2g_blocks_stale_total"),
            unexpected: v("v2g_gossip_dropped_total{reason=\"unexpected\"}"),
            badEnvelope: v("v2g_gossip_dropped_total{reason=\"bad_envelope\"}"),
            connectionsCut: v("v2g_connections_cut_total"), residentMiB: nil, logBytes: nil, logSeconds: nil)
    }

    /// Reads every store back after the nodes stopped and compares them; returns the failures.
    private func readBack(into summary: inout DemoSummary, intruderRefused: Int?, report: (Event) -> Void) -> [String] {
        var failures: [String] = []
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
            report(.chains("campus \(c): \(nodes.count) nodes, \(reference.describe([.boe, .boev])) — "
                  + (ok ? "identical on every node, every store verifies, \(reference.balances.count) balances (sum \(reference.balances.values.reduce(0, +))) and \(reference.penalties.consumers.count + reference.penalties.exchanges.count) penalty lists agree"
                        : "MISMATCH")))
            if !differing.isEmpty { failures.append("campus \(c): chains differ on \(differing.joined(separator: ", "))") }
            failures += unverified
            if !balances { failures.append("campus \(c): balances differ") }
            if !penalties { failures.append("campus \(c): penalty lists differ") }
            summary.campuses.append(.init(name: c, nodes: nodes.count, identical: ok, boeHeight: reference.heads[.boe]?.height ?? 0,
                                          boevHeight: reference.heads[.boev]?.height ?? 0))
        }
        if layout.campusNames.count > 1 {
            let css = layout.campusNames.map { layout.controlSystem($0) }
            let bocs = css.map { ChainSnapshot.read($0.bocsStore!) }
            let ok = bocs.allSatisfy { $0.heads == bocs[0].heads && $0.balances == bocs[0].balances && $0.verified == nil }
                && bocs[0].heads[.bocs] != nil
            report(.chains("BoCS: \(css.count) control systems, \(bocs[0].describe([.bocs])) — "
                  + (ok ? "identical, verified, \(bocs[0].balances.count) cross-campus balances agree" : "MISMATCH")))
            if !ok { failures.append("the BoCS differs between control systems or does not verify") }
            summary.bocsIdentical = ok
            summary.bocsHeight = bocs[0].heads[.bocs]?.height ?? 0
        }
        if let refused = intruderRefused {
            let campusA = layout.campusNames[0]
            let a = snapshots[layout.controlSystem(campusA).name]!
            let theirs = snapshots["intruder"]!
            let stored = theirs.heads.contains { c, h in a.heads[c]?.hash == h.hash }
            report(.chains("intruder: \(refused) connection(s) refused by campus \(campusA)'s CS (ZAP); "
                  + (stored ? "ITS BLOCKS WERE STORED" : "none of its blocks is on campus \(campusA)'s chains")))
            if refused == 0 { failures.append("the intruder was not refused") }
            if stored { failures.append("the intruder's blocks were stored") }
            summary.intruderRefused = refused
        }
        summary.nodes = layout.nodes.map { n in
            .init(name: n.name, campus: n.campus, role: n.role.rawValue, verified: snapshots[n.name]!.verified == nil,
                  heights: Dictionary(uniqueKeysWithValues: snapshots[n.name]!.heads.map { ("\($0.key)", $0.value.height) }))
        }
        return failures
    }
}
