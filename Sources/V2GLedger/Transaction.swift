/// A ledger channel ([T] §5.1, §5.3).
public enum Channel: UInt8, CaseIterable, Sendable, CustomStringConvertible {
    case boe = 1, boev = 2, bocs = 3
    public var description: String {
        switch self {
        case .boe: return "BoE"
        case .boev: return "BoEV"
        case .bocs: return "BoCS"
        }
    }
}

/// A member's role on a channel.
public enum Role: UInt8, CaseIterable, Sendable {
    case orderer = 1, exchange = 2, ev = 3, controlSystem = 4, endorser = 5
}

/// The kinds of transaction (docs/wire-format.md §3).
public enum TransactionKind: UInt8, CaseIterable, Sendable {
    case config = 0, requestList, offer, allocationResult, notification, meteringRecord, settlement, penaltyUpdate,
         modelUpdate, campusSurplus, meterReport

    /// Channels a kind may appear on.
    public var channels: Set<Channel> {
        switch self {
        case .config: return Set(Channel.allCases)
        case .requestList: return [.boe]
        case .offer, .modelUpdate, .meterReport: return [.boev]
        case .campusSurplus: return [.bocs]
        case .allocationResult, .meteringRecord, .settlement, .penaltyUpdate: return [.boe, .bocs]
        case .notification: return [.boe, .boev, .bocs]
        }
    }

    /// Roles that may author a kind.
    public var authors: Set<Role> {
        switch self {
        case .config: return [.orderer]
        case .requestList: return [.exchange]
        case .offer, .meterReport: return [.ev]
        case .modelUpdate: return [.ev, .controlSystem, .orderer]
        case .campusSurplus: return [.controlSystem]
        case .allocationResult, .notification, .meteringRecord, .settlement, .penaltyUpdate:
            return [.controlSystem, .orderer]
        }
    }
}

/// An endorser's signature of a transaction's ID.
public struct Endorsement: Hashable, Sendable {
    public var endorser: PublicKey
    public var signature: Signature

    public init(endorser: PublicKey, signature: Signature) {
        self.endorser = endorser
        self.signature = signature
    }

    /// `key`'s endorsement of the transaction with ID `id`: its signature of the ID.
    public init(of id: Digest, by key: SigningKey) {
        self.init(endorser: key.publicKey, signature: key.sign(id.bytes))
    }

    /// Whether the signature is the endorser's, of the transaction with ID `id`.
    public func verifies(_ id: Digest) -> Bool { endorser.verifies(signature, of: id.bytes) }
}

/// A signed transaction (docs/wire-format.md §3).
public struct Transaction: Hashable, Sendable {
    public var channel: Channel
    public var kind: TransactionKind
    public var author: PublicKey
    public var nonce: UInt64
    public var timestamp: Int64
    public var payload: [UInt8]
    public var signature: Signature
    public var endorsements: [Endorsement]

    /// The signed part: TxBody.
    public var body: [UInt8] { Self.body(channel: channel, kind: kind, author: author, nonce: nonce, timestamp: timestamp, payload: payload) }
    /// tx_id = H(TxBody).
    public var id: Digest { Digest.of(body) }

    static func body(channel: Channel, kind: TransactionKind, author: PublicKey, nonce: UInt64, timestamp: Int64,
                     payload: [UInt8]) -> [UInt8] {
        var w = ByteWriter()
        w.tag("V2GTX001")
        w.u8(channel.rawValue)
        w.u8(kind.rawValue)
        w.key(author)
        w.u64(nonce)
        w.i64(timestamp)
        w.bytes(payload)
        return w.bytes
    }

    /// Builds and signs a transaction; endorsements are added with `endorse(by:)`.
    public init(channel: Channel, kind: TransactionKind, author: SigningKey, nonce: UInt64, timestamp: Int64,
                payload: [UInt8]) {
        self.channel = channel
        self.kind = kind
        self.author = author.publicKey
        self.nonce = nonce
        self.timestamp = timestamp
        self.payload = payload
        let id = Digest.of(Self.body(channel: channel, kind: kind, author: author.publicKey, nonce: nonce,
                                     timestamp: timestamp, payload: payload))
        signature = author.sign(id.bytes)
        endorsements = []
    }

    /// Adds an endorser's signature, keeping endorsements sorted by key.
    public mutating func endorse(by endorser: SigningKey) {
        let entry = Endorsement(of: id, by: endorser)
        endorsements.removeAll { $0.endorser == endorser.publicKey }
        endorsements.append(entry)
        endorsements.sort { $0.endorser < $1.endorser }
    }

    /// The canonical encoding: TxBody || signature || endorsements.
    public var encoded: [UInt8] {
        var w = ByteWriter()
        w.raw(body)
        w.signature(signature)
        w.list(endorsements) { w, e in
            w.key(e.endorser)
            w.signature(e.signature)
        }
        return w.bytes
    }

    /// Decodes one transaction and nothing more.
    public init(decoding data: [UInt8]) throws(LedgerError) {
        var r = ByteReader(data)
        try r.tag("V2GTX001")
        guard let channel = Channel(rawValue: try r.u8("channel")) else { throw LedgerError(.malformed, "unknown channel") }
        guard let kind = TransactionKind(rawValue: try r.u8("kind")) else { throw LedgerError(.malformed, "unknown kind") }
        self.channel = channel
        self.kind = kind
        author = try r.key("author")
        nonce = try r.u64("nonce")
        timestamp = try r.i64("timestamp")
        payload = try r.bytes("payload")
        signature = try r.signature("author signature")
        endorsements = try r.list("endorsements") { (r) throws(LedgerError) in
            Endorsement(endorser: try r.key("endorser"), signature: try r.signature("endorsement"))
        }
        try r.finish("transaction")
    }
}
