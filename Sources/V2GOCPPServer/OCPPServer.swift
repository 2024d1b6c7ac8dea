import FoundationEssentials
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOWebSocket
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

    /// Serves until the task is cancelled, then closes every station's connection.
    public func run() async throws {
        _ = OCPPSchemas.actions   // parse the schemas now, not on the first station's first message
        let ssl = try configuration.tls.map { try NIOSSLContext(configuration: Self.tlsConfiguration($0)) }
        let connections = OpenConnections()
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { [self] channel in
                connections.add(channel)
                return channel.eventLoop.makeCompletedFuture { try self.configure(channel, ssl: ssl) }
            }
        let server = try await bootstrap.bind(host: configuration.host, port: configuration.port).get()
        port.set(server.localAddress?.port)
        try await withTaskCancellationHandler {
            try await server.closeFuture.get()
        } onCancel: {
            server.close(promise: nil)
        }
        await connections.closeAll()
    }

    /// A new connection's pipeline: TLS if configured, HTTP/1.1 whose only way on is a WebSocket upgrade that
    /// `OCPPAdmission` admits, and for everything else an answer saying why.
    private func configure(_ channel: Channel, ssl: NIOSSLContext?) throws {
        let admission = OCPPAdmission(credentials: configuration.credentials)
        let maxMessage = configuration.maxMessageBytes
        let upgrader = NIOWebSocketServerUpgrader(
            maxFrameSize: maxMessage,
            shouldUpgrade: { channel, head in
                let verdict = admission.check(head)
                return channel.eventLoop.makeSucceededFuture(verdict.version.map { ["Sec-WebSocket-Protocol": $0.rawValue] })
            },
            upgradePipelineHandler: { [self] channel, head in
                guard let version = admission.check(head).version, let station = OCPPAdmission.station(in: head.uri) else {
                    return channel.close()
                }
                let identity = StationIdentity(id: station, version: version)
                // Past the upgrade the refusals' HTTP handler has nothing to answer, and frames must not reach it.
                return channel.pipeline.removeHandler(name: UpgradeRefusal.name).flatMapThrowing {
                    try channel.pipeline.syncOperations.addHandlers([
                        NIOWebSocketFrameAggregator(minNonFinalFragmentSize: 0, maxAccumulatedFrameCount: 64,
                                                    maxAccumulatedFrameSize: maxMessage),
                        StationChannelHandler(identity: identity, server: self),
                    ])
                }
            })
        let pipeline = channel.pipeline.syncOperations
        if let ssl { try pipeline.addHandler(NIOSSLServerHandler(context: ssl)) }
        try pipeline.configureHTTPServerPipeline(withServerUpgrade: (upgraders: [upgrader], completionHandler: { _ in }))
        try pipeline.addHandler(UpgradeRefusal(admission: admission, logger: logger), name: UpgradeRefusal.name)
    }

    /// A station's WebSocket is open: its session starts and replaces any earlier one of the same station.
    func connected(_ session: StationSession, close: @escaping @Sendable () async -> Void) async {
        await registry.connect(session, close: close)
        logger.info("OCPP: \(session.station) connected")
    }

    /// A station's WebSocket closed.
    func disconnected(_ session: StationSession) async {
        await registry.disconnect(session)
        logger.info("OCPP: \(session.station) disconnected")
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
