import Dispatch
import FoundationEssentials
import V2GLedger

// The blocking side of a peer: requests that wait for their answer on the caller's thread (never the peer's).

extension Peer {
    /// Asks one neighbour for up to `count` blocks of `channel` from height `from`: the catch-up primitive.
    /// - Parameters:
    ///   - neighbour: whom to ask; nil for the first connected neighbour.
    ///   - timeout: how long to wait for the answer.
    /// - Returns: consecutive blocks from `from` (fewer than `count` if the neighbour has fewer, or if they
    ///   did not fit one message; ask again from the next height).
    public func requestBlocks(_ channel: Channel, from: UInt64, count: Int, neighbour: PublicKey? = nil,
                              timeout: Duration = .seconds(2)) throws(TransportError) -> [Block] {
        let max = UInt32(clamping: count)
        let reply = try request(neighbour: neighbour, timeout: timeout) {
            .getBlocks(requestID: $0, channel: channel, fromHeight: from, maxCount: max)
        }
        guard case let .blocks(_, replyChannel, blocks) = reply, replyChannel == channel, blocks.count <= Int(max),
              blocks.enumerated().allSatisfy({ $1.channel == channel && $1.height == from + UInt64($0) })
        else { throw TransportError(.badReply, "the blocks do not answer the request for \(channel) from \(from)") }
        return blocks
    }

    /// Asks one neighbour for the heads of its channels.
    public func requestStatus(neighbour: PublicKey? = nil, timeout: Duration = .seconds(2)) throws(TransportError) -> [ChannelHead] {
        let reply = try request(neighbour: neighbour, timeout: timeout) { .getStatus(requestID: $0) }
        guard case let .status(_, heads) = reply else { throw TransportError(.badReply, "not a status") }
        return heads
    }

    /// Asks `endorsers` (neighbours) to endorse `transaction` and waits until `required` of them have answered
    /// with an endorsement that verifies, or `timeout` passes. An endorser that refuses does not answer.
    /// Endorsements are verified here, on the caller's thread, by `verify`.
    /// - Parameters:
    ///   - transaction: the signed transaction; its endorsements are not sent.
    ///   - endorsers: whom to ask; each must be a neighbour (the request goes on the link to it).
    ///   - required: how many endorsements end the wait early.
    ///   - timeout: the longest wait.
    ///   - verify: whether an endorsement is genuine (a caller with a signature cache passes its own check).
    /// - Returns: the endorsements received, sorted by endorser key (fewer than `required` on a timeout).
    /// - Throws: `TransportError.stopped` if the peer stopped before any arrived.
    public func requestEndorsements(_ transaction: Transaction, from endorsers: [PublicKey], required: Int,
                                    timeout: Duration = .seconds(2),
                                    verify: (Endorsement, Digest) -> Bool = { $0.verifies($1) })
        throws(TransportError) -> [Endorsement] {
        var bare = transaction
        bare.endorsements = []
        let id = bare.id
        let wait = EndorsementWait(asked: Set(endorsers))
        let started: Bool = shared.lock.withLock {
            guard !shared.stopping, shared.endorsementWaits[id] == nil else { return false }
            shared.endorsementWaits[id] = wait
            shared.commands.append(.endorse(frame: GossipMessage.endorse(bare).encoded, to: Set(endorsers)))
            return true
        }
        guard started else {
            if shared.isStopping { throw TransportError(.stopped, "the peer stopped") }
            throw TransportError(.badReply, "endorsements of \(id) are already being collected")
        }
        shared.wake.wake()
        defer { shared.lock.withLock { shared.endorsementWaits[id] = nil } }
        let deadline = DispatchTime.now() + .nanoseconds(Int(clamping: nanoseconds(timeout)))
        var got: [PublicKey: Endorsement] = [:]
        var forged: Set<PublicKey> = []   // an endorser that sent one that does not verify is not heard again
        while got.count < required {
            let timedOut = wait.signal.wait(timeout: deadline) == .timedOut
            let arrived = shared.lock.withLock {
                defer { wait.arrived.removeAll() }
                return wait.arrived
            }
            for e in arrived where got[e.endorser] == nil && !forged.contains(e.endorser) {
                if verify(e, id) {
                    got[e.endorser] = e
                } else {
                    forged.insert(e.endorser)
                    countDrop(.unexpected)
                    limited.warning("dropped unexpected", "dropped (unexpected) from \(e.endorser): an endorsement of \(id) that does not verify")
                }
            }
            if timedOut || shared.isStopping { break }
        }
        if got.isEmpty, shared.isStopping { throw TransportError(.stopped, "the peer stopped") }
        return got.values.sorted { $0.endorser < $1.endorser }
    }

    private func request(neighbour: PublicKey?, timeout: Duration,
                         _ message: (UInt64) -> GossipMessage) throws(TransportError) -> GossipMessage {
        let pending = PendingRequest(neighbour: neighbour)
        let id: UInt64? = shared.lock.withLock {
            guard !shared.stopping else { return nil }
            shared.nextRequestID += 1
            let id = shared.nextRequestID
            shared.pending[id] = pending
            shared.commands.append(.request(id: id, neighbour: neighbour, frame: message(id).encoded))
            return id
        }
        guard let id else { throw TransportError(.stopped, "the peer stopped") }
        shared.wake.wake()
        _ = pending.done.wait(timeout: .now() + .nanoseconds(Int(clamping: nanoseconds(timeout))))
        let result = shared.lock.withLock {
            shared.pending[id] = nil
            return pending.result
        }
        guard let result else { throw TransportError(.timeout, "no answer within \(timeout)") }
        return try result.get()
    }
}

/// A duration in whole nanoseconds, saturating.
func nanoseconds(_ d: Duration) -> Int64 {
    let (s, atto) = d.components
    let (ns, overflow) = s.multipliedReportingOverflow(by: 1_000_000_000)
    return overflow ? (s < 0 ? .min : .max) : ns.addingReportingOverflow(atto / 1_000_000_000).partialValue
}
