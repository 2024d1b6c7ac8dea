import Foundation
import Testing
@testable import V2GTransport

@Suite("Rate-limited log lines")
struct LogLimiterTests {
    @Test func aFloodOfOneReasonLogsABurstThenACount() throws {
        let lines = LogLines()
        let limiter = LogLimiter(logger: lines.logger, burst: 5, interval: .milliseconds(200))
        for i in 0..<1000 { limiter.warning("dropped malformed", "frame \(i)") }
        limiter.warning("dropped oversize", "a big one")          // another reason has its own budget
        #expect(lines.all == ["frame 0", "frame 1", "frame 2", "frame 3", "frame 4", "a big one"])
        Thread.sleep(forTimeInterval: 0.25)
        limiter.warning("dropped malformed", "frame 1000")
        #expect(lines.all.suffix(2) == ["995 more \"dropped malformed\" lines were suppressed in 0.2 seconds", "frame 1000"])
    }
}
