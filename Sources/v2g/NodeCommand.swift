import ArgumentParser
import Dispatch
import Foundation
import Logging
import V2GLedger
import V2GNode

/// `v2g node --config FILE`: a gateway's long-running ledger peer (docs/network.md, "Running a node").
struct NodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "node",
        abstract: "Run a validating ledger peer from a TOML config until SIGTERM or SIGINT.",
        discussion: """
            Checks the whole config first (unknown keys, types, hex keys, the key file and its mode, the role, \
            the matcher, peers that are not members) and exits 2 with one line naming the key at fault, before \
            anything is opened. Then opens DATA_DIR/ledger.db (replaying it), binds the peer, links to the \
            peers, logs to standard error and serves Prometheus metrics on 127.0.0.1 if [metrics] is set. \
            SIGTERM or SIGINT stops it: the peer stops, the worker finishes, the store is closed, exit 0. \
            Examples for each role are in examples/node/.
            """)

    @Option(help: "The node's TOML config.")
    var config: String

    @Flag(help: "Check the config and exit without running the node.")
    var check = false

    func run() throws {
        let settings: NodeConfig
        let key: SigningKey
        do { (settings, key) = try NodeConfig.load(path: config) } catch { throw CommandFailure.badInput("\(config): \(error)") }
        if check {
            print("ok: \(settings.role.rawValue) node \(key.publicKey), \(settings.peers.count) peers, \(settings.members.count) members")
            return
        }
        let level = settings.logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        var logger = Logger(label: "v2g.node")
        logger[metadataKey: "role"] = "\(settings.role.rawValue)"
        try NodeDaemon(settings: settings, key: key, logger: logger).run()
    }
}

/// The running node: the ledger peer, its metrics endpoint, the signal watch and the log of what changes.
private final class NodeDaemon {
    let settings: NodeConfig
    let key: SigningKey
    let logger: Logger

    init(settings: NodeConfig, key: SigningKey, logger: Logger) {
        self.settings = settings
        self.key = key
        self.logger = logger
    }

    func run() throws {
        // Signals first: from here on SIGTERM and SIGINT only wake the main thread, which stops the node.
        signal(SIGTERM, SIG_IGN)
        signal(SIGINT, SIG_IGN)
        let received = SignalLatch()
        let queue = DispatchQueue(label: "v2g.node.signals")
        let sources = [SIGTERM, SIGINT].map { number in
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { received.fire(number) }
            source.resume()
            return source
        }
        defer { sources.forEach { $0.cancel() } }

        do {
            try FileManager.default.createDirectory(atPath: settings.dataDir, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw CommandFailure.badInput("data_dir: cannot create \(settings.dataDir): \(error.localizedDescription)")
        }

        // Metrics are bound before the store is opened: a port in use fails the start with nothing written.
        let source = MetricsSource(role: settings.role, key: key.publicKey, configuredPeers: settings.peers.count)
        var metrics: MetricsServer?
        if let port = settings.metricsPort {
            do { metrics = try MetricsServer(port: port) { source.render() } } catch {
                throw CommandFailure.badInput("metrics.listen: \(error)")
            }
        }

        let log = logger
        let nodeConfiguration = LedgerNodeConfiguration(
            peer: PeerConfiguration(bindEndpoint: settings.listen, members: settings.members, neighbours: settings.peers),
            storePath: settings.storePath,
            catchUpInterval: settings.catchUpInterval,
            log: { line in
                if line.hasPrefix("catch-up committed") { log.info("\(line)") } else { log.warning("\(line)") }
            })
        let node: LedgerNode
        do {
            node = try LedgerNode(key: key, configuration: nodeConfiguration)
        } catch let error as LedgerError {
            throw CommandFailure.badInput("data_dir: cannot open \(settings.storePath): \(error.message)")
        } catch {
            throw CommandFailure.badInput("network: cannot start the peer on \(settings.listen): \(error)")
        }
        source.attach(node)

        let heads = node.heads
        var metadata: Logger.Metadata = [
            "key": "\(key.publicKey)", "endpoint": "\(node.endpoint)", "store": "\(settings.storePath)",
            "peers": "\(settings.peers.count)", "members": "\(settings.members.count)",
            "chain": "\(Self.describe(heads))",
        ]
        if let metrics { metadata["metrics"] = "http://127.0.0.1:\(metrics.port)/metrics" }
        if let m = settings.matcher {
            metadata["matcher"] = "\(m.algorithm.rawValue)"
            if let c = m.chargerCapacityWh { metadata["charger_capacity_wh"] = "\(c)" }
            if let p = m.chargerPowerW { metadata["charger_power_w"] = "\(p)" }
            metadata["gamma_ppm"] = "\(m.gamma1.rawValue)/\(m.gamma2.rawValue)"
        }
        let runner: RoleRunner?
        do {
            runner = try makeRunner(node: node, metrics: source)
        } catch let error as CommandFailure {
            node.stop()
            throw error
        } catch {
            node.stop()
            throw CommandFailure.badInput("bocs: cannot start the BoCS node: \(error)")
        }
        logger.info("starting \(settings.role.rawValue) node", metadata: metadata)
        node.start()
        metrics?.start()
        runner?.start()

        let stopping = watch(node, from: heads, until: received)
        logger.info("stopping (\(stopping))")
        runner?.stop()       // between rounds or submissions
        node.stop()          // the peer, then the worker; the store closes last
        metrics?.stop()
        let counters = node.counters
        logger.info("stopped", metadata: [
            "chain": "\(Self.describe(node.heads))", "catch_ups": "\(counters.catchUps)",
            "rejected": "\(counters.totalRejections)",
        ])
        if let failure = node.failure {
            logger.critical("the store failed; restart to replay it: \(failure.message)")
            throw ExitCode(1)
        }
    }

    /// The part the role plays in rounds: none for a plain validating peer.
    private func makeRunner(node: LedgerNode, metrics: MetricsSource) throws -> RoleRunner? {
        switch settings.role {
        case .endorser:
            try node.enableEndorsing(with: key)
            return nil
        case .exchange:
            return settings.roles.exchange.map { ExchangeRunner(settings: $0, key: key, node: node, logger: logger) }
        case .ev:
            return settings.roles.ev.map { EVGatewayRunner(settings: $0, node: node, logger: logger) }
        case .controlSystem:
            guard settings.roles.rounds != nil else { return nil }
            return try ControlSystemRunner(settings: settings, key: key, node: node, logger: logger) { metrics.record($0) }
        }
    }

    /// Logs links, commits, rejections and catch-ups as they happen, until a signal arrives or the store
    /// fails. Returns what ended the watch.
    private func watch(_ node: LedgerNode, from start: [Channel: ChannelHead], until received: SignalLatch) -> String {
        var links: Set<PublicKey> = []
        var heads = start
        var catchUps = 0
        var rejections: [String: Int] = [:]
        let names = Dictionary(settings.peers.map { ($0.key, $0.endpoint) }, uniquingKeysWith: { a, _ in a })
        while true {
            let number = received.wait(timeout: .milliseconds(250))
            let now = node.peer.connectedNeighbours
            for k in now.subtracting(links).sorted() {
                logger.info("link up", metadata: ["peer": "\(k)", "endpoint": "\(names[k] ?? "?")"])
            }
            for k in links.subtracting(now).sorted() {
                logger.warning("link down", metadata: ["peer": "\(k)", "endpoint": "\(names[k] ?? "?")"])
            }
            links = now
            let newHeads = node.heads
            for channel in Channel.allCases {
                guard let head = newHeads[channel], head != heads[channel] else { continue }
                let first = heads[channel].map { $0.height + 1 } ?? 0
                let range = first == head.height ? "block \(head.height)" : "blocks \(first)...\(head.height)"
                logger.info("committed \(channel) \(range)", metadata: ["head": "\(head.head)"])
            }
            heads = newHeads
            let counters = node.counters
            if counters.catchUps != catchUps {
                logger.debug("catch-up runs: \(counters.catchUps)")
                catchUps = counters.catchUps
            }
            for (reason, n) in counters.rejections.sorted(by: { $0.key < $1.key }) where n > rejections[reason, default: 0] {
                logger.warning("blocks rejected", metadata: ["reason": "\(reason)", "total": "\(n)"])
            }
            rejections = counters.rejections
            if let number { return number == SIGTERM ? "SIGTERM" : "SIGINT" }   // after logging what came before it
            if node.failure != nil { return "the store failed" }
        }
    }

    static func describe(_ heads: [Channel: ChannelHead]) -> String {
        let parts = Channel.allCases.compactMap { c in heads[c].map { "\(c) h=\($0.height)" } }
        return parts.isEmpty ? "empty" : parts.joined(separator: ", ")
    }
}

/// The first SIGTERM or SIGINT, handed from the signal queue to the main thread.
private final class SignalLatch: @unchecked Sendable {  // `number` under `lock`
    private let lock = NSLock()
    private var number: Int32?
    private let semaphore = DispatchSemaphore(value: 0)

    func fire(_ signal: Int32) {
        lock.withLock { if number == nil { number = signal } }
        semaphore.signal()
    }

    /// The signal received, or nil if none came within `timeout`.
    func wait(timeout: DispatchTimeInterval) -> Int32? {
        _ = semaphore.wait(timeout: .now() + timeout)
        return lock.withLock { number }
    }
}

/// What `/metrics` reports: read from the node on the metrics thread at each scrape.
final class MetricsSource: @unchecked Sendable {  // `node` and `baseline` under `lock`
    private let lock = NSLock()
    private var node: LedgerNode?
    /// Blocks per channel when the node opened its store: what was committed before this run.
    private var baseline: [Channel: Int] = [:]
    private let role: NodeRole
    private let key: PublicKey
    private let configuredPeers: Int

    /// Rejection reasons always reported, at 0 until one is counted (`LedgerError.Code` raw values).
    static let rejectionReasons: [LedgerError.Code] = [
        .malformed, .badSignature, .notMember, .roleNotAllowed, .kindNotAllowed, .endorsement, .replay, .chain,
        .merkle, .reexecution, .unknownInput, .crypto, .store,
    ]

    /// Rounds the control system ran, and the last one's phase times.
    private var rounds = 0
    private var lastRound: RoundLine?

    func record(_ line: RoundLine) {
        lock.withLock {
            rounds += 1
            lastRound = line
        }
    }

    init(role: NodeRole, key: PublicKey, configuredPeers: Int) {
        self.role = role
        self.key = key
        self.configuredPeers = configuredPeers
    }

    func attach(_ node: LedgerNode) {
        let heads = node.heads
        lock.withLock {
            self.node = node
            baseline = heads.mapValues { Int($0.height) + 1 }
        }
    }

    /// The channel label: `boe`, `boev`, `bocs`, as the CLI spells them.
    static func label(_ channel: Channel) -> String { "\(channel)".lowercased() }

    func render() -> String {
        var out = PrometheusText()
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
                   DropReason.allCases.map { ([("reason", $0.rawValue)], network.dropped($0)) })
        out.family("v2g_sends_dropped_total", .counter, help: "Sends that found no room or no completed link.",
                   value: network.sendsDropped)
        let reasons = Self.rejectionReasons.map(\.rawValue)
        let extra = counters.rejections.keys.filter { !reasons.contains($0) }.sorted()
        out.family("v2g_block_rejections_total", .counter, help: "Blocks rejected by validation, by LedgerError code.",
                   (reasons + extra).map { ([("reason", $0)], counters.rejections[$0, default: 0]) })
        out.family("v2g_blocks_dropped_total", .counter, help: "Blocks not kept for lack of room, by buffer.",
                   [([("buffer", "inbox")], counters.inboxDropped), ([("buffer", "pending")], counters.pendingDropped)])
        out.family("v2g_pending_blocks", .gauge, help: "Blocks waiting for their height or another channel's block.",
                   value: node.pendingBlocks)
        out.family("v2g_peers_connected", .gauge, help: "Neighbours with a completed, authenticated link.",
                   value: node.peer.connectedNeighbours.count)
        out.family("v2g_peers_configured", .gauge, help: "Neighbours in the config.", value: configuredPeers)
        out.family("v2g_connections_refused_total", .counter, help: "Connections the ZAP handler refused.",
                   value: network.refusedConnections)
        out.family("v2g_catch_ups_total", .counter, help: "Catch-up runs.", value: counters.catchUps)
        out.family("v2g_catch_up_request_failures_total", .counter, help: "Status or block requests that failed.",
                   value: counters.requestFailures)
        let poolReasons = Self.rejectionReasons.map(\.rawValue)
        let poolExtra = counters.poolRefusals.keys.filter { !poolReasons.contains($0) }.sorted()
        out.family("v2g_pool_refusals_total", .counter, help: "Gossip'd transactions the orderer's pool refused, by LedgerError code.",
                   (poolReasons + poolExtra).map { ([("reason", $0)], counters.poolRefusals[$0, default: 0]) })
        out.family("v2g_blocks_stale_total", .counter, help: "Gossip'd blocks at a height already committed.", value: counters.stale)
        out.family("v2g_transactions_pooled_total", .counter, help: "Endorsed transactions admitted to the orderer's pool.",
                   value: counters.transactionsPooled)
        out.family("v2g_endorsements_given_total", .counter, help: "Endorsement requests answered.", value: counters.endorsementsGiven)
        out.family("v2g_endorsements_refused_total", .counter, help: "Endorsement requests refused.",
                   value: counters.endorsementRefusals.values.reduce(0, +))
        let (rounds, last) = lock.withLock { (self.rounds, lastRound) }
        if role == .controlSystem {
            out.family("v2g_rounds_total", .counter, help: "Trading rounds this control system ran.", value: rounds)
            if let last {
                let p = last.phases
                out.gauge("v2g_round_phase_seconds", help: "The last round's phase times ([T] §5.2), in seconds.",
                          [("collect", p.collect), ("seal_inputs", p.sealInputs), ("allocate", p.allocate),
                           ("record", p.record), ("total", p.total)].map { ([("phase", $0.0)], $0.1 / 1000) })
                if let c = last.cross?.phases {
                    out.gauge("v2g_cross_campus_phase_seconds", help: "The last cross-campus step's phase times, in seconds.",
                              [("collect", c.collect), ("seal", c.sealInputs), ("allocate", c.allocate), ("record", c.record),
                               ("total", c.total)].map { ([("phase", $0.0)], $0.1 / 1000) })
                }
            }
        }
        return out.text
    }
}
