import Dispatch
import Foundation
import Logging
import V2GKit
import V2GLedger
import V2GNode

/// What a node does besides validating, keeping and serving its chains: the part its role plays in rounds.
protocol RoleRunner: AnyObject, Sendable {
    func start()
    /// Stops at the next safe point (between rounds or submissions) and joins; the node is stopped after.
    func stop()
}

/// A flag the role's thread checks, with a sleep that ends early when it is set.
final class StopFlag: @unchecked Sendable {  // `stopped` under `lock`
    private let lock = NSLock()
    private var stopped = false
    private let semaphore = DispatchSemaphore(value: 0)

    var isSet: Bool { lock.withLock { stopped } }

    func set() {
        lock.withLock { stopped = true }
        semaphore.signal()
    }

    /// Sleeps for `d` or until set; returns whether it was set.
    func sleep(_ d: Duration) -> Bool {
        if d > .zero { _ = semaphore.wait(timeout: .now() + .nanoseconds(Int(max(0, RoundLine.ms(d) * 1e6)))) }
        if isSet { semaphore.signal() }   // keep waking later sleepers
        return isSet
    }
}

/// Nonces above any this key used before: the committed ones and the clock in microseconds, so an agent that
/// restarts never signs a nonce it signed before (even one not yet committed).
func restartSafeNonce(_ node: LedgerNode, _ key: PublicKey) -> UInt64 {
    max(node.withLedger { $0.lastNonce(of: key) } + 1, UInt64(Date().timeIntervalSince1970 * 1_000_000))
}

/// Runs `body(i)` for every i in 0..<n on up to `width` threads: blocking submissions (an endorsement round trip
/// each) overlap instead of queueing behind the cores.
func inParallel(_ n: Int, width: Int, _ body: @escaping @Sendable (Int) -> Void) {
    let next = Locked(0)
    let threads = (0..<min(max(1, width), n)).map { t in
        JoinableThread(name: "v2g-submit-\(t)") {
            while true {
                let i = next.take { v in defer { v += 1 }; return v }
                guard i < n else { return }
                body(i)
            }
        }
    }
    threads.forEach { $0.join() }
}

/// A value behind a lock.
final class Locked<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var v: T
    init(_ v: T) { self.v = v }
    var value: T { lock.withLock { v } }
    func take<R>(_ body: (inout T) -> R) -> R { lock.withLock { body(&v) } }
}

/// The endorsers and policy of a channel, once its genesis block is committed.
func policy(_ node: LedgerNode, _ channel: Channel) -> (endorsers: [PublicKey], required: Int)? {
    node.withLedger { ledger in ledger.chain(channel).config.map { ($0.endorsers, Int($0.endorsementsRequired)) } }
}

// MARK: - Exchange

/// An exchange's gateway: answers each round announcement with its consumers' request list.
final class ExchangeRunner: RoleRunner, @unchecked Sendable {  // `agent` only on the thread
    let settings: ExchangeSettings
    let key: SigningKey
    let node: LedgerNode
    let logger: Logger
    private let flag = StopFlag()
    private var thread: JoinableThread?

    init(settings: ExchangeSettings, key: SigningKey, node: LedgerNode, logger: Logger) {
        self.settings = settings
        self.key = key
        self.node = node
        self.logger = logger
    }

    func start() { thread = JoinableThread(name: "v2g-exchange") { [self] in loop() } }

    func stop() {
        flag.set()
        thread?.join()
    }

    private func loop() {
        var last = node.lastAnnouncement?.round ?? 0
        var agent: ExchangeAgent?
        while !flag.isSet {
            guard let a = node.waitForAnnouncement(after: last, timeout: .milliseconds(200)) else { continue }
            last = a.round
            if agent == nil, let p = policy(node, .boe) {
                agent = ExchangeAgent(name: settings.name, key: key, node: node, endorsers: p.endorsers,
                                      endorsementsRequired: p.required, firstNonce: restartSafeNonce(node, key.publicKey))
            }
            guard let agent else { continue }
            let requests = SyntheticLoad.requests(settings, round: a.round)
            do {
                let tx = try agent.submit(round: a.round, requests: requests)
                logger.info("submitted the request list of round \(a.round)",
                            metadata: ["requests": "\(requests.count)", "tx": "\(tx.id)"])
            } catch {
                logger.warning("round \(a.round): the request list was not submitted: \(error)")
            }
        }
    }
}

// MARK: - EV gateway

/// An EV gateway (a charger's or a road-side unit's): answers each announcement with an offer per vehicle, each
/// signed by the vehicle's own key.
final class EVGatewayRunner: RoleRunner, @unchecked Sendable {  // `agents` only on the thread
    let settings: EVGatewaySettings
    let node: LedgerNode
    let logger: Logger
    private let flag = StopFlag()
    private var thread: JoinableThread?

    init(settings: EVGatewaySettings, node: LedgerNode, logger: Logger) {
        self.settings = settings
        self.node = node
        self.logger = logger
    }

    func start() { thread = JoinableThread(name: "v2g-ev-gateway") { [self] in loop() } }

    func stop() {
        flag.set()
        thread?.join()
    }

    private func loop() {
        var last = node.lastAnnouncement?.round ?? 0
        var agents: [EVAgent] = []
        while !flag.isSet {
            guard let a = node.waitForAnnouncement(after: last, timeout: .milliseconds(200)) else { continue }
            last = a.round
            if agents.isEmpty, let p = policy(node, .boev) {
                agents = settings.vehicles.map {
                    EVAgent(name: $0.name, key: $0.key, node: node, endorsers: p.endorsers, endorsementsRequired: p.required,
                            firstNonce: restartSafeNonce(node, $0.key.publicKey))
                }
            }
            guard !agents.isEmpty else { continue }
            let failures = Locked<[String]>([])
            let round = a.round, seed = settings.seed, all = agents
            inParallel(all.count, width: 32) { i in
                let offer = SyntheticLoad.offer(vehicle: all[i].name, seed: seed, round: round)
                do {
                    try all[i].submit(round: round, energyWh: offer.energyWh, window: offer.window)
                } catch {
                    failures.take { $0.append("\(all[i].name): \(error)") }
                }
            }
            let failed = failures.value
            if failed.isEmpty {
                logger.info("submitted the offers of round \(round)", metadata: ["vehicles": "\(all.count)"])
            } else {
                logger.warning("round \(round): \(failed.count) of \(all.count) offers not submitted; first: \(failed[0])")
            }
        }
    }
}
