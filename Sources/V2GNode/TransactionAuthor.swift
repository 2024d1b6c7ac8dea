import FoundationEssentials
import V2GLedger
import V2GTransport
import Glibc
import V2GKit

/// Signs transactions with one key and increasing nonces, has them endorsed over the network, and gossips
/// them: what every party that writes to the ledger does.
public final class TransactionAuthor: @unchecked Sendable {  // `nonce` under `lock`
    public let key: SigningKey
    public let node: LedgerNode
    /// Whom endorsement requests go to, and how many must answer within `timeout`.
    public let endorsers: [PublicKey]
    public let required: Int
    public let timeout: Duration
    private let lock = Lock()
    private var nonce: UInt64

    /// - Parameters:
    ///   - key: the author's key (a node may sign for several authors: an EV gateway's vehicles).
    ///   - node: the node whose links carry the requests and the gossip.
    ///   - firstNonce: the nonce of the first transaction; nil (the default) is restart-safe: above every nonce
    ///     of this key committed here, and at least the Unix time in microseconds, so an author that restarts
    ///     never signs a nonce it signed before, even one still in flight (docs/decisions.md).
    public init(key: SigningKey, node: LedgerNode, endorsers: [PublicKey], required: Int, timeout: Duration = .seconds(2),
                firstNonce: UInt64? = nil) {
        self.key = key
        self.node = node
        self.endorsers = endorsers
        self.required = required
        self.timeout = timeout
        let first = firstNonce ?? Self.restartSafeNonce(key.publicKey, node: node)
        nonce = first - 1
    }

    /// An author whose endorsers and policy are those of `channel`'s committed config; nil before its genesis.
    public convenience init?(key: SigningKey, node: LedgerNode, channel: Channel, timeout: Duration = .seconds(2)) {
        guard let config = node.withLedger({ $0.chain(channel).config }) else { return nil }
        self.init(key: key, node: node, endorsers: config.endorsers, required: Int(config.endorsementsRequired),
                  timeout: timeout)
    }

    /// max(last committed nonce + 1, Unix µs).
    static func restartSafeNonce(_ key: PublicKey, node: LedgerNode) -> UInt64 {
        max(node.withLedger { $0.lastNonce(of: key) } + 1, UInt64(Date().timeIntervalSince1970 * 1_000_000))
    }

    /// A signed transaction with the author's next nonce, not yet endorsed.
    public func sign(_ channel: Channel, _ kind: TransactionKind, timestamp: Int64 = Int64(time(nil)), payload: [UInt8]) -> Transaction {
        let n: UInt64 = lock.withLock {
            nonce += 1
            return nonce
        }
        let tx = Transaction(channel: channel, kind: kind, author: key, nonce: n, timestamp: timestamp, payload: payload)
        node.signatures.noteValid(tx.author, tx.signature, of: tx.id.bytes)   // ours: valid by construction
        return tx
    }

    /// Collects `required` endorsements for `tx` (up to `timeout`) and returns it endorsed.
    /// - Throws: `NodeError.tooFewEndorsements`, or `.transport` if the peer stopped.
    public func endorse(_ tx: Transaction) throws(NodeError) -> Transaction {
        // An author that is an endorser too (a control system on the BoCS) endorses through its own node's checks.
        var got: [Endorsement] = []
        if endorsers.contains(key.publicKey), case .success(let own) = node.endorse(tx) { got.append(own) }
        let others = endorsers.filter { $0 != key.publicKey }
        if got.count < required {
            let cache = node.signatures
            do {
                got += try node.peer.requestEndorsements(tx, from: others, required: required - got.count, timeout: timeout) {
                    e, id in cache.verify(e.endorser, e.signature, of: id.bytes)
                }
            } catch {
                throw .transport(error)
            }
        }
        guard got.count >= required else {
            throw .tooFewEndorsements(transaction: tx.id, kind: tx.kind, got: got.count, required: required)
        }
        var endorsed = tx
        endorsed.endorsements = got.sorted { $0.endorser < $1.endorser }
        return endorsed
    }

    /// Has `txs` endorsed, all requests in flight at once; in their order.
    public func endorseAll(_ txs: [Transaction]) throws(NodeError) -> [Transaction] {
        let results = Results<Transaction>(count: txs.count)
        Fanout.run(txs.count, width: txs.count) { [self] i in
            do throws(NodeError) { results.set(i, .success(try endorse(txs[i]))) } catch { results.set(i, .failure(error)) }
        }
        return try results.all()
    }

    /// Signs, endorses and gossips a transaction to the neighbours (the channel's orderer among them).
    @discardableResult
    public func submit(_ channel: Channel, _ kind: TransactionKind, payload: [UInt8]) throws(NodeError) -> Transaction {
        let tx = try endorse(sign(channel, kind, payload: payload))
        node.peer.gossip(tx)
        node.offerToPool(tx)   // the author may be the channel's orderer (a control system on the BoCS)
        return tx
    }
}

/// Results written from several threads, read after they are done.
private final class Results<T>: @unchecked Sendable {
    private let lock = Lock()
    private var items: [Result<T, NodeError>?]
    init(count: Int) { items = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ r: Result<T, NodeError>) { lock.withLock { items[i] = r } }
    func all() throws(NodeError) -> [T] {
        var out: [T] = []
        for r in lock.withLock({ items }) {
            switch r {
            case .success(let v): out.append(v)
            case .failure(let e): throw e
            case nil: throw .transport(TransportError(.stopped, "a request did not finish"))
            }
        }
        return out
    }
}
