import V2GLedger

/// Who takes part in a campus, by public key only: what every party knows of the others. Its channel configs
/// are those of `CampusNetwork.config`.
public struct CampusRoster: Sendable {
    public var orderer: PublicKey
    public var endorsers: [PublicKey]
    public var endorsementsRequired: Int
    public var exchanges: [String: PublicKey]
    public var evs: [String: PublicKey]

    public init(orderer: PublicKey, endorsers: [PublicKey], endorsementsRequired: Int, exchanges: [String: PublicKey],
                evs: [String: PublicKey]) {
        self.orderer = orderer
        self.endorsers = endorsers
        self.endorsementsRequired = endorsementsRequired
        self.exchanges = exchanges
        self.evs = evs
    }

    /// The config of a channel: the CS orders; exchanges sit on BoE, EVs on BoEV; endorsers on both.
    public func config(_ channel: Channel) -> ChannelConfig {
        var members = [ChannelConfig.Member(key: orderer, role: .orderer, name: "CS"),
                       ChannelConfig.Member(key: orderer, role: .controlSystem, name: "CS")]
        members += endorsers.enumerated().map { ChannelConfig.Member(key: $1, role: .endorser, name: "endorser\($0 + 1)") }
        if channel == .boe { members += exchanges.sorted { $0.key < $1.key }.map { .init(key: $1, role: .exchange, name: $0) } }
        if channel == .boev { members += evs.sorted { $0.key < $1.key }.map { .init(key: $1, role: .ev, name: $0) } }
        return ChannelConfig(name: "\(channel)", orderer: orderer, members: members,
                             endorsementsRequired: UInt32(endorsementsRequired), endorsers: endorsers)
    }

    /// Every key of the campus, sorted: what each node's ZAP handler admits.
    public var members: [PublicKey] {
        Array(Set([orderer] + endorsers + Array(exchanges.values) + Array(evs.values))).sorted()
    }
}
