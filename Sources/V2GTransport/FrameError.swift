/// Why a received frame was dropped.
public enum DropReason: String, CaseIterable, Hashable, Sendable {
    /// No V2GMSG01 header, a body that does not decode, or trailing bytes.
    case malformed
    /// Larger than the application limit of its kind.
    case oversize
    /// A kind this version does not know.
    case unknownType
    /// The wrong number of frames for the socket it came on.
    case badEnvelope
    /// A well-formed message where it has no place: a reply nobody asked for, a request on a reply path.
    case unexpected
}

/// A frame that was not accepted, and why.
public struct FrameError: Error, Equatable, Sendable, CustomStringConvertible {
    public let reason: DropReason
    public let message: String
    public init(_ reason: DropReason, _ message: String) {
        self.reason = reason
        self.message = message
    }
    public var description: String { "\(reason.rawValue): \(message)" }
}
