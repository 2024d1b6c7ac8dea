import Dispatch
import FoundationEssentials
import V2GLedger
import V2GKit

/// A request of ours waiting for its answer.
final class PendingRequest: @unchecked Sendable {  // fields under PeerShared.lock
    let neighbour: PublicKey?
    var sentTo: PublicKey?
    var result: Result<GossipMessage, TransportError>?
    let done = DispatchSemaphore(value: 0)
    init(neighbour: PublicKey?) { self.neighbour = neighbour }
}

/// Endorsements being collected for one transaction: the loop files what arrives from an endorser that was
/// asked; the collecting caller verifies it, outside any lock.
final class EndorsementWait: @unchecked Sendable {  // fields under PeerShared.lock
    let asked: Set<PublicKey>
    var arrived: [Endorsement] = []
    let signal = DispatchSemaphore(value: 0)
    init(asked: Set<PublicKey>) { self.asked = asked }
}

/// Work handed to the peer's thread.
enum PeerCommand {
    case endorse(frame: [UInt8], to: Set<PublicKey>)
    case gossip(frame: [UInt8], id: Digest)
    case forward(frame: [UInt8], except: PublicKey?)
    case connect(Neighbour)
    case request(id: UInt64, neighbour: PublicKey?, frame: [UInt8])
    case reply(route: ReplyRoute, frame: [UInt8])
}

/// What the peer's thread and its callers share, under `lock`, which is only ever held for a few assignments:
/// nothing verifies, decodes or waits while holding it.
final class PeerShared: @unchecked Sendable {
    let lock = Lock()
    let wake: WakePipe
    var commands: [PeerCommand] = []
    var stopping = false
    var counters = NetworkCounters()
    var pending: [UInt64: PendingRequest] = [:]
    var endorsementWaits: [Digest: EndorsementWait] = [:]
    var nextRequestID: UInt64 = 0
    var thread: JoinableThread?
    var unstarted: PeerLoop?
    /// The neighbours whose link completed its handshake; changes are broadcast on `linksChanged`.
    let linksChanged = Condition()
    private var linked: Set<PublicKey> = []

    init() throws(TransportError) { wake = try WakePipe() }

    func submit(_ command: PeerCommand) {
        let accepted = lock.withLock {
            guard !stopping else { return false }
            commands.append(command)
            return true
        }
        if accepted { wake.wake() }
    }

    func count(_ update: (inout NetworkCounters) -> Void) { lock.withLock { update(&counters) } }

    var isStopping: Bool { lock.withLock { stopping } }

    var connected: Set<PublicKey> {
        linksChanged.lock()
        defer { linksChanged.unlock() }
        return linked
    }

    /// `connected`, for a caller holding `linksChanged`.
    var connectedLocked: Set<PublicKey> { linked }

    func setLinked(_ key: PublicKey, _ up: Bool) {
        linksChanged.lock()
        if up { linked.insert(key) } else { linked.remove(key) }
        linksChanged.broadcast()
        linksChanged.unlock()
    }

    /// Completes a request, if it is still waiting.
    func complete(_ id: UInt64, _ result: Result<GossipMessage, TransportError>) {
        lock.withLock {
            guard let p = pending[id], p.result == nil else { return }
            p.result = result
            p.done.signal()
        }
    }

    func failAll(_ error: TransportError) {
        lock.withLock {
            for p in pending.values where p.result == nil {
                p.result = .failure(error)
                p.done.signal()
            }
            for w in endorsementWaits.values { w.signal.signal() }
        }
        linksChanged.lock()
        linksChanged.broadcast()
        linksChanged.unlock()
    }
}
