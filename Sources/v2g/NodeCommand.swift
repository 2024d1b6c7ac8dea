import ArgumentParser
import FoundationEssentials
import Logging
import V2GGateway
import V2GOCPPServer

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
            SIGTERM or SIGINT stops it within a second, in any phase of a round: the role stops, the peer \
            stops, the worker finishes, the store is closed, exit 0. Under systemd (Type=notify) it reports \
            READY once serving, watchdog pings at half WatchdogSec while the store is healthy, STATUS and \
            STOPPING (packaging/systemd/). Examples for each role are in examples/node/.
            """)

    @Option(help: "The node's TOML config.")
    var config: String

    @Flag(help: "Check the config and exit without running the node.")
    var check = false

    func run() throws {
        let (settings, key) = try CommandFailure.input(config) { () throws(ConfigError) in try GatewayConfig.load(path: config) }
        if check {
            print("ok: \(settings.role.rawValue) node \(key.publicKey), \(settings.peers.count) peers, \(settings.members.count) members")
            return
        }
        let notifier = try CommandFailure.input { () throws(NotifyError) in try ServiceNotifier() }
        let shutdown = ShutdownSignal.install()   // first: from here on SIGTERM and SIGINT only ask to stop
        let level = settings.logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        var logger = Logger(label: "v2g.node")
        logger[metadataKey: "role"] = "\(settings.role.rawValue)"
        var sources = GatewaySources()
        var endpoint: RunningOCPPServer?, chargers: OCPPChargers?
        if let ocpp = settings.roles.ocpp {
            let (e, c) = try OCPPBridge.start(ocpp, logger: logger) { shutdown.fire("the OCPP endpoint stopped") }
            (endpoint, chargers) = (e, c)
            sources = GatewaySources(vehicles: c, setpoints: c, deliveries: c)
        }
        defer { endpoint?.stop() }
        let gateway = try CommandFailure.input { () throws(GatewayError) in
            try Gateway(config: settings, key: key, sources: sources, logger: logger)
        }
        if let chargers { gateway.metrics.attach(chargers) }
        gateway.run(until: shutdown, notifier: notifier)
        if gateway.node.failure != nil { throw ExitCode(1) }
    }
}
