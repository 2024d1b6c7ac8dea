import V2GLedger
import V2GTransport

/// Anti-entropy (docs/network.md, "Catch-up"): pull what neighbours have and this node lacks, by height.
enum CatchUp {
    /// One run; the caller holds `core.catchUpLock`.
    static func run(_ core: NodeCore) -> CatchUpReport {
        var report = CatchUpReport()
        core.counters.update { $0.catchUps += 1 }
        let configuration = core.configuration
        let peer = core.peer!
        func skip(_ n: PublicKey, _ why: String) {
            report.skipped.insert(n)
            core.limited.warning("catch-up skip", "catch-up: skipping \(n): \(why)")
        }
        var statuses: [PublicKey: [Channel: ChannelHead]] = [:]
        for n in peer.connectedNeighbours.sorted() {
            do {
                let heads = try peer.requestStatus(neighbour: n, timeout: configuration.requestTimeout)
                statuses[n] = Dictionary(heads.map { ($0.channel, $0) }, uniquingKeysWith: { a, _ in a })
                report.asked.insert(n)
            } catch {
                if error.code == .stopped { return report }
                core.counters.update { $0.requestFailures += 1 }
                skip(n, "status: \(error)")
            }
        }
        let order = statuses.keys.sorted()
        var progress = true
        while progress {
            progress = false
            for channel in Channel.allCases {
                for n in order where !report.skipped.contains(n) {
                    guard let target = statuses[n]?[channel] else { continue }
                    pulling: while true {
                        let next = core.chain.next(channel)
                        guard next <= target.height else { break }
                        // Subtract before adding: a neighbour may claim a height of UInt64.max.
                        let count = Int(min(UInt64(configuration.batchSize - 1), target.height - next) + 1)
                        let blocks: [Block]
                        do {
                            blocks = try peer.requestBlocks(channel, from: next, count: count, neighbour: n,
                                                            timeout: configuration.requestTimeout)
                        } catch {
                            if error.code == .stopped { return report }
                            core.counters.update { $0.requestFailures += 1 }
                            skip(n, "\(channel) from \(next): \(error)")
                            break
                        }
                        guard !blocks.isEmpty else {
                            skip(n, "announced \(channel) height \(target.height) but served nothing from \(next)")
                            break
                        }
                        for block in blocks {
                            switch core.chain.receive(block, from: n, source: .catchUp) {
                            case .committed:
                                report.committed += 1
                                progress = true
                            case .stale:
                                continue                // committed meanwhile (gossip)
                            case .waiting, .ahead:
                                break pulling           // waits for another channel: go on with the others
                            case .rejected(let e):
                                core.limited.warning("block rejected \(e.code.rawValue)",
                                                     "catch-up: \(channel) block \(block.height) from \(n) rejected: \(e)")
                                skip(n, "served an invalid block")
                                break pulling
                            case .failed(let e):
                                core.logger.error("catch-up stopped: \(e)")
                                return report
                            }
                        }
                    }
                }
            }
        }
        let ours = core.view.currentHeads
        let answered = report.asked.subtracting(report.skipped)
        report.converged = !answered.isEmpty && answered.allSatisfy { statuses[$0] == ours }
        return report
    }
}
