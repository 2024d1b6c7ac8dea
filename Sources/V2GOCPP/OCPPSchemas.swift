/// The official schemas of the messages the gateway handles, read once per version.
public enum OCPPSchemas {
    /// The actions whose requests and responses are checked; any other action is answered `NotImplemented`.
    public static let actions: Set<String> = Set(v21.keys.compactMap { $0.hasSuffix("Request") ? String($0.dropLast(7)) : nil })

    private static let parsed201 = parseAll(v201)
    private static let parsed21 = parseAll(v21)

    /// The schema of `action`'s request (or response) in `version`; nil for an action the gateway does not handle.
    public static func schema(_ action: String, response: Bool = false, version: OCPPVersion) -> JSONSchema? {
        (version == .v21 ? parsed21 : parsed201)[action + (response ? "Response" : "Request")]
    }

    private static func parseAll(_ texts: [String: String]) -> [String: JSONSchema] {
        texts.compactMapValues { JSONSchema($0) }
    }
}
