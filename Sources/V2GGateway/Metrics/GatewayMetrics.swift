import FoundationEssentials
import V2GKit
import V2GLedger
import V2GNode
import V2GTransport

/// What a gateway's `/metrics` reports (Prometheus text): read from the node at each scrape, on the
/// metrics thread.
public final class GatewayMetrics: @unchecked Sendable {  // `node` and `baseline` under `lock`
    private let lock = Lock()
    private var node: LedgerNode?
    /// Blocks per channel when the node opened its store: what was committed before this run.
    private var baseline: [Channel: Int] = [:]
    private let role: GatewayRole
    private let key: PublicKey
    private let configuredPeers: Int

    /// Rejection reasons always reported, at 0 until one is counted (`LedgerError.Code` raw values).
    static let rejectionReasons: [LedgerError.Code] = [
        .malformed, .badSignature, .notMember, .roleNotAllowed, .kindNotAllowed, .endorsement, .replay, .chain,
        .merkle, .reexecution, .unknownInput, .crypto, .store,
    ]

    /// An EV gateway's OCPP stations, if it serves them.
    private var chargers: OCPPChargers?

    /// Reports the setpoints and meter reports of `chargers` from now on.
    public func attach(_ chargers: OCPPChargers) { lock.withLock { self.chargers = chargers } }

    /// Rounds the control system ran, and the distribution of their phase times.
    private var rounds = 0
    private var phases: [String: Histogram] = [:]
    private var crossPhases: [String: Histogram] = [:]
    static let phaseNames = ["collect", "seal_inputs", "allocate", "record", "total"]

    /// Notes a round the control system ran.
    public func record(_ line: RoundLine) {
        let p = line.phases
        let times = [p.collect, p.sealInputs, p.allocate, p.record, p.total]
        let cross = line.cross.map { c in
            [c.phases.collect, c.phases.sealInputs, c.phases.allocate, c.phases.record, c.phases.total]
        }
        lock.withLock {
            rounds += 1
            for (name, ms) in zip(Self.phaseNames, times) {
                phases[name, default: Histogram(bounds: Histogram.phaseBounds)].observe(ms / 1000)
            }
            for (name, ms) in zip(Self.phaseNames, cross ?? []) {
                crossPhases[name, default: Histogram(bounds: Histogram.phaseBounds)].observe(ms / 1000)
            }
        }
    }

    public init(role: GatewayRole, key: PublicKey, configuredPeers: Int) {
        self.role = role
        self.key = key
        self.configuredPeers = configuredPeers
    }

    /// Reports on `node` from now on; blocks committed before count as the baseline.
    public func attach(_ node: LedgerNode) {
        let heads = node.heads
        lock.withLock {
            self.node = node
            baseline = heads.mapValues { Int($0.height) + 1 }
        }
    }

    static var arch: String {
        #if arch(x86_64)
        return "x86_64"
        #elseif arch(arm64)
        return "aarch64"
        #elseif arch(arm)
        return "arm"
        #else
        return "other"
        #endif
    }

    /// The `process_...` families of Prometheus' client libraries.
    static func renderProcess(_ out: inout PrometheusText, _ p: ProcessStats) {
        if let v = p.cpuSeconds {
            out.family("process_cpu_seconds_total", .counter, help: "Total user and system CPU time spent in seconds.", [([], v)])
        }
        if let v = p.openFDs { out.family("process_open_fds", .gauge, help: "Number of open file descriptors.", value: v) }
        if let v = p.maxFDs { out.family("process_max_fds", .gauge, help: "Maximum number of open file descriptors.", value: v) }
        if let v = p.virtualBytes {
            out.family("process_virtual_memory_bytes", .gauge, help: "Virtual memory size in bytes.", value: v)
        }
        if let v = p.residentBytes {
            out.family("process_resident_memory_bytes", .gauge, help: "Resident memory size in bytes.", value: v)
        }
        if let v = p.startTimeSeconds {
            out.family("process_start_time_seconds", .gauge, help: "Start time of the process since unix epoch in seconds.",
                       [([], v)])
        }
    }

    /// Samples by reason: every `known` reason (at 0 until counted), then any other counted one, sorted.
    static func byReason(_ known: [String], _ counts: [String: Int]) -> [([(String, String)], Int)] {
        let extra = counts.keys.filter { !known.contains($0) }.sorted()
        return (known + extra).map { ([("reason", PrometheusText.snake($0))], counts[$0, default: 0]) }
    }

    /// The channel label: `boe`, `boev`, `bocs`, as the CLI spells them.
    static func label(_ channel: Channel) -> String { "\(channel)".lowercased() }

    /// The exposition, version 0.0.4.
    public func render() -> String {
        var out = PrometheusText()
        out.family("v2g_build_info", .gauge, help: "The build: the version of V2GKit and its C core, and the CPU.",
                   [([("version", coreVersion), ("c_core", coreVersion), ("arch", Self.arch)], 1)])
        Self.renderProcess(&out, ProcessStats.read())
        out.family("v2g_node_info", .gauge, help: "The node's role and ledger key.",
                   [([("role", role.rawValue), ("public_key", key.description)], 1)])
        guard let (node, baseline) = lock.withLock({ self.node.map { ($0, baseline) } }) else { return out.text }
        let heads = node.heads
        let counters = node.counters
        let network = node.peer.counters
        out.family("v2g_blocks_committed_total", .counter, help: "Blocks committed by this run of the node, by channel.",
                   Channel.allCases.map { c in
                       ([("channel", Self.label(c))], heads[c].map { Int($0.height) + 1 - baseline[c, default: 0] } ?? 0)
                   })
        out.family("v2g_chain_height", .gauge, help: "Height of the channel's head block (channels with a genesis block).",
                   Channel.allCases.compactMap { c in heads[c].map { ([("channel", Self.label(c))], Int($0.height)) } })
        out.family("v2g_blocks_published_total", .counter, help: "Blocks this node sealed and published.", value: counters.published)
        out.family("v2g_gossip_received_total", .counter, help: "Messages read from the network.", value: network.received)
        out.family("v2g_gossip_delivered_total", .counter, help: "Gossip handed to the ledger (new to this node).",
                   value: network.delivered)
        out.family("v2g_gossip_duplicates_total", .counter, help: "Gossip already seen.", value: network.duplicates)
        out.family("v2g_gossip_dropped_total", .counter, help: "Received frames dropped, by reason.",
                   DropReason.allCases.map { ([("reason", PrometheusText.snake($0.rawValue))], network.dropped($0)) })
        out.family("v2g_sends_dropped_total", .counter, help: "Sends that found no room or no completed link.",
                   value: network.sendsDropped)
        out.family("v2g_connections_cut_total", .counter,
                   help: "Connections cut: past a member's limit of connections, or past the limit of silent ones.",
                   value: network.connectionsCut)
        out.family("v2g_memory_guard_trips_total", .counter,
                   help: "Times resident memory passed network.max_resident_mib and every accepted connection was cut.",
                   value: network.memoryGuardTrips)
        out.family("v2g_hellos_total", .counter,
                   help: "Hellos answered: one per connection a neighbour's link made (a redial makes another).",
                   value: network.hellos)
        out.family("v2g_block_rejections_total", .counter, help: "Blocks rejected by validation, by LedgerError code.",
                   Self.byReason(Self.rejectionReasons.map(\.rawValue), counters.rejections))
        out.family("v2g_blocks_dropped_total", .counter, help: "Blocks not kept for lack of room, by buffer.",
                   [([("buffer", "inbox")], counters.inboxDropped), ([("buffer", "pending")], counters.pendingDropped)])
        out.family("v2g_requests_dropped_total", .counter,
                   help: "Requests and transactions not queued for the service threads: the queue was full.",
                   value: counters.queueDropped)
        out.family("v2g_endorsements_parked_total", .counter,
                   help: "Endorsement requests that waited for their inputs to be committed here.",
                   value: counters.endorsementsParked)
        out.family("v2g_pending_blocks", .gauge, help: "Blocks waiting for their height or another channel's block.",
                   value: node.pendingBlocks)
        let retained = node.withLedger { $0.retained }
        out.family("v2g_ledger_retained", .gauge,
                   help: "What the ledger keeps in memory: inputs of unallocated rounds, open or recent allocation results, meter reports.",
                   [([("kind", "inputs")], retained.inputs), ([("kind", "allocation_results")], retained.allocations),
                    ([("kind", "meter_reports")], retained.meterReports)])
        out.family("v2g_peers_connected", .gauge, help: "Neighbours with a completed, authenticated link.",
                   value: node.peer.connectedNeighbours.count)
        out.family("v2g_peers_configured", .gauge, help: "Neighbours in the config.", value: configuredPeers)
        out.family("v2g_connections_refused_total", .counter, help: "Connections the ZAP handler refused.",
                   value: network.refusedConnections)
        out.family("v2g_catch_ups_total", .counter, help: "Catch-up runs.", value: counters.catchUps)
        out.family("v2g_catch_up_request_failures_total", .counter, help: "Status or block requests that failed.",
                   value: counters.requestFailures)

        out.family("v2g_pool_refusals_total", .counter, help: "Gossip'd transactions the orderer's pool refused, by LedgerError code.",
                   Self.byReason(Self.rejectionReasons.map(\.rawValue) + [PoolRefusal.full(capacity: 0).reason], counters.poolRefusals))
        out.family("v2g_blocks_stale_total", .counter, help: "Gossip'd blocks at a height already committed.", value: counters.stale)
        out.family("v2g_transactions_pooled_total", .counter, help: "Endorsed transactions admitted to the orderer's pool.",
                   value: counters.transactionsPooled)
        out.family("v2g_endorsements_given_total", .counter, help: "Endorsement requests answered.", value: counters.endorsementsGiven)
        out.family("v2g_endorsements_refused_total", .counter, help: "Endorsement requests refused.",
                   value: counters.endorsementRefusals.values.reduce(0, +))
        if let c = lock.withLock({ chargers })?.counters {
            out.family("v2g_ocpp_offers_total", .counter, help: "Offers made for vehicles at OCPP stations.", value: c.offers)
            out.family("v2g_ocpp_setpoints_total", .counter,
                       help: "Allocations sent to stations as charging profiles, by what came of them (refused: rejected, "
                           + "answered with a CALLERROR, not answered, not sendable, or the station gone).",
                       [([("result", "sent")], c.setpointsSent), ([("result", "accepted")], c.setpointsAccepted),
                        ([("result", "refused")], c.setpointsRefused), ([("result", "vehicle_absent")], c.absent)])
            out.family("v2g_ocpp_profiles_cleared_total", .counter, help: "Charging profiles cleared at their interval's end.",
                       value: c.cleared)
            out.family("v2g_ocpp_meter_reports_filed_total", .counter, help: "Measured deliveries whose meter report is on the ledger, or whose allocation is metered.",
                       value: c.reportsFiled)
            out.family("v2g_ocpp_measured_wh_total", .counter, help: "Energy the stations' registers showed delivered, in Wh.",
                       value: Int(clamping: c.measuredWh))
        }
        let (rounds, phases, crossPhases) = lock.withLock { (self.rounds, self.phases, self.crossPhases) }
        if role == .controlSystem {
            out.family("v2g_rounds_total", .counter, help: "Trading rounds this control system ran.", value: rounds)
            out.histogram("v2g_round_phase_duration_seconds", help: "Trading rounds' phase times ([T] 5.2), in seconds.",
                          Self.phaseNames.compactMap { n in phases[n].map { ([("phase", n)], $0) } })
            if !crossPhases.isEmpty {
                out.histogram("v2g_cross_campus_phase_duration_seconds", help: "Cross-campus steps' phase times, in seconds.",
                              Self.phaseNames.compactMap { n in crossPhases[n].map { ([("phase", n)], $0) } })
            }
        }
        return out.text
    }
}
