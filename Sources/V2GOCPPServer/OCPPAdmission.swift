import NIOHTTP1
import V2GOCPP

/// Whether an HTTP request may become a station's OCPP-J WebSocket: the path names a valid station identity
/// (`/ocpp/{stationId}`), its Basic password is right, and it offers a subprotocol the gateway speaks.
struct OCPPAdmission: Sendable {
    /// Why a request is refused, with the HTTP answer it gets.
    enum Refusal: Equatable {
        case notAStation
        case wrongPassword(station: String)
        case noSubprotocol(station: String, offered: String)
        /// Admitted, but the request is not a valid WebSocket upgrade.
        case notAnUpgrade(station: String)

        var status: HTTPResponseStatus {
            switch self {
            case .notAStation: .notFound
            case .wrongPassword: .unauthorized
            case .noSubprotocol, .notAnUpgrade: .badRequest
            }
        }

        /// The answer's body, one line.
        var reason: String {
            switch self {
            case .notAStation: "not a charging station's OCPP endpoint (expected /ocpp/{stationId})"
            case .wrongPassword: "wrong or missing password"
            case .noSubprotocol: "no supported OCPP subprotocol (ocpp2.1, ocpp2.0.1) offered"
            case .notAnUpgrade: "expected a WebSocket upgrade (Upgrade: websocket, Sec-WebSocket-Key, Sec-WebSocket-Version: 13)"
            }
        }

        /// The gateway's log line; nil where the request named no station.
        var logLine: String? {
            switch self {
            case .notAStation: nil
            case .wrongPassword(let station): "OCPP: \(station) refused: wrong or missing password"
            case .noSubprotocol(let station, let offered): "OCPP: \(station) refused: offered \"\(offered)\", not ocpp2.1 or ocpp2.0.1"
            case .notAnUpgrade(let station): "OCPP: \(station) refused: not a WebSocket upgrade"
            }
        }
    }

    /// What `check` decided: the subprotocol to answer with, or why not.
    struct Verdict {
        var version: OCPPVersion?
        var refusal: Refusal?
    }

    let credentials: StationCredentials

    func check(_ head: HTTPRequestHead) -> Verdict {
        guard let station = Self.station(in: head.uri) else { return Verdict(refusal: .notAStation) }
        guard credentials.admits(station, authorization: head.headers.first(name: "Authorization")) else {
            return Verdict(refusal: .wrongPassword(station: station))
        }
        let offered = head.headers[canonicalForm: "Sec-WebSocket-Protocol"].joined(separator: ",")
        guard let version = OCPPVersion.negotiate(offered) else {
            return Verdict(refusal: .noSubprotocol(station: station, offered: offered))
        }
        return Verdict(version: version)
    }

    /// The station identity a request's path names (`/ocpp/{stationId}`, no query), if it is a valid one.
    static func station(in uri: String) -> String? {
        let prefix = "/ocpp/"
        guard uri.hasPrefix(prefix) else { return nil }
        let station = String(uri.dropFirst(prefix.count))
        return StationIdentity.isValid(station) ? station : nil
    }
}
