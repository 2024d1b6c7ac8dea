import FoundationEssentials
import Logging
import V2GLedger
import V2GTransport
import V2GKit

/// An endorser's side of `endorse` requests (SPEC §6 flow): checks a transaction as the ledger will, re-executes
/// an allocation result on the inputs committed here, and signs. Requests are handled on the node's admission
/// thread, never the network thread. An allocation result whose inputs are not committed here yet (the orderer
/// sealed them a moment ago and their block is still on its way) waits, up to `endorsementInputWait`, and is
/// checked again after every commit: the orderer can ask as soon as it sealed, without polling its endorsers.
final class EndorsementDesk: @unchecked Sendable {  // `key` under `lock`; `parked` only on the admission thread
    private struct Parked {
        var transaction: Transaction
        var route: ReplyRoute
        var until: ContinuousClock.Instant
    }

    private let lock = Lock()
    private var key: SigningKey?
    private var parked: [Parked] = []
    private let parkedCount = ParkedCount()
    let chain: ChainKeeper
    let counters: CounterBox
    let log: LogLimiter
    let wait: Duration
    let maxParked: Int
    let board: AnnouncementBoard

    init(chain: ChainKeeper, board: AnnouncementBoard, counters: CounterBox, log: LogLimiter, wait: Duration, maxParked: Int) {
        self.board = board
        self.chain = chain
        self.counters = counters
        self.log = log
        self.wait = wait
        self.maxParked = max(0, maxParked)
    }

    func enable(_ key: SigningKey) { lock.withLock { self.key = key } }

    /// Whether requests are waiting for their inputs (read by the worker to schedule `retryParked`).
    var hasParked: Bool { parkedCount.value > 0 }

    /// This node's endorsement of `tx` if it endorses on the channel and the transaction passes the author,
    /// payload and replay checks, names a round it can be used in (`Admission.usabilityError`) and, for an
    /// allocation result, re-executes to the same allocation here.
    func check(_ tx: Transaction) -> Result<Endorsement, LedgerError> {
        guard let key = lock.withLock({ self.key }) else { return .failure(LedgerError(.endorsement, "this node does not endorse")) }
        guard let config = chain.view.config(tx.channel) else {
            return .failure(LedgerError(.chain, "no genesis block on \(tx.channel) yet"))
        }
        guard config.endorsers.contains(key.publicKey) else {
            return .failure(LedgerError(.endorsement, "this node is not an endorser of \(tx.channel)"))
        }
        let id = tx.id
        let signatures = chain.ledger.signatures
        if let error = Admission.authorError(tx, id: id, config: config, signatures: signatures) { return .failure(error) }
        if let error = Admission.payloadError(tx) { return .failure(error) }
        let committed: LedgerError? = chain.lock.withLock {
            if let error = Admission.usabilityError(tx, id: id, ledger: chain.ledger, announced: board.current,
                                                    orderer: config.orderer) { return error }
            guard tx.kind == .allocationResult else { return nil }
            // Accepting a result means re-executing it: its inputs must be committed here already.
            do throws(LedgerError) { try chain.ledger.check(tx) } catch { return error }
            return nil
        }
        if let committed { return .failure(committed) }
        let endorsement = Endorsement(of: id, by: key)
        signatures.noteValid(endorsement.endorser, endorsement.signature, of: id.bytes)
        return .success(endorsement)
    }

    /// `check`, counted as an endorsement given or refused: the node's own, for an author that endorses too.
    func endorse(_ tx: Transaction) -> Result<Endorsement, LedgerError> {
        let result = check(tx)
        switch result {
        case .success: counters.update { $0.endorsementsGiven += 1 }
        case .failure(let error): refused(tx, error)
        }
        return result
    }

    /// Answers an `endorse` request through `peer`, parks it, or refuses it (no answer). On the admission thread.
    func handle(_ tx: Transaction, route: ReplyRoute, peer: Peer) {
        switch check(tx) {
        case .success(let e):
            given(tx, e, route: route, peer: peer)
        case .failure(let error) where error.code == .unknownInput && parked.count < maxParked:
            parked.append(Parked(transaction: tx, route: route, until: .now + wait))
            parkedCount.set(parked.count)
            counters.update { $0.endorsementsParked += 1 }
        case .failure(let error):
            refused(tx, error)
        }
    }

    /// Checks the parked requests again (after a commit, or on the worker's tick): answers those whose inputs
    /// arrived, refuses those that expired or fail otherwise. On the admission thread.
    func retryParked(peer: Peer) {
        guard !parked.isEmpty else { return }
        let now = ContinuousClock.now
        var keep: [Parked] = []
        for p in parked {
            switch check(p.transaction) {
            case .success(let e): given(p.transaction, e, route: p.route, peer: peer)
            case .failure(let error) where error.code == .unknownInput && now < p.until: keep.append(p)
            case .failure(let error): refused(p.transaction, error)
            }
        }
        parked = keep
        parkedCount.set(parked.count)
    }

    private func given(_ tx: Transaction, _ e: Endorsement, route: ReplyRoute, peer: Peer) {
        counters.update { $0.endorsementsGiven += 1 }
        peer.reply(.endorsement(txID: tx.id, e), to: route)
    }

    private func refused(_ tx: Transaction, _ error: LedgerError) {
        counters.update { $0.endorsementRefusals[error.code.rawValue, default: 0] += 1 }
        log.warning("endorsement refused \(error.code.rawValue)", "endorsement of \(tx.kind) \(tx.id) by \(tx.author) refused: \(error)")
    }
}

/// The number of parked requests, readable from the worker without the admission thread.
private final class ParkedCount: @unchecked Sendable {
    private let lock = Lock()
    private var n = 0
    var value: Int { lock.withLock { n } }
    func set(_ v: Int) { lock.withLock { n = v } }
}
