import FoundationEssentials
import V2GLedger
import Glibc

// The orderer's side of a ledger node: its pool of endorsed transactions, and sealing blocks from it.

extension LedgerNode {
    /// How many rounds ahead of a channel's current round a transaction may be, and still be endorsed or pooled
    /// (one round behind is allowed too; docs/network.md, "Admission").
    public static var roundsAhead: UInt64 { Admission.roundsAhead }

    /// The endorsed transactions waiting in the pool for a block of `channel`, in arrival order.
    public func pooled(_ channel: Channel) -> [Transaction] { core.pool.snapshot[channel] ?? [] }

    /// Offers a transaction to the pool as gossip would (for the orderer's own transactions, or tests).
    /// - Returns: why it was refused, or nil if it was admitted (or belongs to a channel this node does not order).
    @discardableResult
    public func offerToPool(_ transaction: Transaction) -> PoolRefusal? { core.admitToPool(transaction) }

    /// Drops transactions from the pool (those the orderer decided not to seal).
    public func removeFromPool(_ ids: Set<Digest>) { core.pool.remove(ids) }

    /// Evicts every pooled transaction, of any kind, whose round is not in `rounds` (and any whose round cannot be
    /// read): what an orderer does after each round, so nothing it will never seal stays. Returns how many.
    @discardableResult
    public func evictPool(keeping rounds: ClosedRange<UInt64>) -> Int {
        let n = core.pool.remove { tx in Admission.round(of: tx).map { !rounds.contains($0) } ?? true }
        if n > 0 { core.counters.update { $0.poolEvicted += n } }
        return n
    }

    /// Waits until `condition` holds for the pool, checking it on every change, or `timeout` passes or the
    /// node stops; returns whether it held.
    public func waitForPool(timeout: Duration, until condition: ([Channel: [Transaction]]) -> Bool) -> Bool {
        core.pool.wait(timeout: timeout, until: condition)
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
        let (height, head) = withLedger { ($0.chain(channel).height.map { $0 + 1 } ?? 0, $0.chain(channel).head) }
        let block = Block(channel: channel, height: height, previous: head, timestamp: timestamp, orderer: orderer,
                          transactions: transactions)
        try publish(block)
        core.pool.remove(Set(transactions.map(\.id)))
        return block
    }

    /// How large a block of pooled inputs grows before the next one starts: a round of 10,000 offers is four blocks
    /// of about 1 MB, not one of 4 MB, which every node would decode, validate and store whole, and the orderer
    /// encrypt once per neighbour at the same time.
    public static let sealedBlockBytes = 1 << 20

    /// Seals pooled `transactions`, in order, into as many blocks as keep each under `maxBytes` of encoded
    /// transactions (a larger transaction gets a block of its own; none, one empty block), each as
    /// `sealDroppingRejected` does.
    /// - Returns: the blocks, and the transactions dropped from them.
    public func sealInBlocks(_ channel: Channel, _ transactions: [Transaction], orderer: SigningKey,
                             maxBytes: Int = LedgerNode.sealedBlockBytes, timestamp: Int64 = Int64(time(nil)))
        throws(LedgerError) -> (blocks: [Block], dropped: [Transaction]) {
        var blocks: [Block] = [], dropped: [Transaction] = []
        var chunk: [Transaction] = [], bytes = 0
        func flush() throws(LedgerError) {
            let (block, out) = try sealDroppingRejected(channel, chunk, orderer: orderer, timestamp: timestamp)
            blocks.append(block)
            dropped += out
            (chunk, bytes) = ([], 0)
        }
        for tx in transactions {
            let size = tx.encoded.count
            if !chunk.isEmpty && bytes + size > maxBytes { try flush() }
            chunk.append(tx)
            bytes += size
        }
        if !chunk.isEmpty || blocks.isEmpty { try flush() }   // nothing to seal: one empty block, as before
        return (blocks, dropped)
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
                core.pool.remove([bad.id])
                core.counters.update { $0.poolDropped += 1 }
            }
        }
    }
}
