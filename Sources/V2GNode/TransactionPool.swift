import Foundation
import V2GLedger

// The orderer's transaction pool and the endorser's check (SPEC §6 flow: endorse, then order).
//
// Both check a transaction against the committed config of its channel, as `Ledger.append` will: the pool
// admits only what would pass the ledger's admission step (signatures, membership and role, the endorsement
// policy, not already committed), so a block sealed from it fails only on what needs the chain (nonces,
// re-execution); the endorser signs only what its author may write and what decodes.

extension LedgerNodeState {
    /// The checks both sides make: a channel with a config, a kind allowed on it (never `config`), the author's
    /// signature, the author a member with a role that may write the kind. Under `lock`.
    func authorError(_ tx: Transaction, id: Digest) -> (ChannelConfig, LedgerError?) {
        guard let config = ledger.chain(tx.channel).config else {
            return (ChannelConfig(name: "", orderer: tx.author, members: [], endorsementsRequired: 0, endorsers: []),
                    LedgerError(.chain, "no genesis block on \(tx.channel) yet"))
        }
        guard tx.kind != .config, tx.kind.channels.contains(tx.channel) else {
            return (config, LedgerError(.kindNotAllowed, "\(tx.kind) is not allowed on \(tx.channel)"))
        }
        guard ledger.signatures.verify(tx.author, tx.signature, of: id.bytes) else {
            return (config, LedgerError(.badSignature, "author signature does not verify"))
        }
        let roles = Set(config.members.filter { $0.key == tx.author }.map(\.role))
        guard !roles.isEmpty else { return (config, LedgerError(.notMember, "author \(tx.author) is not a member of \(tx.channel)")) }
        guard !roles.isDisjoint(with: tx.kind.authors) else {
            return (config, LedgerError(.roleNotAllowed, "\(tx.kind) may not be authored by \(tx.author)'s roles"))
        }
        return (config, nil)
    }

    /// Decodes the payload strictly, as the ledger's execution step will.
    static func payloadError(_ tx: Transaction) -> LedgerError? {
        do {
            switch tx.kind {
            case .config: _ = try ChannelConfig.decode(tx.payload)
            case .requestList: _ = try RequestListPayload.decode(tx.payload)
            case .offer: _ = try OfferPayload.decode(tx.payload)
            case .allocationResult: _ = try AllocationResultPayload.decode(tx.payload)
            case .notification: _ = try NotificationPayload.decode(tx.payload)
            case .meteringRecord: _ = try MeteringPayload.decode(tx.payload)
            case .settlement: _ = try SettlementPayload.decode(tx.payload)
            case .penaltyUpdate: _ = try PenaltyUpdatePayload.decode(tx.payload)
            case .modelUpdate: _ = try ModelUpdatePayload.decode(tx.payload)
            case .campusSurplus: _ = try CampusSurplusPayload.decode(tx.payload)
            }
        } catch {
            return error
        }
        return nil
    }

    /// Answers an `endorse` request: this node's endorsement if it endorses on the channel and the transaction
    /// passes `authorError` and `payloadError` and is not committed yet, and, for an allocation result, if it
    /// re-executes to the same allocation on the inputs committed here (`Ledger.check`); nil (counted by reason)
    /// otherwise.
    func endorse(_ tx: Transaction, log: (String) -> Void) -> Endorsement? {
        let id = tx.id
        let outcome: Result<Endorsement, LedgerError> = lock.withLock {
            guard let key = endorsingKey else { return .failure(LedgerError(.endorsement, "this node does not endorse")) }
            let (config, error) = authorError(tx, id: id)
            if let error { return .failure(error) }
            guard config.endorsers.contains(key.publicKey) else {
                return .failure(LedgerError(.endorsement, "this node is not an endorser of \(tx.channel)"))
            }
            guard ledger.transaction(id) == nil else { return .failure(LedgerError(.replay, "\(id) is already committed")) }
            if let error = Self.payloadError(tx) { return .failure(error) }
            if tx.kind == .allocationResult {
                // Accepting a result means re-executing it: its inputs must be committed here already.
                do throws(LedgerError) { try ledger.check(tx) } catch { return .failure(error) }
            }
            counters.endorsementsGiven += 1
            let endorsement = Endorsement.signing(tx, with: key)
            ledger.signatures.noteValid(endorsement.endorser, endorsement.signature, of: id.bytes)
            return .success(endorsement)
        }
        switch outcome {
        case .success(let e): return e
        case .failure(let error):
            lock.withLock { counters.endorsementRefusals[error.code.rawValue, default: 0] += 1 }
            log("endorsement of \(tx.kind) \(id) by \(tx.author) refused: \(error)")
            return nil
        }
    }

    /// Offers a gossip'd transaction to the pool of `orderer`'s channels. Transactions of a channel this node
    /// does not order are ignored; others are admitted if they pass `authorError`, carry the endorsements the
    /// policy needs (sorted, distinct, by the channel's endorsers, each verifying), and are neither committed
    /// nor pooled already. Returns why it was refused, if it was.
    @discardableResult
    func offerToPool(_ tx: Transaction, orderer: PublicKey, log: (String) -> Void) -> LedgerError? {
        let id = tx.id
        let error: LedgerError? = lock.withLock {
            guard !stopped, let config = ledger.chain(tx.channel).config, config.orderer == orderer else { return nil }
            if let error = authorError(tx, id: id).1 { return error }
            var last: PublicKey?
            for e in tx.endorsements {
                if let last, !(last < e.endorser) { return LedgerError(.endorsement, "endorsements not sorted or repeated") }
                last = e.endorser
                guard config.endorsers.contains(e.endorser) else { return LedgerError(.endorsement, "\(e.endorser) is not an endorser") }
                guard ledger.signatures.verify(e.endorser, e.signature, of: id.bytes) else {
                    return LedgerError(.badSignature, "endorsement by \(e.endorser) does not verify")
                }
            }
            guard tx.endorsements.count >= Int(config.endorsementsRequired) else {
                return LedgerError(.endorsement, "\(tx.endorsements.count) endorsements, the policy needs \(config.endorsementsRequired)")
            }
            guard ledger.transaction(id) == nil, !pooledIDs.contains(id) else {
                return LedgerError(.replay, "\(id) is already committed or pooled")
            }
            guard pooledIDs.count < maxPool else {
                counters.poolDropped += 1
                return LedgerError(.store, "the pool is full")
            }
            pool[tx.channel, default: []].append(tx)
            pooledIDs.insert(id)
            counters.transactionsPooled += 1
            return nil
        }
        if let error {
            lock.withLock { counters.poolRefusals[error.code.rawValue, default: 0] += 1 }
            log("pool: \(tx.kind) \(id) by \(tx.author) refused: \(error)")
        }
        return error
    }

    /// Removes transactions from the pool. Under `lock`.
    func removeFromPoolLocked(_ ids: Set<Digest>) {
        for channel in pool.keys { pool[channel]?.removeAll { ids.contains($0.id) } }
        pooledIDs.subtract(ids)
    }
}

extension LedgerNode {
    // MARK: Endorsing

    /// Makes this node answer `endorse` requests on the channels whose config names it as an endorser.
    /// - Parameter key: the node's own ledger key (the one it was created with).
    /// - Throws: `LedgerError.endorsement` if `key` is not the node's.
    public func enableEndorsing(with key: SigningKey) throws(LedgerError) {
        guard key.publicKey == publicKey else { throw LedgerError(.endorsement, "not this node's key") }
        state.lock.withLock { state.endorsingKey = key }
    }

    // MARK: The orderer's pool

    /// The endorsed transactions waiting in the pool for a block of `channel`, in arrival order.
    public func pooled(_ channel: Channel) -> [Transaction] { state.lock.withLock { state.pool[channel] ?? [] } }

    /// Offers a transaction to the pool as gossip would (for the orderer's own transactions, or tests).
    /// - Returns: why it was refused, or nil if it was admitted (or belongs to a channel this node does not order).
    @discardableResult
    public func offerToPool(_ transaction: Transaction) -> LedgerError? {
        state.offerToPool(transaction, orderer: publicKey, log: { _ in })
    }

    /// Drops transactions from the pool (those the orderer decided not to seal).
    public func removeFromPool(_ ids: Set<Digest>) { state.lock.withLock { state.removeFromPoolLocked(ids) } }

    /// Waits until `condition` holds for the pool, or `timeout` passes; returns whether it held.
    public func waitForPool(timeout: Duration, until condition: ([Channel: [Transaction]]) -> Bool) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while true {
            if condition(state.lock.withLock { state.pool }) { return true }
            guard ContinuousClock.now < deadline else { return false }
            Thread.sleep(forTimeInterval: 0.002)
        }
    }

    /// Seals `transactions` into the next block of `channel`, publishes it (validated, stored, gossiped) and
    /// removes them from the pool.
    /// - Parameters:
    ///   - orderer: the channel's orderer key: this node's.
    ///   - timestamp: the block's time (Unix seconds).
    /// - Returns: the block.
    /// - Throws: the `LedgerError` that rejected the block (nothing is committed then).
    @discardableResult
    public func seal(_ channel: Channel, _ transactions: [Transaction], orderer: SigningKey,
                     timestamp: Int64 = Int64(time(nil))) throws(LedgerError) -> Block {
        let (height, head) = state.lock.withLock { (state.nextHeight(channel), state.ledger.chain(channel).head) }
        let block = Block(channel: channel, height: height, previous: head, timestamp: timestamp, orderer: orderer,
                          transactions: transactions)
        try publish(block)
        state.lock.withLock { state.removeFromPoolLocked(Set(transactions.map(\.id))) }
        return block
    }

    /// Seals pooled transactions: `transactions` are tried as one block; one the ledger rejects (named by the
    /// error) is dropped from the block and from the pool, counted in `poolDropped`, and the rest tried again.
    /// - Returns: the block, and the transactions dropped from it.
    public func sealDroppingRejected(_ channel: Channel, _ transactions: [Transaction], orderer: SigningKey,
                                     timestamp: Int64 = Int64(time(nil))) throws(LedgerError) -> (Block, [Transaction]) {
        var txs = transactions
        var dropped: [Transaction] = []
        while true {
            do {
                return (try seal(channel, txs, orderer: orderer, timestamp: timestamp), dropped)
            } catch {
                guard let i = error.transaction, txs.indices.contains(i), error.code != .store else { throw error }
                let bad = txs.remove(at: i)
                dropped.append(bad)
                state.lock.withLock {
                    state.removeFromPoolLocked([bad.id])
                    state.counters.poolDropped += 1
                }
            }
        }
    }
}
