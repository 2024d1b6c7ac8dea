import Foundation
import Glibc
import Testing
@testable import V2GTransport

@Suite("ZeroMQ sockets")
struct ZMQSocketTests {
    @Test func multipartOverTCPWithEphemeralPort() throws {
        let context = try ZMQContext()
        let router = try ZMQSocket(context, .router)
        try router.bind("tcp://127.0.0.1:*")
        let endpoint = try router.lastEndpoint()
        #expect(endpoint.hasPrefix("tcp://127.0.0.1:") && !endpoint.hasSuffix(":*"))
        let dealer = try ZMQSocket(context, .dealer)
        try dealer.connect(endpoint)
        #expect(try dealer.send([[1, 2], [], [3]], timeout: .seconds(5)))
        let got = try #require(try router.receive(timeout: .seconds(5)))
        #expect(got.frames.count == 4)           // routing id + the three frames
        #expect(Array(got.frames[1...]) == [[1, 2], [], [3]])
        #expect(got.userID == nil)               // no ZAP handler, no user id
        try router.send([got.frames[0], [9]])
        #expect(try dealer.receive(timeout: .seconds(5))?.frames == [[9]])
        #expect(try dealer.tryReceive() == nil)
        let start = ContinuousClock.now
        #expect(try dealer.receive(timeout: .milliseconds(50)) == nil)
        #expect(ContinuousClock.now - start >= .milliseconds(45))
    }

    @Test func extraFramesAreCountedNotKept() throws {
        let context = try ZMQContext()
        let pull = try ZMQSocket(context, .pull)
        try pull.bind("inproc://extra")
        let push = try ZMQSocket(context, .push)
        try push.connect("inproc://extra")
        try push.send((0..<10).map { [UInt8($0)] })
        let got = try #require(try pull.receive(timeout: .seconds(5), maxFrames: 3))
        #expect(got.frames == [[0], [1], [2]] && got.truncated)
    }

    @Test func errorsCarryErrnoAndText() throws {
        let context = try ZMQContext()
        let s = try ZMQSocket(context, .dealer)
        #expect(throws: TransportError.self) { try s.bind("nonsense://x") }
        do {
            try s.bind("nonsense://x")
        } catch {
            #expect(error.code == .zmq && error.errno == EPROTONOSUPPORT)
            #expect(error.message.contains("zmq_bind nonsense://x"))
        }
        do {
            try s.send([[1]], flags: .dontWait)   // nothing connected
            Issue.record("a send with no peer should fail")
        } catch {
            #expect(error.isWouldBlock)
        }
    }

    @Test func pollWakesOnAPipe() throws {
        let context = try ZMQContext()
        let s = try ZMQSocket(context, .pull)
        try s.bind("inproc://idle")
        let pipe = try WakePipe()
        pipe.wake()
        let ready = try ZMQPoll.poll([.init(s), .init(fd: pipe.readFD)], timeout: .seconds(5))
        #expect(!ready[0].contains(.readable) && ready[1].contains(.readable))
        pipe.drain()
        #expect(try ZMQPoll.poll([.init(fd: pipe.readFD)], timeout: .zero) == [[]])
    }

    @Test func millisecondsRoundUp() {
        #expect(milliseconds(.seconds(2)) == 2000)
        #expect(milliseconds(.microseconds(1)) == 1)
        #expect(milliseconds(.zero) == 0)
    }
}
