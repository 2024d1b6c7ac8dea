internal import CV2G

/// An error from V2GKit: the C core's status code and a readable message.
public struct V2GError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The C status code (`V2G_E_…`); checks made in Swift use the same codes.
    public let code: Code
    /// What went wrong, in words a user can act on.
    public let message: String

    /// A status code of the C core.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }

        public static let null = Code(rawValue: V2G_E_NULL)
        public static let invalid = Code(rawValue: V2G_E_INVALID)
        public static let negative = Code(rawValue: V2G_E_NEGATIVE)
        public static let duplicate = Code(rawValue: V2G_E_DUPLICATE)
        public static let overflow = Code(rawValue: V2G_E_OVERFLOW)
        public static let workspace = Code(rawValue: V2G_E_WORKSPACE)
        public static let infeasible = Code(rawValue: V2G_E_INFEASIBLE)
        public static let nan = Code(rawValue: V2G_E_NAN)
        public static let window = Code(rawValue: V2G_E_WINDOW)
        public static let certificate = Code(rawValue: V2G_E_CERTIFICATE)
        public static let range = Code(rawValue: V2G_E_RANGE)

        /// The C core's name for the code (`v2g_strerror`).
        public var description: String { String(cString: v2g_strerror(rawValue)) }
    }

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    /// An error for a C status, with what was being done.
    init(status: Int32, while context: String) {
        self.init(code: Code(rawValue: status), message: "\(context): \(Code(rawValue: status).description)")
    }

    public var description: String { message }
}

/// Throws a ``V2GError`` unless the C call returned `V2G_OK`.
@inline(__always)
func check(_ status: Int32, _ context: @autoclosure () -> String) throws(V2GError) {
    if status != V2G_OK { throw V2GError(status: status, while: context()) }
}

/// The C core's version, `"MAJOR.MINOR.PATCH"`.
public let coreVersion: String = String(cString: v2g_version_string())
