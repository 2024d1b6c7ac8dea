import ArgumentParser
import FoundationEssentials
import Logging
import V2GGateway
import V2GOCPP
import V2GOCPPServer
import V2GKit

/// `v2g ocpp`: the gateway's OCPP endpoint for a site's charging stations (docs/ocpp.md).
struct OCPPCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ocpp",
        abstract: "Serve charging stations over OCPP 2.1 / 2.0.1 (JSON over WebSocket).",
        subcommands: [Serve.self])

    struct Serve: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Accept stations at ws://HOST:PORT/ocpp/{stationId}, answer their messages and print each one.",
            discussion: """
                Stations authenticate with HTTP Basic (security profile 1): the username is the station's \
                identity, the password the one given with --station. Each accepted message is printed as one \
                line: the station, its OCPP version, the action and the payload as JSON.
                """)

        @Option(help: "Address and port to listen on (port 0: the system chooses; the line \"listening on …\" says which).")
        var listen = "127.0.0.1:9000"

        @Option(name: .customLong("station"), help: "A station and its password, as ID:PASSWORD (repeatable).")
        var stations: [String] = []

        @Option(help: "The heartbeat interval BootNotification gives stations, in seconds.")
        var heartbeat = 300

        @Option(name: .customLong("accept-token"), help: "An ID token Authorize accepts (repeatable; none given: every token).")
        var acceptTokens: [String] = []

        @Option(name: .customLong("tls-certificate"), help: "PEM certificate chain: serve wss:// (security profile 2); needs --tls-private-key.")
        var tlsCertificate: String?

        @Option(name: .customLong("tls-private-key"), help: "PEM private key of --tls-certificate.")
        var tlsPrivateKey: String?

        func run() throws {
            let (host, port) = try Self.address(listen)
            var passwords: [String: String] = [:]
            for s in stations {
                guard let colon = s.firstIndex(of: ":"), colon != s.startIndex else {
                    throw CommandFailure.badInput("--station \(s): expected ID:PASSWORD")
                }
                passwords[String(s[..<colon])] = String(s[s.index(after: colon)...])
            }
            guard !passwords.isEmpty else { throw CommandFailure.badInput("give at least one --station ID:PASSWORD") }
            guard (1...86_400).contains(heartbeat) else { throw CommandFailure.badInput("--heartbeat: expected 1...86400 seconds") }

            let shutdown = ShutdownSignal.install()
            LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
            let site = SiteStations(heartbeatInterval: heartbeat, acceptedTokens: acceptTokens.isEmpty ? nil : Set(acceptTokens),
                                    report: { station, action, payload in StandardStreams.writeOutput("\(station) \(action) \(payload.text)\n") })
            var configuration = OCPPServer.Configuration(host: host, port: port, credentials: StationCredentials(passwords))
            switch (tlsCertificate, tlsPrivateKey) {
            case let (certificate?, key?): configuration.tls = (certificate, key)
            case (nil, nil): break
            default: throw CommandFailure.badInput("--tls-certificate and --tls-private-key go together")
            }
            let server = OCPPServer(configuration: configuration, handler: site)
            let endpoint = try RunningOCPPServer.start(server) { shutdown.fire("the server stopped") }
            StandardStreams.writeOutput("listening on \(configuration.tls == nil ? "ws" : "wss")://\(host):\(server.boundPort ?? 0)/ocpp/{stationId}\n")
            _ = shutdown.wait()
            endpoint.stop()
            if let why = endpoint.error { throw CommandFailure.badInput("ocpp serve: \(why)") }
        }

        static func address(_ text: String) throws -> (String, Int) {
            guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65_535).contains(port),
                  colon != text.startIndex else {
                throw CommandFailure.badInput("--listen \(text): expected HOST:PORT")
            }
            return (String(text[..<colon]), port)
        }
    }
}
