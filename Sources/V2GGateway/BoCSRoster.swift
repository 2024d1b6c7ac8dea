import V2GLedger

/// The control systems of the BoCS, by campus, and the one that orders its blocks.
public struct BoCSRoster: Sendable {
    public var orderer: PublicKey
    public var campuses: [String: PublicKey]

    public init(orderer: PublicKey, campuses: [String: PublicKey]) {
        self.orderer = orderer
        self.campuses = campuses
    }

    /// Every control system endorses, and all must: a cross-campus result is accepted by every campus.
    public var config: ChannelConfig {
        let keys = campuses.values.sorted()
        var members = [ChannelConfig.Member(key: orderer, role: .orderer, name: "BoCS orderer")]
        members += campuses.sorted { $0.key < $1.key }.flatMap { name, key in
            [ChannelConfig.Member(key: key, role: .controlSystem, name: name), .init(key: key, role: .endorser, name: name)]
        }
        return ChannelConfig(name: "BoCS", orderer: orderer, members: members, endorsementsRequired: UInt32(keys.count),
                             endorsers: keys)
    }
}
