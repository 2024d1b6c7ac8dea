import Foundation
import V2GLedger

extension LedgerNodeState {
    /// Keeps `a` if an orderer of one of this ledger's channels signed it and it names a later round than the
    /// latest kept; the worker then forwards it. Returns whether it was kept.
    func accept(_ a: RoundAnnouncement, log: (String) -> Void) -> Bool {
        let why: String? = lock.withLock {
            let orderers = Set(ledger.chains.values.compactMap { $0.config?.orderer })
            guard orderers.contains(a.author) else { return "not from an orderer of this ledger" }
            guard a.verifies else { return "the signature does not verify" }
            guard a.round > announcement?.round ?? 0 else { return nil }   // old news: neither kept nor logged
            announcement = a
            announcementsToForward.append(a)
            return nil
        }
        if let why { log("announcement of round \(a.round) by \(a.author) ignored: \(why)") }
        let kept = lock.withLock { announcement == a }
        if kept { signalAnnouncement() }
        return kept
    }
}

extension LedgerNode {
    // MARK: Round announcements

    /// Announces round `a.round` to the campus (the control system's call for inputs).
    public func announce(_ a: RoundAnnouncement) {
        state.lock.withLock { state.announcement = a }
        state.signalAnnouncement()
        peer.gossip(a)
    }

    /// Pushes the latest announcement to every neighbour again: for a neighbour whose link was down when it
    /// first went out (receivers that saw it drop the copy as a duplicate).
    public func reannounce() {
        if let a = lastAnnouncement { peer.forward(a) }
    }

    /// The latest announcement kept: signed by an orderer of this ledger's channels.
    public var lastAnnouncement: RoundAnnouncement? { state.lock.withLock { state.announcement } }

    /// Waits for an announcement of a round after `round`, up to `timeout`.
    public func waitForAnnouncement(after round: UInt64, timeout: Duration) -> RoundAnnouncement? {
        let seconds: Double = Double(milliseconds(timeout)) / 1000
        let deadline: Date = Date().addingTimeInterval(seconds)
        while true {
            state.announced.lock()
            let generation = state.announcementGeneration
            state.announced.unlock()
            if let a = lastAnnouncement, a.round > round { return a }
            // A change after `generation` was read bumps it, so the wait below cannot miss it.
            state.announced.lock()
            var timedOut = false
            while state.announcementGeneration == generation && !timedOut {
                timedOut = !state.announced.wait(until: deadline)
            }
            state.announced.unlock()
            if timedOut {
                guard let a = lastAnnouncement, a.round > round else { return nil }
                return a
            }
        }
    }
}

extension LedgerNode {
    /// Waits until each neighbour in `keys` reports every channel in `heights` at least at that height (an
    /// endorser must hold a result's inputs before it can re-execute it); returns whether they all did within
    /// `timeout`.
    public func waitForNeighbours(_ keys: [PublicKey], toReach heights: [Channel: UInt64], timeout: Duration) -> Bool {
        let deadline = ContinuousClock.now + timeout
        var waiting = Set(keys)
        while !waiting.isEmpty {
            for key in waiting.sorted() {
                let left = deadline - ContinuousClock.now
                guard left > .zero else { return false }
                guard let heads = try? peer.requestStatus(neighbour: key, timeout: min(left, .milliseconds(500))) else { continue }
                let reached = heights.allSatisfy { channel, height in
                    heads.contains { $0.channel == channel && $0.height >= height }
                }
                if reached { waiting.remove(key) }
            }
            if !waiting.isEmpty {
                guard ContinuousClock.now < deadline else { return false }
                Thread.sleep(forTimeInterval: 0.001)
            }
        }
        return true
    }
}
