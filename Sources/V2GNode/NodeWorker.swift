import FoundationEssentials
import Glibc
import V2GLedger
import V2GTransport

/// The node's worker: validates queued gossip in arrival order, and catches up when a gap or a rejected block
/// is seen, a link comes up, or `catchUpInterval` has passed since the last run. After commits it lets parked
/// endorsement requests look again.
struct NodeWorker {
    let core: NodeCore

    func run() {
        let configuration = core.configuration
        if configuration.validation == .background {
            // Linux: the nice value of PRIO_PROCESS 0 is the calling thread's own.
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10)
        }
        let logger = core.logger
        var links: Set<PublicKey> = []
        var due = ContinuousClock.now            // catch up at start
        let tick = min(configuration.catchUpInterval, .milliseconds(250))
        while let (blocks, requested) = core.inbox.take(timeout: tick) {
            var wanted = requested
            var committed = false
            for p in blocks {
                switch core.chain.receive(p.block, from: p.sender, source: .gossip) {
                case .committed:
                    committed = true
                    core.peer.forward(p.block, except: p.sender)   // validated: now pass it on
                case .ahead:
                    wanted = true
                case .rejected(let e):
                    core.limited.warning("block rejected \(e.code.rawValue)",
                                         "rejected \(p.block.channel) block \(p.block.height) from \(p.sender.map { "\($0)" } ?? "?"): \(e)")
                    wanted = true               // it may have taken the honest block's place in the peer's seen set
                case .failed(let e):
                    logger.error("not committing: \(e)")
                default:
                    break
                }
            }
            if committed || core.desk.hasParked || !core.unplaced.isEmpty {
                core.scheduleRetry()
            }
            let now = core.peer.connectedNeighbours
            if !now.subtracting(links).isEmpty { wanted = true }
            links = now
            if wanted || ContinuousClock.now >= due {
                let report = core.catchUpLock.withLock { CatchUp.run(core) }
                if report.committed > 0 {
                    logger.info("catch-up committed \(report.committed) blocks")
                    core.scheduleRetry()
                }
                due = ContinuousClock.now + configuration.catchUpInterval
            }
        }
    }
}
