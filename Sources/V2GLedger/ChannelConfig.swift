import V2GKit

// docs/wire-format.md, kind 0.

/// A channel's membership and endorsement policy: the genesis block's only transaction.
public struct ChannelConfig: Payload {
    public static let kind = TransactionKind.config

    public struct Member: Hashable, Sendable {
        public var key: PublicKey
        public var role: Role
        public var name: String
        public init(key: PublicKey, role: Role, name: String) {
            self.key = key
            self.role = role
            self.name = name
        }
    }

    public var name: String
    public var orderer: PublicKey
    public var members: [Member]
    /// k of the policy: endorsements a transaction needs.
    public var endorsementsRequired: UInt32
    /// The n keys whose endorsements count.
    public var endorsers: [PublicKey]

    public init(name: String, orderer: PublicKey, members: [Member], endorsementsRequired: UInt32, endorsers: [PublicKey]) {
        self.name = name
        self.orderer = orderer
        self.members = members
        self.endorsementsRequired = endorsementsRequired
        self.endorsers = endorsers
    }

    public func encode(into w: inout ByteWriter) {
        w.string(name)
        w.key(orderer)
        w.list(members) { w, m in
            w.key(m.key)
            w.u8(m.role.rawValue)
            w.string(m.name)
        }
        w.u32(endorsementsRequired)
        w.list(endorsers) { w, k in w.key(k) }
    }

    public init(from r: inout ByteReader) throws(LedgerError) {
        name = try r.string("channel name")
        orderer = try r.key("orderer")
        members = try r.list("members") { (r) throws(LedgerError) in
            let key = try r.key("member key")
            guard let role = Role(rawValue: try r.u8("role")) else { throw LedgerError(.malformed, "unknown role") }
            return Member(key: key, role: role, name: try r.string("member name"))
        }
        endorsementsRequired = try r.u32("endorsements required")
        endorsers = try r.list("endorsers") { (r) throws(LedgerError) in try r.key("endorser") }
    }

}
