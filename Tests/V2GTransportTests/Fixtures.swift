import Foundation
import Logging
import V2GLedger
@testable import V2GTransport

/// Ledger objects and waiting helpers for the network tests.
enum Fixtures {
    static func transaction(_ author: SigningKey, nonce: UInt64 = 1, payload: [UInt8] = [1, 2, 3]) -> Transaction {
        Transaction(channel: .boe, kind: .requestList, author: author, nonce: nonce, timestamp: 1_700_000_000,
                    payload: payload)
    }

    /// A chain of `count` blocks of BoE, each with one transaction.
    static func chain(_ orderer: SigningKey, count: Int) -> [Block] {
        var blocks: [Block] = []
        var previous = Digest.zero
        for h in 0..<count {
            let b = Block(channel: .boe, height: UInt64(h), previous: previous, timestamp: Int64(h),
                          orderer: orderer, transactions: [transaction(orderer, nonce: UInt64(h))])
            blocks.append(b)
            previous = b.hash
        }
        return blocks
    }

    /// Limits that let a refused or dropped link retry quickly.
    static var fastLimits: NetworkLimits {
        var l = NetworkLimits()
        l.reconnectIntervalMax = .milliseconds(300)
        return l
    }
}

/// Gossip delivered to a peer, collected from its thread.
final class Inbox: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [ReceivedGossip] = []

    func append(_ g: ReceivedGossip) { lock.withLock { items.append(g) } }
    var all: [ReceivedGossip] { lock.withLock { items } }
    var count: Int { lock.withLock { items.count } }
    var messages: [GossipMessage] { all.map(\.message) }
}

/// Log lines of a peer, caught by a swift-log handler.
final class LogLines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ s: String) { lock.withLock { lines.append(s) } }
    var all: [String] { lock.withLock { lines } }
    var logger: Logger { Logger(label: "test") { _ in Handler(lines: self) } }

    private struct Handler: LogHandler {
        let lines: LogLines
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String,
                 function: String, line: UInt) {
            lines.append("\(message)")
        }
    }
}

/// Polls `condition` until it holds or `timeout` passes; returns whether it held.
func eventually(_ timeout: Duration = .seconds(10), _ condition: () -> Bool) -> Bool {
    let deadline = ContinuousClock.now + timeout
    while !condition() {
        guard ContinuousClock.now < deadline else { return false }
        Thread.sleep(forTimeInterval: 0.01)
    }
    return true
}

/// A started peer whose gossip lands in `inbox`, answering `getBlocks` and `getStatus` at once from `blocks` and
/// `status`.
func startPeer(_ key: SigningKey, members: [PublicKey], neighbours: [Neighbour] = [], inbox: Inbox? = nil,
               limits: NetworkLimits = Fixtures.fastLimits, log: LogLines? = nil,
               blocks: @escaping @Sendable (Channel, UInt64, Int) -> [Block] = { _, _, _ in [] },
               status: @escaping @Sendable () -> [ChannelHead] = { [] }) throws -> Peer {
    let handlers = PeerHandlers(gossip: { inbox?.append($0) }, request: { r in
        switch r.message {
        case let .getBlocks(id, channel, from, max):
            return .blocksReply(requestID: id, channel: channel, blocks(channel, from, Int(max)), limits: limits)
        case .getStatus(let id):
            return .status(requestID: id, status())
        default:
            return nil
        }
    })
    let peer = try Peer(key: key, configuration: PeerConfiguration(members: members, neighbours: neighbours, limits: limits),
                        handlers: handlers, logger: log?.logger ?? Logger(label: "test"))
    peer.start()
    return peer
}

/// A raw CurveZMQ DEALER holding `key`, connected to `peer`: what a member's (or an intruder's) socket sends.
func rawClient(_ key: SigningKey, to peer: Peer, context: ZMQContext, immediate: Bool = false) throws -> ZMQSocket {
    let identity = try CurveIdentity(key)
    let s = try ZMQSocket(context, .dealer)
    try s.set(.linger, Int32(0))
    try s.set(.immediate, Int32(immediate ? 1 : 0))
    try s.set(.reconnectIntervalMax, Int32(300))
    try s.makeCurveClient(publicKey: identity.publicKey, secretKey: identity.secretKey,
                          serverKey: try CurveIdentity.publicKey(of: peer.publicKey))
    try s.connect(peer.endpoint)
    return s
}
