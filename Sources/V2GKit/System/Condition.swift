import Glibc

/// A lock with a condition variable (what `NSCondition` is, without Foundation). Timed waits run on
/// `CLOCK_MONOTONIC`, so setting the wall clock neither ends nor stretches them.
public final class Condition: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let cond: UnsafeMutablePointer<pthread_cond_t>

    public init() {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        cond = .allocate(capacity: 1)
        cond.initialize(to: pthread_cond_t())
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        let m = pthread_mutex_init(mutex, nil), c = pthread_cond_init(cond, &attributes)
        pthread_condattr_destroy(&attributes)
        precondition(m == 0 && c == 0, "pthread_mutex_init/pthread_cond_init failed: \(m), \(c)")
    }

    deinit {
        pthread_cond_destroy(cond)
        pthread_mutex_destroy(mutex)
        cond.deallocate()
        mutex.deallocate()
    }

    public func lock() { pthread_mutex_lock(mutex) }
    public func unlock() { pthread_mutex_unlock(mutex) }
    /// Wakes one waiter; call holding the lock.
    public func signal() { pthread_cond_signal(cond) }
    /// Wakes every waiter; call holding the lock.
    public func broadcast() { pthread_cond_broadcast(cond) }

    /// Waits for a signal, holding the lock before and after (wakes may be spurious: wait in a loop).
    public func wait() { pthread_cond_wait(cond, mutex) }

    /// Waits for a signal or the deadline; returns false once the deadline has passed.
    public func wait(until deadline: ContinuousClock.Instant) -> Bool {
        let left = ContinuousClock.now.duration(to: deadline)
        guard left > .zero else { return false }
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let (seconds, attoseconds) = left.components
        // A deadline decades away is as good as none; saturate rather than trap.
        let wait = seconds > Int64(Int32.max) ? Int64(Int32.max) : seconds
        var nanoseconds = Int(now.tv_nsec) + Int(attoseconds / 1_000_000_000)
        var absolute = timespec(tv_sec: now.tv_sec + time_t(wait), tv_nsec: 0)
        if nanoseconds >= 1_000_000_000 {
            nanoseconds -= 1_000_000_000
            absolute.tv_sec += 1
        }
        absolute.tv_nsec = nanoseconds
        return pthread_cond_timedwait(cond, mutex, &absolute) != ETIMEDOUT
    }
}
