import Testing
@testable import V2GTransport

/// The bookkeeping behind `maxConnectionsPerMember`, against a plain model on random traffic.
@Suite("Connections per member")
struct MemberConnectionsTests {
    @Test func theLeastRecentlyHeardConnectionPastTheLimitIsCut() {
        var c = MemberConnections(limit: 2)
        #expect(c.heard("a", on: 10) == nil)
        #expect(c.heard("a", on: 11) == nil)
        #expect(c.heard("a", on: 10) == nil)      // 10 is now the most recent
        #expect(c.heard("a", on: 12) == 11)
        #expect(c.connections(of: "a") == [10, 12])
        // A descriptor libzmq reused for another member moves to it and no longer counts for the first.
        #expect(c.heard("b", on: 12) == nil)
        #expect(c.connections(of: "a") == [10])
        #expect(c.heard("a", on: 13) == nil)
        // A closed connection no longer counts: its number may come back as anything.
        c.closed(10)
        #expect(c.connections(of: "a") == [13])
    }

    @Test func pastTheSilentLimitTheOldestSilentConnectionIsCut() {
        var c = MemberConnections(limit: 2, silentLimit: 3)
        #expect(c.accepted(5) == nil)
        #expect(c.accepted(6) == nil)
        #expect(c.accepted(7) == nil)
        #expect(c.heard("a", on: 6) == nil)         // no longer silent
        #expect(c.accepted(8) == nil)
        #expect(c.accepted(9) == 5)
        #expect(c.silentConnections == [7, 8, 9])
        c.closed(8)
        #expect(c.silentConnections == [7, 9])
        // A reused number whose close was not reported yet is a new connection: silent, and no longer a's.
        #expect(c.accepted(6) == nil)
        #expect(c.connections(of: "a") == [])
        #expect(c.silentConnections == [7, 9, 6])
    }

    @Test func matchesAPlainModelOnRandomTraffic() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let limit = Int.random(in: 1...4, using: &rng)
            let silentLimit = Int.random(in: 1...4, using: &rng)
            var fast = MemberConnections(limit: limit, silentLimit: silentLimit)
            var model: [(member: String, fd: Int32)] = []   // every live (member, fd), least recently heard first
            var silent: [Int32] = []                        // accepted, not heard from, oldest first
            for _ in 0..<300 {
                let member = ["a", "b", "c"].randomElement(using: &rng)!, fd = Int32.random(in: 0..<12, using: &rng)
                switch Int.random(in: 0..<5, using: &rng) {
                case 0:                                      // libzmq closed the connection on fd
                    fast.closed(fd)
                    model.removeAll { $0.fd == fd }
                    silent.removeAll { $0 == fd }
                    #expect(fast.connections(of: member) == model.filter { $0.member == member }.map(\.fd))
                    #expect(fast.silentConnections == silent)
                    continue
                case 1:                                      // libzmq accepted a connection on fd
                    model.removeAll { $0.fd == fd }
                    silent.removeAll { $0 == fd }
                    silent.append(fd)
                    let expected = silent.count > silentLimit ? silent.removeFirst() : nil
                    #expect(fast.accepted(fd) == expected)
                    #expect(fast.silentConnections == silent)
                    continue
                default:
                    break
                }
                silent.removeAll { $0 == fd }
                model.removeAll { $0.fd == fd }
                model.append((member, fd))
                let mine = model.filter { $0.member == member }
                var expected: Int32?
                if mine.count > limit {
                    expected = mine[0].fd
                    model.removeAll { $0.fd == mine[0].fd }
                }
                #expect(fast.heard(member, on: fd) == expected)
                #expect(fast.connections(of: member) == model.filter { $0.member == member }.map(\.fd))
                #expect(fast.silentConnections == silent)
            }
        }
    }
}
