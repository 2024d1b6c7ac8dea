import FoundationEssentials
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOSSL
import Synchronization
import V2GOCPP

/// Who may connect: each charging station's identity (the last segment of its URL) and its HTTP Basic password
/// (OCPP security profile 1: the username is the station's identity).
public struct StationCredentials: Sendable {
    private let passwords: [String: [UInt8]]

    public init(_ passwords: [String: String]) { self.passwords = passwords.mapValues { Array($0.utf8) } }

    /// Whether `authorization` (an `Authorization` header) proves `station`'s password.
    func admits(_ station: String, authorization: String?) -> Bool {
        guard let expected = passwords[station], let authorization, authorization.hasPrefix("Basic "),
              let decoded = Data(base64Encoded: String(authorization.dropFirst(6))) else { return false }
        let given = [UInt8](decoded)
        let user = Array("\(station):".utf8)
        guard given.count == user.count + expected.count, Array(given.prefix(user.count)) == user else { return false }
        // Compared in constant time: the password's bytes do not leak through the answer's timing.
        return zip(given.dropFirst(user.count), expected).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

/// The gateway's OCPP-J endpoint: one WebSocket per charging station at `ws://HOST:PORT/ocpp/{stationId}`, with
/// the `ocpp2.1` or `ocpp2.0.1` subprotocol and HTTP Basic authentication, each served by a `StationSession`.
public final class OCPPServer: StationLine {
    public struct Configuration: Sendable {
        public var host: String
        /// 0: the system chooses (see `boundPort`).
        public var port: Int
        public var credentials: StationCredentials
        /// The largest message a station may send; OCPP's are a few KB.
        public var maxMessageBytes: Int = 64 << 10
        /// PEM files of the server's certificate chain and private key: TLS 1.2 or later on every connection
        /// (`wss://`, security profile 2 with the Basic password). Nil serves plain `ws://` (profile 1).
        public var tls: (certificateChain: String, privateKey: String)?

        public init(host: String = "127.0.0.1", port: Int, credentials: StationCredentials) {
            self.host = host
            self.port = port
            self.credentials = credentials
        }
    }

    let configuration: Configuration
    let handler: any StationHandler
    let logger: Logger
    private let registry = StationRegistry()
    private let port = PortBox()

    public init(configuration: Configuration, handler: any StationHandler, logger: Logger = Logger(label: "v2g.ocpp")) {
        self.configuration = configuration
        self.handler = handler
        self.logger = logger
    }

    /// The port the server listens on, once it does.
    public var boundPort: Int? { port.value }

    /// The stations connected now.
    public func connectedStations() async -> [StationIdentity] { await registry.identities() }

    /// Sends a CALL to a connected station and waits for its answer.
    public func call(_ station: String, _ action: String, _ payload: JSONValue, timeout: Duration = .seconds(30)) async -> Result<JSONValue, CallFailure> {
        guard let session = await registry.session(station) else { return .failure(.disconnected) }
        return await session.call(action, payload, timeout: timeout)
    }

    /// Serves until the task is cancelled.
    public func run() async throws {
        _ = OCPPSchemas.actions   // parse the schemas now, not on the first station's first message
        let router = Router(context: BasicWebSocketRequestContext.self)
        let credentials = configuration.credentials, logger = logger, maxMessage = configuration.maxMessageBytes
        router.ws("/ocpp/:station", shouldUpgrade: { request, context in
            let station = context.parameters.get("station") ?? ""
            guard StationIdentity.isValid(station) else { throw HTTPError(.notFound, message: "not a charging station identity") }
            guard credentials.admits(station, authorization: request.headers[.authorization]) else {
                logger.warning("OCPP: \(station) refused: wrong or missing password")
                throw HTTPError(.unauthorized, headers: [.wwwAuthenticate: "Basic realm=\"OCPP\""], message: "wrong or missing password")
            }
            let offered = request.headers[values: .secWebSocketProtocol].joined(separator: ",")
            guard let version = OCPPVersion.negotiate(offered) else {
                logger.warning("OCPP: \(station) refused: offered \"\(offered)\", not ocpp2.1 or ocpp2.0.1")
                throw HTTPError(.badRequest, message: "no supported OCPP subprotocol (ocpp2.1, ocpp2.0.1) offered")
            }
            return .upgrade([.secWebSocketProtocol: version.rawValue])
        }, onUpgrade: { [registry, handler] inbound, outbound, context in
            let station = context.requestContext.parameters.get("station") ?? ""
            let offered = context.request.headers[values: .secWebSocketProtocol].joined(separator: ",")
            let identity = StationIdentity(id: station, version: OCPPVersion.negotiate(offered) ?? .v201)
            let session = StationSession(station: identity, handler: handler) { text in
                try? await outbound.write(.text(text))
            }
            await registry.connect(session) { try? await outbound.close(.goingAway, reason: "replaced by a new connection") }
            logger.info("OCPP: \(identity) connected")
            defer { logger.info("OCPP: \(identity) disconnected") }
            do {
                for try await message in inbound.messages(maxSize: maxMessage) {
                    guard case .text(let text) = message else {
                        try await outbound.close(.unacceptableData, reason: "OCPP-J messages are text")
                        break
                    }
                    await session.receive(text)
                }
            } catch {
                logger.warning("OCPP: \(identity): \(error)")
            }
            await registry.disconnect(session)
        })
        let port = self.port
        var server = HTTPServerBuilder.http1WebSocketUpgrade(webSocketRouter: router, configuration: .init(maxFrameSize: maxMessage))
        if let tls = configuration.tls { server = try .tls(server, tlsConfiguration: try Self.tlsConfiguration(tls)) }
        let app = Application(
            router: router,
            server: server,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "v2g"),
            onServerRunning: { channel in port.set(channel.localAddress?.port) },
            logger: logger)
        try await app.runService(gracefulShutdownSignals: [])
    }
}

extension OCPPServer {
    /// OCPP 2.x security profile 2: the station authenticates the server by its certificate, over TLS 1.2 or
    /// later (Part 2, A00.FR.3xx), and itself by its Basic password.
    static func tlsConfiguration(_ files: (certificateChain: String, privateKey: String)) throws -> TLSConfiguration {
        let chain = try NIOSSLCertificate.fromPEMFile(files.certificateChain).map { NIOSSLCertificateSource.certificate($0) }
        guard !chain.isEmpty else { throw TLSFilesError(file: files.certificateChain, reason: "holds no certificate") }
        var tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain,
                                                           privateKey: .privateKey(try NIOSSLPrivateKey(file: files.privateKey, format: .pem)))
        tls.minimumTLSVersion = .tlsv12
        return tls
    }
}

/// A TLS file that cannot serve.
struct TLSFilesError: Error, CustomStringConvertible {
    let file: String
    let reason: String
    var description: String { "\(file) \(reason)" }
}

/// The sessions of the stations connected now; a station that connects again replaces its earlier session,
/// whose WebSocket is closed.
actor StationRegistry {
    private var sessions: [String: (session: StationSession, close: @Sendable () async -> Void)] = [:]

    func connect(_ session: StationSession, close: @escaping @Sendable () async -> Void) async {
        let old = sessions[session.station.id]
        sessions[session.station.id] = (session, close)   // before any await: a connection racing this one sees it
        if let old {
            await old.session.close()
            await old.close()
        }
    }

    func disconnect(_ session: StationSession) async {
        await session.close()
        if sessions[session.station.id]?.session === session { sessions[session.station.id] = nil }
    }

    func session(_ id: String) -> StationSession? { sessions[id]?.session }
    func identities() -> [StationIdentity] { sessions.values.map(\.session.station).sorted { $0.id < $1.id } }
}

/// The bound port, set once the server runs.
final class PortBox: Sendable {
    private let port = Mutex<Int?>(nil)
    func set(_ p: Int?) { port.withLock { $0 = p } }
    var value: Int? { port.withLock { $0 } }
}
