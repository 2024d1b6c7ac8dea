import Logging
import NIOCore
import NIOHTTP1

/// Answers an HTTP request that did not become a WebSocket (the upgrader passes those on) with the status
/// that says why, logs it, and closes the connection: the endpoint serves nothing else.
final class UpgradeRefusal: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart
    static let name = "v2g-upgrade-refusal"

    private let admission: OCPPAdmission
    private let logger: Logger
    private var refusal: OCPPAdmission.Refusal?

    init(admission: OCPPAdmission, logger: Logger) {
        self.admission = admission
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            let verdict = admission.check(head)
            let upgrade = head.headers[canonicalForm: "Upgrade"].contains { $0.lowercased() == "websocket" }
            switch verdict.refusal {
            case .notAStation?, .wrongPassword?: refusal = verdict.refusal
            case let other where upgrade && other != nil: refusal = other
            default: refusal = .notAnUpgrade(station: OCPPAdmission.station(in: head.uri) ?? "")
            }
        case .body:
            break
        case .end:
            guard let refusal else { return }
            self.refusal = nil
            if let line = refusal.logLine { logger.warning("\(line)") }
            var headers: HTTPHeaders = ["Content-Type": "text/plain; charset=utf-8", "Connection": "close"]
            if case .wrongPassword = refusal { headers.add(name: "WWW-Authenticate", value: "Basic realm=\"OCPP\"") }
            let body = context.channel.allocator.buffer(string: refusal.reason + "\n")
            headers.add(name: "Content-Length", value: String(body.readableBytes))
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: refusal.status, headers: headers))),
                          promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
