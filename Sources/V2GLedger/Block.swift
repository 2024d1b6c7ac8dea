/// A block of one channel (docs/wire-format.md §4).
public struct Block: Hashable, Sendable {
    public var channel: Channel
    public var height: UInt64
    public var previous: Digest
    public var merkleRoot: Digest
    public var timestamp: Int64
    public var orderer: PublicKey
    public var signature: Signature
    public var transactions: [Transaction]

    /// BlockHeader's encoding.
    public var header: [UInt8] {
        var w = ByteWriter()
        w.tag("V2GBLK01")
        w.u8(channel.rawValue)
        w.u64(height)
        w.hash(previous)
        w.hash(merkleRoot)
        w.i64(timestamp)
        w.key(orderer)
        w.u32(UInt32(transactions.count))
        return w.bytes
    }

    /// block_hash = H(BlockHeader).
    public var hash: Digest { Digest.of(header) }

    /// Packs and signs a block over `transactions`.
    public init(channel: Channel, height: UInt64, previous: Digest, timestamp: Int64, orderer: SigningKey,
                transactions: [Transaction]) {
        self.channel = channel
        self.height = height
        self.previous = previous
        self.merkleRoot = Merkle.root(transactions.map(\.id))
        self.timestamp = timestamp
        self.orderer = orderer.publicKey
        self.transactions = transactions
        self.signature = Signature(unchecked: [UInt8](repeating: 0, count: 64))
        self.signature = orderer.sign(hash.bytes)
    }

    /// The canonical encoding: header || signature || each transaction as `bytes`.
    public var encoded: [UInt8] {
        var w = ByteWriter()
        w.raw(header)
        w.signature(signature)
        for t in transactions { w.bytes(t.encoded) }
        return w.bytes
    }

    /// Decodes one block and nothing more.
    public init(decoding data: [UInt8]) throws(LedgerError) {
        var r = ByteReader(data)
        try r.tag("V2GBLK01")
        guard let channel = Channel(rawValue: try r.u8("channel")) else { throw LedgerError(.malformed, "unknown channel") }
        self.channel = channel
        height = try r.u64("height")
        previous = try r.hash("previous")
        merkleRoot = try r.hash("merkle root")
        timestamp = try r.i64("timestamp")
        orderer = try r.key("orderer")
        let count = try r.u32("transaction count")
        signature = try r.signature("orderer signature")
        var transactions: [Transaction] = []
        for i in 0..<Int(count) {
            do {
                transactions.append(try Transaction(decoding: try r.bytes("transaction")))
            } catch {
                throw error.at(height: height, transaction: i)
            }
        }
        self.transactions = transactions
        do { try r.finish("block") } catch { throw error.at(height: height) }
    }
}

/// The Merkle root of docs/wire-format.md §4.
public enum Merkle {
    public static func root(_ ids: [Digest]) -> Digest {
        guard !ids.isEmpty else { return .zero }
        var level = ids.map { Digest.of([0x00] + $0.bytes) }
        while level.count > 1 {
            var next: [Digest] = []
            next.reserveCapacity((level.count + 1) / 2)
            var i = 0
            while i + 1 < level.count {
                next.append(Digest.of([0x01] + level[i].bytes + level[i + 1].bytes))
                i += 2
            }
            if i < level.count { next.append(level[i]) } // an odd last node is carried up
            level = next
        }
        return level[0]
    }
}
