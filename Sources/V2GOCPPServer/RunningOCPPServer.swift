import Dispatch
import Glibc
import Synchronization

/// An `OCPPServer` run from synchronous code (a daemon's main thread): served on the concurrency pool, listening
/// before `start` returns, stopped within 5 s.
public final class RunningOCPPServer: @unchecked Sendable {  // `task` is set once, in `start`
    public let server: OCPPServer
    private var task: Task<Void, Never>?
    private let failure = FailureBox()

    private init(server: OCPPServer) { self.server = server }

    /// Starts `server` and waits until it listens; `onStop` is called if it stops by itself.
    /// - Throws: `OCPPServerError` saying why it could not listen.
    public static func start(_ server: OCPPServer, onStop: @escaping @Sendable () -> Void) throws(OCPPServerError) -> RunningOCPPServer {
        let running = RunningOCPPServer(server: server)
        let failure = running.failure
        running.task = Task {
            do { try await server.run() } catch { failure.set("\(error)") }
            onStop()
        }
        let deadline = ContinuousClock.now + .seconds(30)
        while server.boundPort == nil, failure.value == nil, ContinuousClock.now < deadline { usleep(20_000) }
        guard server.boundPort != nil, failure.value == nil else {
            running.stop()
            throw OCPPServerError(description: "the OCPP endpoint could not listen: \(failure.value ?? "no port after 30 s")")
        }
        return running
    }

    /// The error that ended the server, if one did.
    public var error: String? { failure.value }

    /// Stops serving: cancels the server and waits up to 5 s for it to close its connections.
    public func stop() {
        guard let task else { return }
        task.cancel()
        let stopped = DispatchSemaphore(value: 0)
        Task { _ = await task.result; stopped.signal() }
        _ = stopped.wait(timeout: .now() + 5)
    }
}

/// Why an OCPP endpoint could not serve.
public struct OCPPServerError: Error, CustomStringConvertible, Sendable {
    public let description: String
}

/// The error that ended a server, set by its task.
private final class FailureBox: Sendable {
    private let message = Mutex<String?>(nil)
    func set(_ m: String) { message.withLock { $0 = m } }
    var value: String? { message.withLock { $0 } }
}
