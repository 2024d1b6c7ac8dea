import Foundation
import Logging
import V2GGateway
import V2GOCPP
import V2GOCPPServer

/// A running OCPP server: started on the concurrency pool, bound before `start` returns, stopped within 5 s.
final class OCPPEndpoint: @unchecked Sendable {  // `task` is set once, in `start`
    let server: OCPPServer
    private var task: Task<Void, Never>?
    private let failure = FailureBox()

    private init(server: OCPPServer) { self.server = server }

    /// Starts `server` and waits until it listens; `onStop` is called if it stops by itself.
    /// - Throws: `CommandFailure.badInput` naming why it could not listen.
    static func start(_ server: OCPPServer, onStop: @escaping @Sendable () -> Void) throws -> OCPPEndpoint {
        let endpoint = OCPPEndpoint(server: server)
        let failure = endpoint.failure
        endpoint.task = Task {
            do { try await server.run() } catch { failure.set("\(error)") }
            onStop()
        }
        let deadline = Date().addingTimeInterval(30)
        while server.boundPort == nil, failure.value == nil, Date() < deadline { usleep(20_000) }
        guard server.boundPort != nil, failure.value == nil else {
            endpoint.stop()
            throw CommandFailure.badInput("the OCPP endpoint could not listen: \(failure.value ?? "no port after 30 s")")
        }
        return endpoint
    }

    /// The error that ended the server, if one did.
    var error: String? { failure.value }

    func stop() {
        guard let task else { return }
        task.cancel()
        let stopped = DispatchSemaphore(value: 0)
        Task { _ = await task.result; stopped.signal() }
        _ = stopped.wait(timeout: .now() + 5)
    }

    /// `v2g node`'s bridge for an EV gateway with `[ocpp]`: the site's stations served at the configured address,
    /// and the chargers that turn them into offers, setpoints and meter reports.
    static func bridge(_ settings: OCPPSettings, logger: Logger, onStop: @escaping @Sendable () -> Void) throws
        -> (OCPPEndpoint, OCPPChargers) {
        let site = SiteStations(heartbeatInterval: settings.heartbeatSeconds, acceptedTokens: settings.acceptedTokens)
        var configuration = OCPPServer.Configuration(host: settings.host, port: settings.port,
                                                     credentials: StationCredentials(settings.passwords))
        configuration.tls = settings.tls
        let server = OCPPServer(configuration: configuration, handler: site, logger: logger)
        let endpoint = try start(server, onStop: onStop)
        logger.info("OCPP: listening on \(settings.tls == nil ? "ws" : "wss")://\(settings.host):\(server.boundPort ?? 0)/ocpp/{stationId}",
                    metadata: ["stations": "\(settings.passwords.count)", "vehicles": "\(settings.placements.count)"])
        let chargers = OCPPChargers(site: site, line: server, placements: settings.placements, settings: settings.chargers,
                                    logger: logger)
        return (endpoint, chargers)
    }
}

/// The error that ended a server, set by its task.
final class FailureBox: @unchecked Sendable {
    private let lock = NSLock()
    private var message: String?
    func set(_ m: String) { lock.withLock { message = m } }
    var value: String? { lock.withLock { message } }
}
