import Glibc

/// Starting threads and sleeping on them, over pthreads (what `Thread` does, without Foundation).
public enum Threads {
    /// Runs `body` on a new detached thread named `name` (the kernel keeps the first 15 bytes; `top -H` and
    /// `ps -L` show them). Traps if the system cannot make a thread, as `Thread.start` does.
    public static func detach(name: String, _ body: @escaping @Sendable () -> Void) {
        let box = Unmanaged.passRetained(Body(name: name, body)).toOpaque()
        var thread = pthread_t()
        let status = pthread_create(&thread, nil, threadEntry, box)
        if status != 0 {
            Unmanaged<Body>.fromOpaque(box).release()
            fatalError("pthread_create failed: \(status)")
        }
        pthread_detach(thread)
    }

    /// Blocks the calling thread for `duration` (resumed after signals).
    public static func sleep(for duration: Duration) {
        guard duration > .zero else { return }
        let (seconds, attoseconds) = duration.components
        var request = timespec(tv_sec: time_t(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
        var left = timespec()
        while nanosleep(&request, &left) != 0 && errno == EINTR { request = left }
    }

    /// Names the calling thread through procfs (`pthread_setname_np` is a GNU extension Swift's Glibc module
    /// does not show). A failure leaves the process's name, which is only cosmetic.
    fileprivate static func nameCurrentThread(_ name: String) {
        let fd = open("/proc/thread-self/comm", O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        let bytes = Array(name.utf8.prefix(15))
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
    }

    fileprivate final class Body: @unchecked Sendable {
        let name: String
        let run: @Sendable () -> Void
        init(name: String, _ run: @escaping @Sendable () -> Void) {
            self.name = name
            self.run = run
        }
    }
}

/// A new thread's first function: takes the body `Threads.detach` retained for it, names the thread, runs it.
private func threadEntry(_ raw: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    let body = Unmanaged<Threads.Body>.fromOpaque(raw!).takeRetainedValue()
    Threads.nameCurrentThread(body.name)
    body.run()
    return nil
}
