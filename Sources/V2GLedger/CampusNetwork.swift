import FoundationEssentials
import V2GKit
import Glibc

/// A campus on the ledger ([T] §5.1): its control system (which orders blocks), endorsers, exchanges and EVs,
/// with their keys, writing trading rounds as transactions and blocks that every peer can validate.
///
/// The demo, the benchmarks and the tests use it to produce real chains; a deployment has each party sign on its
/// own machine, which changes who holds the keys, not the bytes.
public final class CampusNetwork: @unchecked Sendable {
    public let orderer: SigningKey
    public let endorsers: [SigningKey]
    public let endorsementsRequired: Int
    public private(set) var exchanges: [String: SigningKey] = [:]
    public private(set) var evs: [String: SigningKey] = [:]
    /// The validated ledger these blocks went into.
    public let ledger = Ledger()
    /// Every sealed block, in order, for a store to persist.
    public private(set) var blocks: [Block] = []
    private var pending: [Channel: [Transaction]] = [:]
    private var nonces: [PublicKey: UInt64] = [:]
    /// The clock written into transactions and blocks (Unix seconds); tests set it for reproducible bytes.
    public var now: () -> Int64

    public init(exchanges: [String], evs: [String], endorsers: Int = 3, endorsementsRequired: Int = 2,
                now: @escaping () -> Int64 = { Int64(time(nil)) }) throws(LedgerError) {
        orderer = try SigningKey()
        var keys: [SigningKey] = []
        for _ in 0..<endorsers { keys.append(try SigningKey()) }
        self.endorsers = keys
        self.endorsementsRequired = endorsementsRequired
        self.now = now
        for name in exchanges { self.exchanges[name] = try SigningKey() }
        for name in evs { self.evs[name] = try SigningKey() }
    }

    /// The config of a channel: the CS orders; exchanges sit on BoE, EVs on BoEV; endorsers on both.
    public func config(_ channel: Channel) -> ChannelConfig {
        var members = [ChannelConfig.Member(key: orderer.publicKey, role: .orderer, name: "CS"),
                       ChannelConfig.Member(key: orderer.publicKey, role: .controlSystem, name: "CS")]
        members += endorsers.enumerated().map { ChannelConfig.Member(key: $1.publicKey, role: .endorser, name: "endorser\($0 + 1)") }
        if channel == .boe { members += exchanges.sorted { $0.key < $1.key }.map { .init(key: $1.publicKey, role: .exchange, name: $0) } }
        if channel == .boev { members += evs.sorted { $0.key < $1.key }.map { .init(key: $1.publicKey, role: .ev, name: $0) } }
        return ChannelConfig(name: "\(channel)", orderer: orderer.publicKey, members: members,
                             endorsementsRequired: UInt32(endorsementsRequired), endorsers: endorsers.map(\.publicKey))
    }

    /// Writes the genesis blocks of BoE and BoEV.
    @discardableResult
    public func start() throws(LedgerError) -> [Block] {
        var out: [Block] = []
        for channel in [Channel.boe, .boev] {
            let tx = transaction(channel, .config, author: orderer, payload: config(channel).encoded, endorse: false)
            out.append(try seal(channel, [tx]))
        }
        return out
    }

    /// Signs a transaction with the author's next nonce, endorsed by the first k endorsers.
    public func transaction(_ channel: Channel, _ kind: TransactionKind, author: SigningKey, payload: [UInt8],
                            endorse: Bool = true) -> Transaction {
        let nonce = (nonces[author.publicKey] ?? 0) + 1
        nonces[author.publicKey] = nonce
        var tx = Transaction(channel: channel, kind: kind, author: author, nonce: nonce, timestamp: now(), payload: payload)
        if endorse { for e in endorsers.prefix(endorsementsRequired) { tx.endorse(by: e) } }
        return tx
    }

    /// Queues a transaction for the next block of its channel.
    public func submit(_ tx: Transaction) { pending[tx.channel, default: []].append(tx) }

    /// Packs the channel's queued transactions (or `transactions`) into the next block, validates and commits it.
    @discardableResult
    public func seal(_ channel: Channel, _ transactions: [Transaction]? = nil) throws(LedgerError) -> Block {
        let txs = transactions ?? pending[channel] ?? []
        pending[channel] = nil
        let chain = ledger.chain(channel)
        let block = Block(channel: channel, height: chain.height.map { $0 + 1 } ?? 0, previous: chain.head,
                          timestamp: now(), orderer: orderer, transactions: txs)
        try ledger.append(block)
        blocks.append(block)
        return block
    }

    /// One V2GNet round ([T] §5.1-5.2): request lists and offers, RET, notification, metering, settlement and the
    /// penalty update, sealed into blocks. `delivered` meters each allocation (request and allocated Wh given).
    @discardableResult
    public func runRound(_ round: UInt64, requests: [String: [RequestListPayload.Entry]], offers: [OfferPayload],
                         chargerCapacityWh: Int64? = nil, gamma1: Ratio = Ratio(ppm: 100_000), gamma2: Ratio = Ratio(ppm: 100_000),
                         delivered: (RoundInputs.Request, Int64) -> Int64) throws(LedgerError) -> MatchResult {
        var inputs: [Transaction] = []
        for name in requests.keys.sorted() {
            guard let key = exchanges[name] else { throw LedgerError(.notMember, "no exchange \(name)") }
            let tx = transaction(.boe, .requestList, author: key,
                                 payload: RequestListPayload(exchange: name, round: round, requests: requests[name]!).encoded)
            submit(tx)
            inputs.append(tx)
        }
        for offer in offers {
            guard let key = evs[offer.ev] else { throw LedgerError(.notMember, "no EV \(offer.ev)") }
            let tx = transaction(.boev, .offer, author: key, payload: offer.encoded)
            submit(tx)
            inputs.append(tx)
        }
        try seal(.boev)
        try seal(.boe)

        // The CS runs RET on exactly what is on the ledger, with the committed penalty lists.
        let (payload, roundInputs) = try RoundRecorder.allocationResult(
            round: round, inputs: inputs, chargerCapacityWh: chargerCapacityWh, gamma1: gamma1, gamma2: gamma2,
            penalties: ledger.penalties)
        let allocationTx = transaction(.boe, .allocationResult, author: orderer, payload: payload.encoded)
        let recipients = Set(payload.allocations.map { roundInputs.requests[Int($0.request)].entry.consumer }).sorted()
        let notification = transaction(.boe, .notification, author: orderer,
                                       payload: NotificationPayload(round: round, allocation: allocationTx.id, recipients: recipients).encoded)
        let metering = RoundRecorder.metering(round: round, allocation: allocationTx.id, result: payload, inputs: roundInputs) {
            request, _, allocated in delivered(request, allocated)
        }
        let meteringTx = transaction(.boe, .meteringRecord, author: orderer, payload: metering.encoded)
        let settlement = try RoundRecorder.settlement(round: round, allocation: allocationTx.id, result: payload,
                                                      inputs: roundInputs, metering: metering, meteringID: meteringTx.id)
        let penalty = try RoundRecorder.penaltyUpdate(round: round, allocation: allocationTx.id, result: payload,
                                                      inputs: roundInputs, metering: metering, meteringID: meteringTx.id,
                                                      penalties: ledger.penalties)
        for tx in [allocationTx, notification, meteringTx,
                   transaction(.boe, .settlement, author: orderer, payload: settlement.encoded),
                   transaction(.boe, .penaltyUpdate, author: orderer, payload: penalty.encoded)] {
            submit(tx)
        }
        try seal(.boe)
        return RoundRecorder.match(payload)
    }
}
