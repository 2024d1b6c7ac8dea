import Foundation

/// Times as OCPP writes them: RFC 3339, UTC, whole seconds.
enum RFC3339 {
    static func string(_ unixSeconds: Int64) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: Date(timeIntervalSince1970: TimeInterval(unixSeconds)))
    }
}
