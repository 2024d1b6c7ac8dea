import Foundation
import Logging
import V2GLedger
import V2GTransport

/// Ledger objects and waiting helpers for the node tests.
enum Fixtures {
    /// Limits that let a refused or dropped link retry quickly.
    static var fastLimits: NetworkLimits {
        var l = NetworkLimits()
        l.reconnectIntervalMax = .milliseconds(300)
        return l
    }
}

/// Log lines of a node, caught by a swift-log handler.
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

/// A started plain peer (no ledger): what a member that speaks the protocol from its own code looks like.
func startPeer(_ key: SigningKey, members: [PublicKey], neighbours: [Neighbour] = []) throws -> Peer {
    let peer = try Peer(key: key, configuration: PeerConfiguration(members: members, neighbours: neighbours,
                                                                   limits: Fixtures.fastLimits))
    peer.start()
    return peer
}
