import Dispatch
import FoundationEssentials
import V2GKit

/// Signatures already found valid, so a transaction checked when it was pooled or endorsed is not checked again
/// when its block is validated. Keyed by the hash of (key, signature, message): a hit means that exact triple
/// verified before. Only successes are kept; the set is bounded and emptied when full. Thread-safe.
public final class SignatureCache: @unchecked Sendable {  // `valid` under `lock`
    private let lock = Lock()
    private var valid: Set<Digest> = []
    private let capacity: Int
    /// Verifications done and skipped, for measurement.
    public private(set) var verified = 0
    public private(set) var hits = 0

    /// `capacity` keys of 32 bytes each: the default, 65,536, holds two rounds of a 10,000-vehicle campus (2.8 MB).
    public init(capacity: Int = 1 << 16) { self.capacity = capacity }

    static func key(_ key: PublicKey, _ signature: Signature, _ message: [UInt8]) -> Digest {
        var data: [UInt8] = []
        data.reserveCapacity(PublicKey.byteCount + Signature.byteCount + message.count)
        key.withUnsafeBytes { data.append(contentsOf: $0) }
        signature.withUnsafeBytes { data.append(contentsOf: $0) }
        data.append(contentsOf: message)
        return Digest.of(data)
    }

    /// Whether `signature` is `key`'s over `message`, from the cache or by verifying (and remembering) it.
    public func verify(_ key: PublicKey, _ signature: Signature, of message: [UInt8]) -> Bool {
        let k = Self.key(key, signature, message)
        if lock.withLock({ valid.contains(k) }) {
            lock.withLock { hits += 1 }
            return true
        }
        guard key.verifies(signature, of: message) else { return false }
        remember([k])
        return true
    }

    /// Records a signature known to be valid without verifying it: one this process just made, or one the
    /// transport already verified. Later checks of the same (key, signature, message) hit the cache.
    public func noteValid(_ key: PublicKey, _ signature: Signature, of message: [UInt8]) {
        remember([Self.key(key, signature, message)])
    }

    /// Verifies the triples not cached yet and remembers the valid ones, spread over the cores (or on the
    /// calling thread alone, `parallel` false); the sequential checks that follow then find them cached.
    /// Returns whether every triple is valid.
    @discardableResult
    public func prefetch(_ triples: [(PublicKey, Signature, [UInt8])], parallel: Bool = true) -> Bool {
        let keys = triples.map { Self.key($0.0, $0.1, $0.2) }
        let missing = lock.withLock { keys.indices.filter { !valid.contains(keys[$0]) } }
        guard parallel, missing.count > 1 else {
            // Not worth the threads (or not wanted): still verified here, by the caller, outside its locks.
            let good = missing.filter { triples[$0].0.verifies(triples[$0].1, of: triples[$0].2) }
            remember(good.map { keys[$0] })
            return good.count == missing.count
        }
        let ok = Flags(count: missing.count)
        DispatchQueue.concurrentPerform(iterations: missing.count) { j in
            let t = triples[missing[j]]
            if t.0.verifies(t.1, of: t.2) { ok.set(j) }
        }
        let good = missing.indices.filter { ok.get($0) }
        remember(good.map { keys[missing[$0]] })
        return good.count == missing.count
    }

    private func remember(_ keys: [Digest]) {
        lock.withLock {
            verified += keys.count
            if valid.count + keys.count > capacity { valid.removeAll(keepingCapacity: true) }
            valid.formUnion(keys)
        }
    }
}

/// One flag per index, each written by one thread of a `concurrentPerform` and read after it returns.
private final class Flags: @unchecked Sendable {
    private let p: UnsafeMutableBufferPointer<Bool>
    init(count: Int) {
        p = .allocate(capacity: count)
        p.initialize(repeating: false)
    }
    deinit { p.deallocate() }
    func set(_ i: Int) { p[i] = true }
    func get(_ i: Int) -> Bool { p[i] }
}
