import NIOCore
import NIOWebSocket
import Synchronization
import V2GOCPP

/// One station's WebSocket after the upgrade: text frames go, in order, to the station's `StationSession`;
/// pings are answered, a close is returned, and anything OCPP-J does not allow closes the connection.
final class StationChannelHandler: ChannelInboundHandler, @unchecked Sendable {  // state on the channel's event loop
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    /// Messages read and not yet handled by the session; a station that sends more without waiting for
    /// answers is cut off (OCPP-J allows one CALL in flight, so a real station never comes close).
    static let maxPending = 64

    private let identity: StationIdentity
    private let server: OCPPServer
    private let pending = PendingCount()
    private var inbound: AsyncStream<String>.Continuation?
    private var closing = false

    init(identity: StationIdentity, server: OCPPServer) {
        self.identity = identity
        self.server = server
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let channel = context.channel
        let (messages, inbound) = AsyncStream<String>.makeStream()
        self.inbound = inbound
        let session = StationSession(station: identity, handler: server.handler) { text in
            let frame = WebSocketFrame(fin: true, opcode: .text, data: channel.allocator.buffer(string: text))
            try? await channel.writeAndFlush(frame)
        }
        let server = self.server, pending = self.pending
        Task {
            await server.connected(session) { await Self.close(channel, code: .goingAway, reason: "replaced by a new connection") }
            for await text in messages {
                await session.receive(text)
                pending.done()
            }
            await server.disconnected(session)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text:
            guard pending.admit(below: Self.maxPending) else {
                refuse(context, .policyViolation, "more than \(Self.maxPending) messages waiting for answers")
                return
            }
            var data = frame.unmaskedData
            inbound?.yield(data.readString(length: data.readableBytes) ?? "")
        case .binary:
            refuse(context, .unacceptableData, "OCPP-J messages are text")
        case .ping:
            let pong = WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)
            context.writeAndFlush(wrapOutboundOut(pong), promise: nil)
        case .connectionClose:
            // Return the station's close (its code, when it gave one) and end the connection.
            var data = frame.unmaskedData
            let code = data.readWebSocketErrorCode() ?? .normalClosure
            refuse(context, code, "")
        default:
            break
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        inbound?.finish()
        inbound = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        server.logger.warning("OCPP: \(identity): \(error)")
        context.close(promise: nil)
    }

    /// Sends a close frame with `code` and closes the connection (once).
    private func refuse(_ context: ChannelHandlerContext, _ code: WebSocketErrorCode, _ reason: String) {
        guard !closing else { return }
        closing = true
        if !reason.isEmpty { server.logger.warning("OCPP: \(identity) closed: \(reason)") }
        var data = context.channel.allocator.buffer(capacity: 2 + reason.utf8.count)
        data.write(webSocketErrorCode: code)
        data.writeString(reason)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: data)))
            .whenComplete { _ in channel.close(promise: nil) }
    }

    /// Closes `channel` from outside its pipeline with a close frame first.
    static func close(_ channel: any Channel, code: WebSocketErrorCode, reason: String) async {
        var data = channel.allocator.buffer(capacity: 2 + reason.utf8.count)
        data.write(webSocketErrorCode: code)
        data.writeString(reason)
        try? await channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .connectionClose, data: data))
        try? await channel.close()
    }
}

/// Messages of one connection read and not yet handled, shared by its event loop and its session's task.
final class PendingCount: Sendable {
    private let count = Mutex(0)

    /// Counts one more unless `limit` are already waiting.
    func admit(below limit: Int) -> Bool {
        count.withLock { n in
            guard n < limit else { return false }
            n += 1
            return true
        }
    }

    func done() { count.withLock { $0 -= 1 } }
}
