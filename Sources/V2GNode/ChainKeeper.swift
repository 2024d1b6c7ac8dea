import FoundationEssentials
import V2GLedger
import V2GKit

/// What became of a block offered to the node.
enum BlockOutcome: Equatable {
    case committed
    /// Its height is already committed.
    case stale
    /// It is ahead of the next height of its channel; kept pending.
    case ahead
    /// It refers to a transaction not committed yet (`.unknownInput`); kept pending.
    case waiting
    case rejected(LedgerError)
    /// The store failed after the ledger accepted a block: the node stops committing.
    case failed(LedgerError)
}

/// Where a block offered to the node came from.
enum BlockSource {
    case gossip, catchUp
}

/// A block waiting for its height or for a block of another channel.
struct PendingBlock {
    var block: Block
    var sender: PublicKey?
}

/// The ledger and its store: the only place blocks are committed. Everything here runs under `lock`, on the
/// node's worker, its service threads and callers (`publish`), never on the network thread; the signatures a
/// block carries are verified before the lock is taken (into the signature cache), so the lock is held for
/// the ledger's bookkeeping, re-execution and the store's fsync only.
final class ChainKeeper: @unchecked Sendable {  // every field under `lock`
    let lock = Lock()
    let ledger: Ledger
    private var store: LedgerStore?
    let storePath: String?
    let view: NodeView
    private let counters: CounterBox
    /// The committed blocks of each channel when there is no store to serve them from (under `memoryLock`,
    /// which the block server takes without the ledger's).
    private let memoryLock = Lock()
    private var memory: [Channel: [Block]] = [:]
    private var pending: [PendingBlock] = []
    private let maxPending: Int
    private let validation: ValidationPriority
    /// Set when the store failed after the ledger accepted a block: memory is then ahead of disk, and the node
    /// commits nothing more (restarting replays the store).
    private(set) var failure: LedgerError?
    /// Set when the node stops, under its own lock: stopping never waits for a validation under way.
    private let stopLock = Lock()
    private var stopped = false
    var isStopping: Bool { stopLock.withLock { stopped } }

    /// Opens the store at `storePath`, if any, and replays its blocks in commit order.
    init(storePath: String?, maxPending: Int, validation: ValidationPriority, closedRoundsKept: UInt64, view: NodeView,
         counters: CounterBox) throws(LedgerError) {
        ledger = Ledger(closedRoundsKept: closedRoundsKept)
        self.maxPending = max(0, maxPending)
        self.validation = validation
        self.view = view
        self.counters = counters
        self.storePath = storePath
        if let storePath {
            let store = try LedgerStore(path: storePath)
            let ledger = self.ledger
            try store.forEachBlock { (block) throws(LedgerError) in
                do throws(LedgerError) {
                    try ledger.append(block)
                } catch {
                    throw LedgerError(error.code, "\(storePath): \(block.channel) block \(block.height) does not replay: \(error.message)",
                                      height: block.height, transaction: error.transaction)
                }
            }
            self.store = store
        }
        view.update(from: ledger)
    }

    func nextHeight(_ channel: Channel) -> UInt64 { ledger.chain(channel).height.map { $0 + 1 } ?? 0 }

    /// `nextHeight` without the caller holding `lock`.
    func next(_ channel: Channel) -> UInt64 { view.currentHeads[channel].map { $0.height + 1 } ?? 0 }

    /// Up to `maxCount` blocks of the in-memory chain from `fromHeight`.
    func memoryBlocks(_ channel: Channel, from fromHeight: UInt64, maxCount: Int) -> [Block] {
        memoryLock.withLock {
            let chain = memory[channel] ?? []
            guard fromHeight < UInt64(chain.count), maxCount > 0 else { return [] }
            let start = Int(fromHeight)
            return Array(chain[start..<min(chain.count, start + maxCount)])
        }
    }

    var hasStore: Bool { storePath != nil }

    func verifyStore() -> VerificationReport? { lock.withLock { store?.verify() } }

    /// Verifies every signature `block` carries into the ledger's cache, holding no lock: spread over the cores,
    /// or on this thread alone for a node that validates in the background. Returns whether all verified.
    private func prefetchSignatures(_ block: Block) -> Bool {
        ledger.signatures.prefetch(Ledger.signatureChecks(block), parallel: validation == .foreground)
    }

    /// What a block ahead of or at the next height must pass before any work is spent on it, holding no lock: the
    /// channel's orderer, the previous hash of the next block, the Merkle root, endorsement lists no longer than
    /// the channel's endorsers (sorted, distinct, theirs), the orderer's signature, then every other signature.
    /// A member's junk block costs a hash and a verification, not a validation under the ledger's lock.
    private func precheck(_ block: Block) -> LedgerError? {
        if let config = view.config(block.channel) {
            guard block.orderer == config.orderer else {
                return LedgerError(.chain, "block not packed by the channel's orderer", height: block.height)
            }
            if let head = view.currentHeads[block.channel], block.height == head.height + 1, block.previous != head.head {
                return LedgerError(.chain, "previous hash does not match block \(head.height)", height: block.height)
            }
            let endorsers = Set(config.endorsers)
            for (i, tx) in block.transactions.enumerated() {
                let keys = tx.endorsements.map(\.endorser)
                guard keys.count <= endorsers.count, zip(keys, keys.dropFirst()).allSatisfy({ $0 < $1 }),
                      keys.allSatisfy(endorsers.contains) else {
                    return LedgerError(.endorsement, "endorsements not sorted, repeated or not by the channel's endorsers",
                                       height: block.height, transaction: i)
                }
            }
        }
        guard Merkle.root(block.transactions.map(\.id)) == block.merkleRoot else {
            return LedgerError(.merkle, "Merkle root does not match the transactions", height: block.height)
        }
        guard ledger.signatures.verify(block.orderer, block.signature, of: block.hash.bytes) else {
            return LedgerError(.badSignature, "orderer signature does not verify", height: block.height)
        }
        guard prefetchSignatures(block) else {
            return LedgerError(.badSignature, "a signature in the block does not verify", height: block.height)
        }
        return nil
    }

    // MARK: Committing

    /// Offers a block received from the network: commits it if it is the next of its channel and valid, keeps it
    /// pending if it is ahead or waits for another channel's block, and counts it if it is rejected.
    func receive(_ block: Block, from sender: PublicKey?, source: BlockSource) -> BlockOutcome {
        guard !isStopping else { return .failed(LedgerError(.store, "the node is stopped")) }
        if block.height >= next(block.channel), let error = precheck(block) {
            countRejection(error, from: sender)
            return .rejected(error)
        }
        return lock.withLock {
            if let failure { return .failed(failure) }
            guard !isStopping else { return .failed(LedgerError(.store, "the node is stopped")) }
            let next = nextHeight(block.channel)
            if block.height < next {
                if source == .gossip { counters.update { $0.stale += 1 } }
                return .stale
            }
            if block.height > next {
                counters.update { $0.gaps += 1 }
                // Only the channel's orderer can make a block worth keeping: junk does not fill the buffer.
                if let error = sealError(block) {
                    countRejection(error, from: sender)
                    return .rejected(error)
                }
                keepPending(block, from: sender)
                return .ahead
            }
            let outcome = commitLocked(block, from: sender)
            switch outcome {
            case .committed:
                counters.update {
                    switch source {
                    case .gossip: $0.committedFromGossip += 1
                    case .catchUp: $0.committedFromCatchUp += 1
                    }
                }
                retryPendingLocked()
                view.update(from: ledger)
            case .waiting:
                keepPending(block, from: sender)
            default:
                break
            }
            return outcome
        }
    }

    /// Validates and commits a block this node sealed; nothing is kept pending.
    func publish(_ block: Block) throws(LedgerError) {
        guard !isStopping else { throw LedgerError(.store, "the node is stopped") }
        if let error = precheck(block) { throw error }
        let outcome: BlockOutcome = lock.withLock {
            if let failure { return .failed(failure) }
            guard !isStopping else { return .failed(LedgerError(.store, "the node is stopped")) }
            let outcome = commitLocked(block, from: nil, countRejection: false)
            if outcome == .committed {
                counters.update { $0.published += 1 }
                retryPendingLocked()
                view.update(from: ledger)
            }
            return outcome
        }
        switch outcome {
        case .committed: return
        case .rejected(let e), .failed(let e): throw e
        case .waiting: throw LedgerError(.unknownInput, "\(block.channel) block \(block.height) refers to transactions not committed here")
        case .stale, .ahead: throw LedgerError(.chain, "\(block.channel) block \(block.height) is not the next block")
        }
    }

    /// Why a block ahead of its channel cannot be the orderer's, if it cannot (once the channel's config is known):
    /// the checks of `Ledger.append` that need no block before it. Under `lock`.
    private func sealError(_ block: Block) -> LedgerError? {
        guard let config = ledger.chain(block.channel).config else { return nil }
        guard block.orderer == config.orderer else {
            return LedgerError(.chain, "block not packed by the channel's orderer", height: block.height)
        }
        guard ledger.signatures.verify(block.orderer, block.signature, of: block.hash.bytes) else {
            return LedgerError(.badSignature, "orderer signature does not verify", height: block.height)
        }
        return nil
    }

    private func countRejection(_ error: LedgerError, from sender: PublicKey?) {
        counters.update {
            $0.rejections[error.code.rawValue, default: 0] += 1
            if let sender { $0.misbehaviour[sender, default: 0] += 1 }
        }
    }

    /// `Ledger.append`, then `LedgerStore.append`. Under `lock`.
    private func commitLocked(_ block: Block, from sender: PublicKey?, countRejection: Bool = true) -> BlockOutcome {
        do {
            try ledger.append(block)
        } catch {
            if error.code == .unknownInput { return .waiting }
            if countRejection { self.countRejection(error, from: sender) }
            return .rejected(error)
        }
        if let store {
            do {
                try store.append(block)
            } catch {
                failure = error   // the ledger cannot take the block back: stop here, a restart replays the store
                return .failed(error)
            }
        } else {
            memoryLock.withLock { memory[block.channel, default: []].append(block) }
        }
        return .committed
    }

    /// Keeps a block for later, once; counts it if the buffer is full. Under `lock`.
    private func keepPending(_ block: Block, from sender: PublicKey?) {
        guard !pending.contains(where: { $0.block == block }) else { return }
        guard pending.count < maxPending else {
            counters.update { $0.pendingDropped += 1 }
            return
        }
        pending.append(PendingBlock(block: block, sender: sender))
    }

    /// Commits every pending block that has become the next of its channel and no longer waits, until none
    /// does; drops those overtaken and counts those now invalid. Under `lock`.
    private func retryPendingLocked() {
        var progress = true
        while progress && failure == nil {
            progress = false
            var keep: [PendingBlock] = []
            for p in pending {
                let next = nextHeight(p.block.channel)
                if p.block.height < next { continue }           // overtaken: that height is committed
                if p.block.height > next || progress {          // not yet, or look again after this pass
                    keep.append(p)
                    continue
                }
                switch commitLocked(p.block, from: p.sender) {
                case .committed:
                    counters.update { $0.committedFromPending += 1 }
                    progress = true
                case .waiting:
                    keep.append(p)
                default:
                    break                                       // counted as rejected, or the store failed
                }
            }
            pending = keep
        }
    }

    /// Pending blocks now.
    var pendingCount: Int { lock.withLock { pending.count } }

    /// Stops accepting blocks and closes the store. After the worker and the service threads are gone.
    func close() {
        markStopping()
        lock.withLock { store = nil }
    }

    func markStopping() { stopLock.withLock { stopped = true } }
}
