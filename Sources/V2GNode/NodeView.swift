import FoundationEssentials
import V2GKit
import V2GLedger
import V2GTransport

/// What the network thread may know of the chain without waiting for the ledger: each channel's head and config
/// as of the last commit. Its lock is held only to copy or replace them; `changed` is broadcast on every commit
/// and when the node stops, so waits for the chain to grow are conditions, not polls.
final class NodeView: @unchecked Sendable {  // fields under `changed`
    private let changed = Condition()
    private var heads: [Channel: ChannelHead] = [:]
    private var configs: [Channel: ChannelConfig] = [:]
    private var generation = 0
    private var stopped = false

    /// Replaces the snapshot from `ledger` (under the ledger's lock, which is always taken before this one).
    func update(from ledger: Ledger) {
        var h: [Channel: ChannelHead] = [:], c: [Channel: ChannelConfig] = [:]
        for (channel, chain) in ledger.chains {
            if let height = chain.height { h[channel] = ChannelHead(channel: channel, height: height, head: chain.head) }
            if let config = chain.config { c[channel] = config }
        }
        changed.lock()
        heads = h
        configs = c
        generation += 1
        changed.broadcast()
        changed.unlock()
    }

    func stop() {
        changed.lock()
        stopped = true
        changed.broadcast()
        changed.unlock()
    }

    var currentHeads: [Channel: ChannelHead] {
        changed.lock()
        defer { changed.unlock() }
        return heads
    }

    func config(_ channel: Channel) -> ChannelConfig? {
        changed.lock()
        defer { changed.unlock() }
        return configs[channel]
    }

    var orderers: Set<PublicKey> {
        changed.lock()
        defer { changed.unlock() }
        return Set(configs.values.map(\.orderer))
    }

    /// Checks `condition` after every commit until it holds, `timeout` passes or the node stops; returns
    /// whether it held.
    func wait(timeout: Duration, until condition: () -> Bool) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while true {
            changed.lock()
            let seen = generation
            changed.unlock()
            // A commit after `seen` was read bumps `generation`, so the wait below cannot miss it.
            if condition() { return true }
            changed.lock()
            var timedOut = false
            while generation == seen && !stopped && !timedOut { timedOut = !changed.wait(until: deadline) }
            let over = stopped || timedOut
            changed.unlock()
            if over { return condition() }
        }
    }
}
