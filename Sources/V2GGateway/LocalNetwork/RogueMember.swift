import FoundationEssentials
import V2GLedger
import V2GTransport
import Glibc
import V2GKit

/// A network member gone bad: holds a key the target's ZAP handler admits but is on no channel, and sends the
/// target garbage, oversize and unknown frames, a forged transaction and block, replays of committed ones, a
/// flood of forged endorsements, messages of many large frames, and more connections than a member may keep.
/// Each must be dropped, refused or cut, counted by reason, and change nothing on the chain.
public enum RogueMember {
    /// What was sent, by what the target should make of it.
    public struct Sent: Codable, Sendable {
        public var garbage = 0, oversize = 0, unknownType = 0, truncated = 0
        public var forgedTransaction = 0, replayedTransaction = 0, replayedBlock = 0, forgedBlock = 0
        public var forgedEndorsements = 0, manyFrameMessages = 0, extraConnections = 0, silentConnections = 0
    }

    /// Connects to `target` as `rogue` and sends one of each; returns what it sent.
    public static func run(rogue: SigningKey, endpoint: String, target: PublicKey) throws -> Sent {
        let link = try RawLink(key: rogue, to: endpoint, of: target)
        var sent = Sent()
        func send(_ frame: [UInt8]) throws { guard try link.send(frame, timeout: .seconds(5)) else { throw LocalNetworkError("attack: cannot send") } }
        func ask(_ m: GossipMessage) throws -> GossipMessage? { try link.ask(m, timeout: .seconds(3)) }
        // What is on the chain now: the BoE head, and its first request list.
        guard case .status(_, let heads)? = try ask(.getStatus(requestID: 1)), let boe = heads.first(where: { $0.channel == .boe }),
              case .blocks(_, _, let blocks)? = try ask(.getBlocks(requestID: 2, channel: .boe, fromHeight: 1, maxCount: 1)),
              let committed = blocks.first, let list = committed.transactions.first else {
            throw LocalNetworkError("attack: the target did not answer status and block requests")
        }
        let tag = Array("V2GMSG01".utf8)
        try send((0..<100).map { UInt8(truncatingIfNeeded: $0 &* 37) }); sent.garbage += 1
        try send(tag + [1] + [UInt8](repeating: 0xEE, count: NetworkLimits().maxTransactionFrame + 1)); sent.oversize += 1
        try send(tag + [77, 1, 2, 3]); sent.unknownType += 1
        try send(Array(GossipMessage.transaction(list).encoded.dropLast())); sent.truncated += 1
        let forgedTx = Transaction(channel: .boe, kind: .requestList, author: rogue, nonce: 1, timestamp: Int64(time(nil)),
                                   payload: list.payload)
        try send(GossipMessage.transaction(forgedTx).encoded); sent.forgedTransaction += 1
        try send(GossipMessage.transaction(list).encoded); sent.replayedTransaction += 1
        try send(GossipMessage.block(committed).encoded); sent.replayedBlock += 1
        let forgedBlock = Block(channel: .boe, height: boe.height + 1, previous: boe.head, timestamp: Int64(time(nil)),
                                orderer: rogue, transactions: [forgedTx])
        try send(GossipMessage.block(forgedBlock).encoded); sent.forgedBlock += 1
        // Endorsements nobody asked for, with junk signatures.
        for i in 0..<1000 {
            let forged = GossipMessage.endorsement(txID: try Digest(bytes: [UInt8](repeating: UInt8(truncatingIfNeeded: i), count: 32)),
                                                   Endorsement(endorser: rogue.publicKey, signature: try Signature(bytes: [UInt8](repeating: 7, count: 64))))
            try send(forged.encoded); sent.forgedEndorsements += 1
        }
        // Messages of 8 frames of 1 MiB: libzmq buffers each whole; the node drops it as a bad envelope.
        let mebibyte = [UInt8](repeating: 0xAB, count: 1 << 20)
        for _ in 0..<8 {
            guard try link.send(frames: Array(repeating: mebibyte, count: 8), timeout: .seconds(5)) else {
                throw LocalNetworkError("attack: cannot send")
            }
            sent.manyFrameMessages += 1
        }
        // Frames on one connection are read in order: once this is answered, every frame above has arrived.
        _ = try ask(.getStatus(requestID: 3))
        // More connections than a member may keep, each heard once: the least recently heard are cut.
        var extra: [RawLink] = []
        for i in 0..<8 {
            let l = try RawLink(key: rogue, to: endpoint, of: target)
            guard try l.ask(.getStatus(requestID: 10 + UInt64(i)), timeout: .seconds(3)) != nil else {
                throw LocalNetworkError("attack: an extra connection was not answered")
            }
            extra.append(l)
            sent.extraConnections += 1
        }
        // TCP connections that never say a word: past `maxSilentConnections` the oldest are cut.
        var silent: [BareConnection] = []
        for _ in 0..<(NetworkLimits().maxSilentConnections + 16) {
            silent.append(try BareConnection(to: endpoint))
            sent.silentConnections += 1
        }
        // Held open until the target's loop has been round since they were accepted.
        _ = try extra.last?.ask(.getStatus(requestID: 4), timeout: .seconds(3))
        Threads.sleep(for: .seconds(0.5))
        return sent
    }
}
