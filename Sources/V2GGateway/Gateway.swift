import FoundationEssentials
import Logging
import V2GKit
import V2GLedger
import V2GNode
import V2GTransport

/// A gateway: its ledger node, the service its role runs (control system rounds, an exchange's request lists,
/// an EV gateway's offers and setpoints, or endorsing), and its metrics endpoint, built from a `GatewayConfig`
/// and fed by `GatewaySources`. What `v2g node` runs, and what a Swift program embeds.
public final class Gateway: @unchecked Sendable {  // started and stopped from one thread
    public let config: GatewayConfig
    public let node: LedgerNode
    public let metrics: GatewayMetrics
    /// The metrics endpoint, if `[metrics]` is set.
    public let metricsServer: MetricsServer?
    /// The role's service; nil for a plain validating peer or an endorser.
    public let service: (any RoleService)?
    let logger: Logger

    /// Opens everything the config names, in an order that leaves nothing behind on a failure: the data
    /// directory, the metrics port (bound before the store is opened), the store and the peer, the role's service.
    /// - Parameters:
    ///   - sources: the role's data; what is not given comes from the config's synthetic sections.
    public init(config: GatewayConfig, key: SigningKey, sources: GatewaySources = GatewaySources(),
                logger: Logger = Logger(label: "v2g.gateway")) throws(GatewayError) {
        self.config = config
        self.logger = logger
        do {
            try FileManager.default.createDirectory(atPath: config.dataDir, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw .dataDirectory(path: config.dataDir, reason: "\(error)")
        }
        let metrics = GatewayMetrics(role: config.role, key: key.publicKey, configuredPeers: config.peers.count)
        if let port = config.metricsPort {
            do {
                metricsServer = try MetricsServer(address: config.metricsAddress, port: port) { metrics.render() }
            } catch { throw .metrics(error) }
        } else {
            metricsServer = nil
        }
        var nodeConfiguration = LedgerNodeConfiguration(
            peer: PeerConfiguration(bindEndpoint: config.listen, members: config.members, neighbours: config.peers,
                                    limits: config.networkLimits),
            storePath: config.storePath, catchUpInterval: config.catchUpInterval, logger: logger)
        nodeConfiguration.maxPool = config.maxPool
        // Exchanges and EV gateways are off the round's critical path: their nodes validate in the background.
        switch config.role {
        case .exchange, .ev: nodeConfiguration.validation = .background
        case .controlSystem, .endorser: nodeConfiguration.validation = .foreground
        }
        let node: LedgerNode
        do {
            node = try LedgerNode(key: key, configuration: nodeConfiguration)
        } catch {
            throw .node(error, store: config.storePath, listen: config.listen)
        }
        metrics.attach(node)
        do {
            service = try Self.service(config, key: key, node: node, sources: sources.filled(from: config, logger: logger),
                                       metrics: metrics, logger: logger)
        } catch {
            node.stop()
            throw error
        }
        self.node = node
        self.metrics = metrics
    }

    /// The part the role plays in rounds: none for a plain validating peer.
    private static func service(_ config: GatewayConfig, key: SigningKey, node: LedgerNode, sources: GatewaySources,
                                metrics: GatewayMetrics, logger: Logger) throws(GatewayError) -> (any RoleService)? {
        switch config.role {
        case .endorser:
            do { try node.enableEndorsing(with: key) } catch { throw .ledger(error, key: "key_file") }
            return nil
        case .exchange:
            guard let x = config.roles.exchange, let consumers = sources.consumers else { return nil }
            return ExchangeService(name: x.name, key: key, node: node, source: consumers, logger: logger)
        case .ev:
            guard let ev = config.roles.ev, let vehicles = sources.vehicles, let sink = sources.setpoints else { return nil }
            return EVGatewayService(vehicles: ev.vehicles.map { Vehicle(name: $0.name, key: $0.key) }, node: node,
                                    source: vehicles, sink: sink, deliveries: sources.deliveries, logger: logger)
        case .controlSystem:
            guard let schedule = config.roles.rounds else { return nil }
            guard let campus = config.roles.campus, let matcher = config.matcher,
                  let meter = sources.meter ?? (schedule.metering == .reports ? ReportedMeters(node: node) : nil) else {
                throw .config(ConfigError(path: "rounds", message: "a control system that runs rounds needs [campus] and [matcher]"))
            }
            let roster = CampusRoster(orderer: key.publicKey, endorsers: campus.endorsers,
                                      endorsementsRequired: campus.endorsementsRequired, exchanges: campus.exchanges,
                                      evs: campus.evs)
            let cs = ControlSystem(key: key, node: node, roster: roster, chargerCapacityWh: matcher.chargerCapacityWh,
                                   gamma1: matcher.gamma1, gamma2: matcher.gamma2)
            cs.algorithm = matcher.algorithm
            cs.chargerPowerW = matcher.chargerPowerW
            cs.meteringWaitSeconds = schedule.meteringWaitSeconds
            let log: RoundLog
            do { log = try RoundLog(path: Path.join(config.dataDir, "rounds.jsonl")) } catch {
                throw .config(error)
            }
            let seat = try config.roles.bocs.map { b throws(GatewayError) in
                try bocsSeat(b, campus: campus.name, matcher: matcher, config: config, key: key, logger: logger)
            }
            return ControlSystemService(cs: cs, campus: campus.name, schedule: schedule, seat: seat, meter: meter, log: log,
                                        logger: logger) { metrics.record($0) }
        }
    }

    /// The control system's second node, on the BoCS, and its seat there.
    private static func bocsSeat(_ b: BoCSSettings, campus: String, matcher: MatcherSettings, config: GatewayConfig,
                                 key: SigningKey, logger: Logger) throws(GatewayError) -> CrossCampusSeat {
        let others = b.campuses.filter { $0.key != key.publicKey }
        let store = Path.join(config.dataDir, b.storeName)
        var bocsLogger = logger
        bocsLogger[metadataKey: "ledger"] = "BoCS"
        let bocs: LedgerNode
        do {
            bocs = try LedgerNode(key: key, configuration: LedgerNodeConfiguration(
                peer: PeerConfiguration(bindEndpoint: b.listen, members: b.campuses.map(\.key),
                                        neighbours: others.map { Neighbour(endpoint: $0.endpoint, key: $0.key) },
                                        limits: config.networkLimits),
                storePath: store, catchUpInterval: config.catchUpInterval, logger: bocsLogger))
        } catch {
            throw .node(error, store: store, listen: b.listen)
        }
        do {
            let seat = try CrossCampusSeat(campus: campus, key: key, node: bocs,
                                           roster: BoCSRoster(orderer: b.orderer, campuses: Dictionary(
                                               uniqueKeysWithValues: b.campuses.map { ($0.name, $0.key) })),
                                           chargerPowerW: b.chargerPowerW)
            seat.algorithm = b.algorithm
            seat.gamma1 = matcher.gamma1
            seat.gamma2 = matcher.gamma2
            return seat
        } catch {
            bocs.stop()
            throw .ledger(error, key: "bocs")
        }
    }

    /// Starts the node, the metrics endpoint and the role's service.
    public func start() {
        var metadata: Logger.Metadata = [
            "key": "\(node.publicKey)", "endpoint": "\(node.endpoint)", "store": "\(config.storePath)",
            "peers": "\(config.peers.count)", "members": "\(config.members.count)", "chain": "\(Self.describe(node.heads))",
        ]
        if let metricsServer { metadata["metrics"] = "http://\(metricsServer.address):\(metricsServer.port)/metrics" }
        if let m = config.matcher {
            metadata["matcher"] = "\(m.algorithm.rawValue)"
            if let c = m.chargerCapacityWh { metadata["charger_capacity_wh"] = "\(c)" }
            if let p = m.chargerPowerW { metadata["charger_power_w"] = "\(p)" }
            metadata["gamma_ppm"] = "\(m.gamma1.rawValue)/\(m.gamma2.rawValue)"
        }
        logger.info("starting \(config.role.rawValue) node", metadata: metadata)
        node.start()
        metricsServer?.start()
        service?.start()
    }

    /// Stops the service and the node (its store closes last) and the metrics endpoint; within a second.
    public func stop() {
        service?.stop()
        node.stop()
        metricsServer?.stop()
        let counters = node.counters
        logger.info("stopped", metadata: [
            "chain": "\(Self.describe(node.heads))", "catch_ups": "\(counters.catchUps)",
            "rejected": "\(counters.totalRejections)",
        ])
    }

    /// Starts, logs links, commits, rejections and catch-ups as they happen until `shutdown` fires or the store
    /// fails, then stops. Returns what ended it. With a `notifier` the service manager hears READY once the node
    /// serves, a watchdog ping at half its interval while the store is healthy, a STATUS line per change, and
    /// STOPPING.
    @discardableResult
    public func run(until shutdown: ShutdownSignal, notifier: ServiceNotifier? = nil) -> String {
        start()
        notify(notifier) { n throws(NotifyError) in try n.ready(status: status(links: 0)) }
        let reason = watch(until: shutdown, notifier: notifier)
        logger.info("stopping (\(reason))")
        notify(notifier) { n throws(NotifyError) in try n.stopping(reason: reason) }
        stop()
        if let failure = node.failure { logger.critical("the store failed; restart to replay it: \(failure.message)") }
        return reason
    }

    /// What `systemctl status` shows: links and chain heights.
    func status(links: Int) -> String {
        "\(config.role.rawValue) node, \(links) of \(config.peers.count) links up, \(Self.describe(node.heads))"
    }

    /// A notification that fails is logged, once per kind, and the node goes on: the manager's own timeouts
    /// (start, watchdog) decide what a silent node means.
    private func notify(_ notifier: ServiceNotifier?, _ body: (ServiceNotifier) throws(NotifyError) -> Void) {
        guard let notifier else { return }
        do { try body(notifier) } catch {
            if !notifyFailed { logger.warning("service manager notification failed: \(error)") }
            notifyFailed = true
        }
    }
    private var notifyFailed = false

    private func watch(until shutdown: ShutdownSignal, notifier: ServiceNotifier?) -> String {
        var links: Set<PublicKey> = []
        var heads = node.heads
        var catchUps = 0
        var rejections: [String: Int] = [:]
        let names = Dictionary(config.peers.map { ($0.key, $0.endpoint) }, uniquingKeysWith: { a, _ in a })
        var shownStatus = ""
        while true {
            let reason = shutdown.wait(timeout: .milliseconds(250))
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
            if let reason { return reason }   // after logging what came before it
            if node.failure != nil { return "the store failed" }
            let line = status(links: links.count)
            if line != shownStatus {
                notify(notifier) { n throws(NotifyError) in try n.status(line) }
                shownStatus = line
            }
            notify(notifier) { n throws(NotifyError) in try n.pingIfDue() }
        }
    }

    static func describe(_ heads: [Channel: ChannelHead]) -> String {
        let parts = Channel.allCases.compactMap { c in heads[c].map { "\(c) h=\($0.height)" } }
        return parts.isEmpty ? "empty" : parts.joined(separator: ", ")
    }
}
