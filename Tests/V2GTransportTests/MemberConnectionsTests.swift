import Testing
@testable import V2GTransport

/// The bookkeeping behind `maxConnectionsPerMember` and `maxSilentConnections`, against a plain model on random
/// traffic.
@Suite("Connections per member")
struct MemberConnectionsTests {
    @Test func theLeastRecentlyHeardConnectionPastTheLimitIsCut() {
        var c = MemberConnections(limit: 2)
        for fd: Int32 in 10...13 { #expect(c.accepted(fd, from: "10.0.0.1:\(fd)") == nil) }
        #expect(c.heard("a", on: 10) == nil)
        #expect(c.heard("a", on: 11) == nil)
        #expect(c.heard("a", on: 10) == nil)      // 10 is now the most recent
        #expect(c.heard("a", on: 12) == .init(fd: 11, peer: "10.0.0.1:11"))
        #expect(c.connections(of: "a") == [10, 12])
        // A descriptor libzmq reused for another member moves to it and no longer counts for the first.
        #expect(c.heard("b", on: 12) == nil)
        #expect(c.connections(of: "a") == [10])
        #expect(c.heard("a", on: 13) == nil)
        // A closed connection no longer counts: its number may come back as anything.
        c.closed(10)
        #expect(c.connections(of: "a") == [13])
        // Nor does one the monitor never reported accepted (a message read after its close, say).
        #expect(c.heard("a", on: 10) == nil)
        #expect(c.connections(of: "a") == [13])
        #expect(Set(c.removeAll().map(\.fd)) == [12, 13] && c.connections(of: "a") == [])
    }

    @Test func pastTheSilentLimitTheBusiestSourceLosesItsOldest() {
        var c = MemberConnections(limit: 2, silentLimit: 3)
        #expect(c.accepted(5, from: "10.0.0.1:4000") == nil)      // a neighbour, mid-handshake
        #expect(c.accepted(6, from: "10.0.0.9:1") == nil)
        #expect(c.accepted(7, from: "10.0.0.9:2") == nil)
        #expect(c.accepted(8, from: "10.0.0.9:3") == .init(fd: 6, peer: "10.0.0.9:1"))   // the flooding address loses its own oldest
        #expect(c.accepted(9, from: "10.0.0.9:4")?.fd == 7)
        #expect(c.silentConnections == [5, 8, 9])
        #expect(c.heard("n", on: 5) == nil)                        // the neighbour's hello: no longer silent
        #expect(c.accepted(10, from: "10.0.0.2:1") == nil)
        #expect(c.accepted(11, from: "10.0.0.2:2")?.fd == 8)       // two addresses with two each: the oldest of them
        c.closed(9)
        #expect(c.silentConnections == [10, 11])
        // A reused number whose close was not reported yet is a new connection: silent, and no longer n's.
        #expect(c.accepted(5, from: "10.0.0.3:1") == nil)
        #expect(c.connections(of: "n") == [])
        #expect(c.silentConnections == [10, 11, 5])
        // One whose address could not be read (reset before it was asked) is cut before anyone's.
        c.closed(5)
        #expect(c.accepted(12, from: "") == nil)
        #expect(c.accepted(13, from: "10.0.0.2:3") == .init(fd: 12, peer: ""))
        #expect(MemberConnections.host("[::1]:80") == "[::1]" && MemberConnections.host("1.2.3.4:5") == "1.2.3.4")
    }

    @Test func matchesAPlainModelOnRandomTraffic() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let limit = Int.random(in: 1...4, using: &rng)
            let silentLimit = Int.random(in: 1...4, using: &rng)
            var fast = MemberConnections(limit: limit, silentLimit: silentLimit)
            var model: [(member: String, fd: Int32)] = []   // every live (member, fd), least recently heard first
            var silent: [(fd: Int32, host: String)] = []    // accepted, not heard from, oldest first
            var peers: [Int32: String] = [:]
            for step in 0..<300 {
                let member = ["a", "b", "c"].randomElement(using: &rng)!, fd = Int32.random(in: 0..<12, using: &rng)
                switch Int.random(in: 0..<5, using: &rng) {
                case 0:                                      // libzmq closed the connection on fd
                    fast.closed(fd)
                    model.removeAll { $0.fd == fd }
                    silent.removeAll { $0.fd == fd }
                case 1:                                      // libzmq accepted a connection on fd
                    let host = ["x", "y", "z", ""].randomElement(using: &rng)!
                    let peer = host.isEmpty ? "" : "\(host):\(step)"
                    model.removeAll { $0.fd == fd }
                    silent.removeAll { $0.fd == fd }
                    silent.append((fd, host))
                    peers[fd] = peer
                    var expected: MemberConnections.Cut?
                    if silent.count > silentLimit {
                        let i: Int
                        if let gone = silent.firstIndex(where: { $0.host.isEmpty }) {
                            i = gone
                        } else {
                            let most = Dictionary(grouping: silent, by: \.host).values.map(\.count).max()!
                            i = silent.firstIndex { s in silent.filter { $0.host == s.host }.count == most }!
                        }
                        let gone = silent.remove(at: i).fd
                        expected = .init(fd: gone, peer: peers[gone]!)
                    }
                    #expect(fast.accepted(fd, from: peer) == expected)
                default:                                     // a message from member on fd
                    var expected: MemberConnections.Cut?
                    if model.contains(where: { $0.fd == fd }) || silent.contains(where: { $0.fd == fd }) {
                        silent.removeAll { $0.fd == fd }
                        model.removeAll { $0.fd == fd }
                        model.append((member, fd))
                        let mine = model.filter { $0.member == member }
                        if mine.count > limit {
                            expected = .init(fd: mine[0].fd, peer: peers[mine[0].fd]!)
                            model.removeAll { $0.fd == mine[0].fd }
                        }
                    }
                    #expect(fast.heard(member, on: fd) == expected)
                }
                #expect(fast.connections(of: member) == model.filter { $0.member == member }.map(\.fd))
                #expect(fast.silentConnections == silent.map(\.fd))
            }
        }
    }
}
