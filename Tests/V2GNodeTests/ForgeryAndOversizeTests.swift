import Foundation
import Testing
import V2GLedger
@testable import V2GNode
import V2GTransport

/// A member that floods a node with forged endorsements, many-frame messages and frames over the size limit:
/// the node drops and counts them, logs a bounded number of lines, keeps its memory bounded and answers an
/// honest request all the while (issue 11, item 7).
@Suite("Forged endorsements and oversized messages", .serialized)
struct ForgeryAndOversizeTests {
    @Test func aFloodOfForgeriesAndOversizedMessagesIsDroppedCountedAndBarelyLogged() throws {
        let nodeKey = try SigningKey(), attacker = try SigningKey(), honest = try SigningKey()
        let log = LogLines()
        let node = try startNode(nodeKey, members: [nodeKey.publicKey, attacker.publicKey, honest.publicKey], log: log)
        defer { node.stop() }
        let probe = try RawLink(key: honest, to: node.endpoint, of: node.publicKey)
        #expect(try probe.ask(.getStatus(requestID: 1), timeout: .seconds(5)) != nil)
        ProcessMemory.releaseFreed()
        let before = UnreadRequestsTests.residentBytes()
        let clock = ContinuousClock(), start = clock.now

        // 20,000 endorsements of no request, with signatures of random bytes.
        let link = try RawLink(key: attacker, to: node.endpoint, of: node.publicKey)
        for i in 0..<20_000 {
            let forged = GossipMessage.endorsement(
                txID: try Digest(bytes: (0..<32).map { _ in UInt8.random(in: 0...255) }),
                Endorsement(endorser: attacker.publicKey, signature: try Signature(bytes: (0..<64).map { UInt8(truncatingIfNeeded: $0 &+ i) })))
            _ = try link.send(forged.encoded, timeout: .seconds(1))
        }
        // 120 messages of 8 frames of 1 MiB each: buffered whole by libzmq, then dropped as a bad envelope.
        let mebibyte = [UInt8](repeating: 0xAB, count: 1 << 20)
        for _ in 0..<120 { _ = try link.send(frames: Array(repeating: mebibyte, count: 8), timeout: .seconds(2)) }
        // Frames over ZMQ_MAXMSGSIZE: libzmq closes the connection before the node sees them.
        let oversized = [UInt8](repeating: 0xCD, count: NetworkLimits().maxMessageSize + 1)
        for _ in 0..<4 {
            let big = try RawLink(key: attacker, to: node.endpoint, of: node.publicKey)
            _ = try big.send(oversized, timeout: .seconds(2))
        }
        #expect(eventually(.seconds(20)) { node.peer.counters.totalDropped >= 20_120 })
        // The attacker's links live in this process too; what they and the node freed goes back to the system
        // first, so the figure is what is still in use.
        ProcessMemory.releaseFreed()
        let during = UnreadRequestsTests.residentBytes()
        let answered = try probe.ask(.getStatus(requestID: 2), timeout: .seconds(5)) != nil
        Thread.sleep(forTimeInterval: 1)
        ProcessMemory.releaseFreed()
        let after = UnreadRequestsTests.residentBytes()
        let seconds = Double((clock.now - start).components.seconds) + 1
        let logBytes = log.all.reduce(0) { $0 + $1.utf8.count + 1 }
        let counters = node.peer.counters
        print("forged endorsements and oversized messages: node RSS \(before >> 20) → \(during >> 20) → \(after >> 20) MB; "
              + "dropped \(counters.dropped); \(log.all.count) log lines, \(logBytes) bytes in \(Int(seconds)) s "
              + "(\(Int(Double(logBytes) / seconds)) B/s)")
        #expect(answered)
        #expect(counters.dropped(.unexpected) + counters.dropped(.malformed) >= 20_000)
        #expect(counters.dropped(.badEnvelope) >= 120)
        // 960 MiB went through libzmq one message at a time; the node keeps none of it.
        #expect(!UnreadRequestsTests.runAlone || during - before < 400 << 20)
        // 5 lines per reason per 10 s and one summary line per reason and interval.
        #expect(log.all.count <= 40, "\(log.all.count) log lines")
    }
}
