import V2GLedger

/// A message between ledger peers (docs/network.md): one ZeroMQ frame,
/// `"V2GMSG01" || u8 kind || body`, in the canonical encoding of docs/wire-format.md §1.
public enum GossipMessage: Hashable, Sendable {
    /// Pushed to neighbours, relayed once.
    case transaction(Transaction)
    /// Pushed to neighbours, relayed once.
    case block(Block)
    /// Asks for up to `maxCount` blocks of `channel` from `fromHeight` on.
    case getBlocks(requestID: UInt64, channel: Channel, fromHeight: UInt64, maxCount: UInt32)
    /// Answers `getBlocks`: consecutive blocks from the height asked, possibly fewer than asked.
    case blocks(requestID: UInt64, channel: Channel, [Block])
    /// Asks for the heads of every channel the peer holds.
    case getStatus(requestID: UInt64)
    /// Answers `getStatus`, channels in increasing order.
    case status(requestID: UInt64, [ChannelHead])
    /// Asks an endorser to endorse a transaction (sent by its author, or whoever submits it).
    case endorse(Transaction)
    /// Answers `endorse`: the endorser's signature of the transaction's ID. No answer means refused.
    case endorsement(txID: Digest, Endorsement)
    /// Pushed to neighbours, relayed once: a control system calls for a round's inputs.
    case announcement(RoundAnnouncement)

    /// The u8 after the tag.
    public enum Kind: UInt8, CaseIterable, Sendable {
        case transaction = 1, block, getBlocks, blocks, getStatus, status, endorse, endorsement, announcement
    }

    /// The 8-byte tag every frame starts with.
    public static let tag: StaticString = "V2GMSG01"
    /// Tag and kind.
    public static let headerSize = 9

    public var kind: Kind {
        switch self {
        case .transaction: return .transaction
        case .block: return .block
        case .getBlocks: return .getBlocks
        case .blocks: return .blocks
        case .getStatus: return .getStatus
        case .status: return .status
        case .endorse: return .endorse
        case .endorsement: return .endorsement
        case .announcement: return .announcement
        }
    }

    /// What gossip is de-duplicated by: the SHA-256 of the whole encoding (signatures included, so a tampered copy
    /// seen first cannot shadow the honest one); nil for requests and replies.
    public var gossipID: Digest? {
        switch self {
        case .transaction(let t): return Digest.of(t.encoded)
        case .block(let b): return Digest.of(b.encoded)
        case .announcement: return Digest.of(encoded)
        default: return nil
        }
    }

    /// The gossip ID of a frame, read from its bytes without decoding it (equal to `gossipID` of the message
    /// the frame decodes to); nil for a frame that is not gossip or too short to say. A peer drops a copy of
    /// gossip it has seen before paying for its decoding.
    public static func gossipID(ofFrame frame: [UInt8]) -> Digest? {
        guard frame.count >= headerSize, let kind = Kind(rawValue: frame[8]) else { return nil }
        switch kind {
        case .transaction, .block:
            // tag, kind, then the object's canonical encoding as `bytes`: a u32 length and the bytes.
            guard frame.count >= headerSize + 4 else { return nil }
            let length = frame[9..<13].reduce(0) { $0 << 8 | Int($1) }
            guard frame.count == headerSize + 4 + length else { return nil }
            return Digest.of(Array(frame[(headerSize + 4)...]))
        case .announcement:
            return Digest.of(frame)
        case .getBlocks, .blocks, .getStatus, .status, .endorse, .endorsement:
            return nil
        }
    }

    /// The frame.
    public var encoded: [UInt8] {
        var w = ByteWriter()
        w.tag(Self.tag)
        w.u8(kind.rawValue)
        switch self {
        case .transaction(let t):
            w.bytes(t.encoded)
        case .block(let b):
            w.bytes(b.encoded)
        case let .getBlocks(id, channel, from, max):
            w.u64(id)
            w.u8(channel.rawValue)
            w.u64(from)
            w.u32(max)
        case let .blocks(id, channel, blocks):
            w.u64(id)
            w.u8(channel.rawValue)
            w.list(blocks) { w, b in w.bytes(b.encoded) }
        case .getStatus(let id):
            w.u64(id)
        case let .status(id, heads):
            w.u64(id)
            w.list(heads) { w, h in
                w.u8(h.channel.rawValue)
                w.u64(h.height)
                w.hash(h.head)
            }
        case .endorse(let t):
            w.bytes(t.encoded)
        case let .endorsement(id, e):
            w.hash(id)
            w.key(e.endorser)
            w.signature(e.signature)
        case .announcement(let a):
            w.u64(a.round)
            w.i64(a.deadline)
            w.key(a.author)
            w.signature(a.signature)
        }
        return w.bytes
    }

    /// The answer to a `getBlocks` of `requestID`: `blocks` from the first on, as many as fit the limits
    /// (`maxBlocksPerRequest` blocks, `maxReplyFrame` bytes, but always the first block if it fits
    /// `maxBlocksFrame`); the asker asks again from the next height.
    public static func blocksReply(requestID: UInt64, channel: Channel, _ blocks: [Block],
                                   limits: NetworkLimits) -> GossipMessage {
        var kept: [Block] = []
        var size = headerSize + 8 + 1 + 4
        for b in blocks.prefix(limits.maxBlocksPerRequest) {
            let s = b.encoded.count + 4
            guard size + s <= (kept.isEmpty ? limits.maxBlocksFrame : min(limits.maxReplyFrame, limits.maxBlocksFrame)) else { break }
            size += s
            kept.append(b)
        }
        return .blocks(requestID: requestID, channel: channel, kept)
    }

    /// The kind of a frame, after checking its tag and its size against `limits`; what `init(decoding:)`
    /// checks before it decodes anything.
    public static func kind(of frame: [UInt8], limits: NetworkLimits = NetworkLimits()) throws(FrameError) -> Kind {
        guard frame.count >= headerSize else {
            throw FrameError(.malformed, "a frame of \(frame.count) bytes has no header")
        }
        let want = UnsafeBufferPointer(start: tag.utf8Start, count: 8)
        guard frame.prefix(8).elementsEqual(want) else { throw FrameError(.malformed, "not a V2GMSG01 frame") }
        guard let kind = Kind(rawValue: frame[8]) else {
            throw FrameError(.unknownType, "unknown message type \(frame[8])")
        }
        let limit = limits.maxFrameSize(kind)
        guard frame.count <= limit else {
            throw FrameError(.oversize, "\(kind) frame of \(frame.count) bytes exceeds \(limit)")
        }
        return kind
    }

    /// Decodes one frame: the tag, a known kind, a size within the kind's limit, a body that decodes and
    /// nothing after it. Each failure names its `DropReason`.
    public init(decoding frame: [UInt8], limits: NetworkLimits = NetworkLimits()) throws(FrameError) {
        let kind = try Self.kind(of: frame, limits: limits)
        do {
            self = try Self.body(kind, frame, limits)
        } catch {
            throw FrameError(.malformed, "\(kind): \(error)")
        }
    }

    private static func body(_ kind: Kind, _ frame: [UInt8], _ limits: NetworkLimits) throws(LedgerError) -> GossipMessage {
        var r = ByteReader(frame)
        try r.tag(tag)
        _ = try r.u8("kind")
        func channel(_ r: inout ByteReader) throws(LedgerError) -> Channel {
            guard let c = Channel(rawValue: try r.u8("channel")) else { throw LedgerError(.malformed, "unknown channel") }
            return c
        }
        let message: GossipMessage
        switch kind {
        case .transaction:
            message = .transaction(try Transaction(decoding: try r.bytes("transaction")))
        case .block:
            message = .block(try Block(decoding: try r.bytes("block")))
        case .getBlocks:
            message = .getBlocks(requestID: try r.u64("request id"), channel: try channel(&r),
                                 fromHeight: try r.u64("from height"), maxCount: try r.u32("max count"))
        case .blocks:
            let id = try r.u64("request id")
            let c = try channel(&r)
            let blocks = try r.list("blocks") { (r) throws(LedgerError) in try Block(decoding: try r.bytes("block")) }
            guard blocks.count <= limits.maxBlocksPerRequest else {
                throw LedgerError(.malformed, "\(blocks.count) blocks exceed \(limits.maxBlocksPerRequest)")
            }
            message = .blocks(requestID: id, channel: c, blocks)
        case .getStatus:
            message = .getStatus(requestID: try r.u64("request id"))
        case .status:
            let id = try r.u64("request id")
            let heads = try r.list("heads") { (r) throws(LedgerError) in
                ChannelHead(channel: try channel(&r), height: try r.u64("height"), head: try r.hash("head"))
            }
            guard zip(heads, heads.dropFirst()).allSatisfy({ $0.channel.rawValue < $1.channel.rawValue }) else {
                throw LedgerError(.malformed, "status channels are not in increasing order")
            }
            message = .status(requestID: id, heads)
        case .endorse:
            message = .endorse(try Transaction(decoding: try r.bytes("transaction")))
        case .endorsement:
            let id = try r.hash("transaction id")
            message = .endorsement(txID: id, Endorsement(endorser: try r.key("endorser"),
                                                                  signature: try r.signature("endorsement")))
        case .announcement:
            message = .announcement(RoundAnnouncement(round: try r.u64("round"), deadline: try r.i64("deadline"),
                                                      author: try r.key("author"), signature: try r.signature("signature")))
        }
        try r.finish("\(kind) message")
        return message
    }
}
