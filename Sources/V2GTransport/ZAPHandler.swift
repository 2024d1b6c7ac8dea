import FoundationEssentials
internal import CZeroMQ
import Glibc
import V2GLedger
import V2GKit

/// A ZAP handler (RFC 27) for one context: admits a CURVE client only if its X25519 public key is one of the
/// channel members' (`CurveIdentity.publicKey(of:)`), answering "200" with the member's Ed25519 key in hex as
/// the user id (the "User-Id" property of every message from that connection), else "400" with a reason.
///
/// It binds a REP socket on `inproc://zeromq.zap.01` in its context and answers on its own thread. It must
/// be running before any CURVE server socket of the context accepts a connection, and until they are closed:
/// libzmq 4.3 admits every CURVE client of a context that has no handler.
final class ZAPHandler: Sendable {
    /// The RFC 27 endpoint.
    static let endpoint = "inproc://zeromq.zap.01"

    private let state: ZAPState
    private let thread: JoinableThread

    /// Binds the handler in `context` and starts its thread.
    /// - Parameters:
    ///   - context: the context whose CURVE servers it answers for.
    ///   - domain: the ZAP domain servers set (`ZMQ_ZAP_DOMAIN`); requests for another are refused.
    ///   - members: the Ed25519 keys admitted.
    init(context: ZMQContext, domain: String, members: [PublicKey]) throws(TransportError) {
        let state = try ZAPState(domain: domain)
        try state.setMembers(members)
        let socket = try ZMQSocket(context, .rep)
        try socket.set(.linger, Int32(0))
        try socket.bind(Self.endpoint)   // bound before init returns, so before any server needs it
        let handover = OnceBox(socket)
        self.state = state
        thread = JoinableThread(name: "v2g-zap") { state.run(handover.take()) }
    }

    deinit { stop() }

    /// The domain servers must name.
    var domain: String { state.domain }

    /// Replaces the admitted members; connections already made stay up.
    func setMembers(_ members: [PublicKey]) throws(TransportError) { try state.setMembers(members) }

    /// Admits one more member.
    func allow(_ member: PublicKey) throws(TransportError) { try state.allow(member) }

    /// Stops admitting a member (from its next connection).
    func revoke(_ member: PublicKey) { state.revoke(member) }

    /// Connections refused so far.
    var refusals: Int { state.lock.withLock { state.refused } }
    /// Connections admitted so far.
    var admissions: Int { state.lock.withLock { state.admitted } }

    /// Stops the thread, which closes the socket; waits for it.
    func stop() {
        state.lock.withLock { state.stopping = true }
        state.wake.wake()
        thread.join()
    }
}


/// What the ZAP thread and its owner share, under `lock`.
final class ZAPState: @unchecked Sendable {
    let domain: String
    let lock = Lock()
    let wake: WakePipe
    var allowed: [[UInt8]: PublicKey] = [:]   // X25519 key -> member
    var refused = 0
    var admitted = 0
    var stopping = false

    init(domain: String) throws(TransportError) {
        self.domain = domain
        wake = try WakePipe()
    }

    func setMembers(_ members: [PublicKey]) throws(TransportError) {
        var map: [[UInt8]: PublicKey] = [:]
        for m in members { map[try Self.curveKey(m)] = m }
        lock.withLock { allowed = map }
    }

    func allow(_ member: PublicKey) throws(TransportError) {
        let key = try Self.curveKey(member)
        lock.withLock { allowed[key] = member }
    }

    func revoke(_ member: PublicKey) {
        guard let key = try? Self.curveKey(member) else { return }
        lock.withLock { allowed[key] = nil }
    }

    static func curveKey(_ member: PublicKey) throws(TransportError) -> [UInt8] { try CurveIdentity.publicKey(of: member) }

    /// The thread's loop; `socket` is closed when it returns.
    func run(_ socket: ZMQSocket) {
        while !lock.withLock({ stopping }) {
            let ready: [ZMQPoll.Events]
            do {
                ready = try ZMQPoll.poll([.init(socket), .init(fd: wake.readFD)], timeout: nil)
            } catch {
                // Never leave on a passing error: without a handler libzmq would admit every CURVE client.
                if error.errno == ETERM { break }
                Threads.sleep(for: .seconds(0.01))
                continue
            }
            if ready[1].contains(.readable) { wake.drain() }
            guard ready[0].contains(.readable) else { continue }
            while let request = try? socket.tryReceive(maxFrames: 16) {
                // REP must answer every request it takes, whatever it holds.
                _ = try? socket.trySend(reply(to: request.frames))
            }
        }
    }

    /// The reply to a request as REP delivers it (no envelope): version, request id, domain, address,
    /// identity, mechanism, credentials…
    func reply(to frames: [[UInt8]]) -> [[UInt8]] {
        let version = Array("1.0".utf8)
        let requestID = frames.count > 1 ? frames[1] : []
        func answer(_ code: String, _ text: String, user: String = "") -> [[UInt8]] {
            [version, requestID, Array(code.utf8), Array(text.utf8), Array(user.utf8), []]
        }
        func refuse(_ text: String) -> [[UInt8]] {
            lock.withLock { refused += 1 }
            return answer("400", text)
        }
        guard frames.count >= 6, frames[0] == version else { return answer("500", "malformed ZAP request") }
        guard frames[2] == Array(domain.utf8) else { return refuse("unknown domain") }
        guard frames[5] == Array("CURVE".utf8) else { return refuse("CURVE required") }
        guard frames.count == 7, frames[6].count == 32 else { return refuse("malformed CURVE credentials") }
        let member: PublicKey? = lock.withLock { allowed[frames[6]] }
        guard let member else { return refuse("not a member") }
        lock.withLock { admitted += 1 }
        return answer("200", "OK", user: member.description)
    }
}
