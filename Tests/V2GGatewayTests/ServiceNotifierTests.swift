import Foundation
import Glibc
import Testing
import V2GGateway
import V2GLedger

/// A datagram socket playing the service manager's end of the notify protocol (sd_notify(3)).
final class ManagerSocket {
    let address: String
    private let fd: Int32

    /// Binds a path in `dir`, or an abstract name when `abstract`.
    init(_ dir: ScratchDirectory, abstract: Bool = false) throws {
        address = abstract ? "@v2g-test-\(UInt32.random(in: 0...UInt32.max))" : dir.path("notify.sock")
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        #expect(fd >= 0)
        var sa = sockaddr_un()
        sa.sun_family = sa_family_t(AF_UNIX)
        var path = Array(address.utf8)
        if abstract { path[0] = 0 }
        withUnsafeMutableBytes(of: &sa.sun_path) { raw in for (k, b) in path.enumerated() { raw[k] = b } }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + path.count + (abstract ? 0 : 1))
        let bound = withUnsafePointer(to: &sa) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        #expect(bound == 0)
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    /// The next datagram (waits up to 5 s); nil on timeout.
    func receive() -> String? {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = recv(fd, &buffer, buffer.count, 0)
        return n > 0 ? String(decoding: buffer[..<n], as: UTF8.self) : nil
    }

    /// Datagrams until one contains `marker` (skipping STATUS updates and pings on the way).
    func receive(until marker: String) -> [String] {
        var got: [String] = []
        while let m = receive() {
            got.append(m)
            if m.contains(marker) { break }
        }
        return got
    }
}

@Suite("The service manager's notify protocol")
struct ServiceNotifierTests {
    @Test func readyWatchdogStatusAndStoppingReachTheSocket() throws {
        let dir = try ScratchDirectory()
        let manager = try ManagerSocket(dir)
        let n = try ServiceNotifier(environment: ["NOTIFY_SOCKET": manager.address, "WATCHDOG_USEC": "200000"])
        #expect(n.isActive && n.watchdogInterval == .milliseconds(100))
        try n.ready(status: "serving\nsecond line")
        let ready = try #require(manager.receive())
        #expect(ready.hasPrefix("READY=1\nSTATUS=serving second line\nMAINPID=\(ProcessInfo.processInfo.processIdentifier)"))
        #expect(try n.pingIfDue() == false)   // READY counts as a ping
        Thread.sleep(forTimeInterval: 0.12)
        #expect(try n.pingIfDue() == true)
        #expect(manager.receive() == "WATCHDOG=1")
        try n.status("BoE h=3")
        #expect(manager.receive() == "STATUS=BoE h=3")
        try n.stopping(reason: "SIGTERM")
        #expect(manager.receive() == "STOPPING=1\nSTATUS=stopping: SIGTERM")
    }

    @Test func anAbstractSocketIsReachedToo() throws {
        let dir = try ScratchDirectory()
        let manager = try ManagerSocket(dir, abstract: true)
        let n = try ServiceNotifier(environment: ["NOTIFY_SOCKET": manager.address])
        #expect(n.watchdogInterval == nil)
        try n.status("hello")
        #expect(manager.receive() == "STATUS=hello")
        #expect(try n.pingIfDue() == false)   // no watchdog asked for
    }

    @Test func theWatchdogIsOnlyForTheProcessItNames() throws {
        let env = ["NOTIFY_SOCKET": "/run/x.sock", "WATCHDOG_USEC": "1000000"]
        #expect(try ServiceNotifier(environment: env.merging(["WATCHDOG_PID": "1"]) { $1 }, pid: 42).watchdogInterval == nil)
        #expect(try ServiceNotifier(environment: env.merging(["WATCHDOG_PID": "42"]) { $1 }, pid: 42).watchdogInterval
                == .milliseconds(500))
    }

    @Test func withoutASocketNothingIsSentAndBadValuesAreRefused() throws {
        let quiet = try ServiceNotifier(environment: [:])
        #expect(!quiet.isActive)
        try quiet.ready(status: "x")
        #expect(try quiet.pingIfDue() == false)
        #expect(throws: NotifyError.self) { try ServiceNotifier(environment: ["NOTIFY_SOCKET": "relative/path"]) }
        #expect(throws: NotifyError.self) {
            try ServiceNotifier(environment: ["NOTIFY_SOCKET": "/" + String(repeating: "a", count: 200)])
        }
        #expect(throws: NotifyError.self) {
            try ServiceNotifier(environment: ["NOTIFY_SOCKET": "/run/x.sock", "WATCHDOG_USEC": "soon"])
        }
        // A socket nobody listens on: the send fails with a message naming it.
        let gone = try ServiceNotifier(environment: ["NOTIFY_SOCKET": "/nonexistent/notify.sock"])
        #expect { try gone.status("x") } throws: { error in
            "\(error)".contains("/nonexistent/notify.sock")
        }
    }

    /// A control system's gateway run under a service manager: READY once serving, pings while it runs,
    /// STOPPING when asked to stop.
    @Test func aGatewayReportsReadyPingsAndStopping() throws {
        let dir = try ScratchDirectory()
        let (text, _, _) = try ConfigAndMetricsTests.controlSystem(dir)
        let (config, key) = try GatewayConfig.parse(toml: text.replacingOccurrences(of: "count = 3", with: "count = 0"),
                                                    base: dir.url.path)
        let manager = try ManagerSocket(dir)
        let notifier = try ServiceNotifier(environment: ["NOTIFY_SOCKET": manager.address, "WATCHDOG_USEC": "600000"])
        let gateway = try Gateway(config: config, key: key)
        let shutdown = ShutdownSignal()
        let done = Locked<String?>(nil)
        let thread = Thread { done.set(gateway.run(until: shutdown, notifier: notifier)) }
        thread.start()
        let start = manager.receive(until: "READY=1")
        #expect(start.last?.hasPrefix("READY=1\nSTATUS=control-system node, 0 of 1 links up") == true)
        #expect(manager.receive(until: "WATCHDOG=1").last == "WATCHDOG=1")
        shutdown.fire("test over")
        #expect(manager.receive(until: "STOPPING=1").last == "STOPPING=1\nSTATUS=stopping: test over")
        #expect(eventually { done.value == "test over" })
    }
}
