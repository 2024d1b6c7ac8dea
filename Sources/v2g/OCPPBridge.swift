import Logging
import V2GGateway
import V2GOCPP
import V2GOCPPServer

/// `v2g node`'s OCPP bridge: where V2GGateway's chargers (which reach stations through `StationLine` only) meet
/// the WebSocket endpoint of V2GOCPPServer.
enum OCPPBridge {
    /// `v2g node`'s bridge for an EV gateway with `[ocpp]`: the site's stations served at the configured address,
    /// and the chargers that turn them into offers, setpoints and meter reports.
    static func start(_ settings: OCPPSettings, logger: Logger, onStop: @escaping @Sendable () -> Void) throws
        -> (RunningOCPPServer, OCPPChargers) {
        let site = SiteStations(heartbeatInterval: settings.heartbeatSeconds, acceptedTokens: settings.acceptedTokens)
        var configuration = OCPPServer.Configuration(host: settings.host, port: settings.port,
                                                     credentials: StationCredentials(settings.passwords))
        configuration.tls = settings.tls
        let server = OCPPServer(configuration: configuration, handler: site, logger: logger)
        let endpoint = try RunningOCPPServer.start(server, onStop: onStop)
        logger.info("OCPP: listening on \(settings.tls == nil ? "ws" : "wss")://\(settings.host):\(server.boundPort ?? 0)/ocpp/{stationId}",
                    metadata: ["stations": "\(settings.passwords.count)", "vehicles": "\(settings.placements.count)"])
        let chargers = OCPPChargers(site: site, line: server, placements: settings.placements, settings: settings.chargers,
                                    logger: logger)
        return (endpoint, chargers)
    }
}
