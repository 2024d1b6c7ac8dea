import Foundation
import Logging
import V2GGateway
import V2GLedger
import V2GNode
import V2GTransport

/// Limits that let a refused or dropped link retry quickly.
var fastLimits: NetworkLimits {
    var l = NetworkLimits()
    l.reconnectIntervalMax = .milliseconds(300)
    return l
}

/// A started ledger node on loopback with a short catch-up interval.
/// `closedRoundsKept`: how long settled rounds stay queryable, for tests that look back over every round.
func startNode(_ key: SigningKey, members: [PublicKey], storePath: String? = nil, closedRoundsKept: UInt64 = Ledger.defaultClosedRoundsKept,
               logger: Logger = Logger(label: "test")) throws -> LedgerNode {
    var configuration = LedgerNodeConfiguration(
        peer: PeerConfiguration(members: members, limits: fastLimits), storePath: storePath,
        catchUpInterval: .milliseconds(300), batchSize: 4, logger: logger)
    configuration.closedRoundsKept = closedRoundsKept
    let node = try LedgerNode(key: key, configuration: configuration)
    node.start()
    return node
}

/// Links every pair both ways (each side connects to the other) and waits for the handshakes.
func mesh(_ nodes: [LedgerNode]) -> Bool {
    for a in nodes {
        for b in nodes where a !== b { a.connect(to: Neighbour(endpoint: b.endpoint, key: b.publicKey)) }
    }
    return nodes.allSatisfy { n in
        n.peer.waitForLinks(to: Set(nodes.filter { $0 !== n }.map(\.publicKey)), timeout: .seconds(10))
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

/// A value shared between threads.
final class Locked<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var v: T
    init(_ v: T) { self.v = v }
    var value: T { lock.withLock { v } }
    func set(_ new: T) { lock.withLock { v = new } }
    func update(_ body: (inout T) -> Void) { lock.withLock { body(&v) } }
}

/// Meters for tests: delivery decided by a closure.
struct TestMeter: MeterReader {
    let delivered: @Sendable (MeteredAllocation) -> Int64?
    init(_ delivered: @escaping @Sendable (MeteredAllocation) -> Int64?) { self.delivered = delivered }
    func delivered(_ a: MeteredAllocation) -> Int64? { delivered(a) }
}

/// A fresh directory, removed when the value goes away.
final class ScratchDirectory {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("gateway-\(UUID().uuidString)")
    init() throws { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) }
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    deinit { try? FileManager.default.removeItem(at: url) }
}
