import FoundationEssentials
import Logging
import V2GLedger
import V2GNode

/// An exchange's gateway: answers each round announcement with its consumers' request list, taken from its
/// `ConsumerRequestSource` and signed with the exchange's key.
public final class ExchangeService: RoleService, @unchecked Sendable {  // `agent` only on the thread
    public let name: String
    public let node: LedgerNode
    let key: SigningKey
    let source: any ConsumerRequestSource
    let logger: Logger
    private let thread = RoleThread()

    /// - Parameters:
    ///   - name: the exchange's name on BoE.
    ///   - key: the exchange's key (its node's).
    ///   - source: where each round's requests come from.
    public init(name: String, key: SigningKey, node: LedgerNode, source: any ConsumerRequestSource,
                logger: Logger = Logger(label: "v2g.exchange")) {
        self.name = name
        self.key = key
        self.node = node
        self.source = source
        self.logger = logger
    }

    public func start() { thread.start(name: "v2g-exchange") { [self] in loop() } }

    /// Stops the node (every wait of a submission ends with it) and the service's thread, within a second.
    public func stop() {
        thread.requestStop()
        node.stop()
        thread.stop()
    }

    private func loop() {
        var last = node.lastAnnouncement?.round ?? 0
        var agent: ExchangeAgent?
        while !thread.isStopped, !node.isStopped {   // a node stopped by its owner ends the role too
            guard let a = node.waitForAnnouncement(after: last, timeout: .milliseconds(200)) else { continue }
            last = a.round
            if agent == nil, let author = TransactionAuthor(key: key, node: node, channel: .boe) {
                agent = ExchangeAgent(name: name, author: author)
            }
            guard let agent else { continue }
            do {
                let requests = try source.requests(round: a.round, deadline: a.deadline)
                guard !requests.isEmpty else { continue }
                let tx = try agent.submit(round: a.round, requests: requests)
                logger.info("submitted the request list of round \(a.round)",
                            metadata: ["requests": "\(requests.count)", "tx": "\(tx.id)"])
            } catch {
                if !thread.isStopped { logger.warning("round \(a.round): the request list was not submitted: \(error)") }
            }
        }
    }
}
