/// What a demo run found (`v2g demo --summary` writes it).
public struct DemoSummary: Codable, Sendable {
    public struct Campus: Codable, Sendable {
        public var name: String
        public var nodes: Int
        public var identical: Bool
        public var boeHeight: UInt64
        public var boevHeight: UInt64
    }
    public struct Node: Codable, Sendable {
        public var name: String
        public var campus: String
        public var role: String
        public var verified: Bool
        public var heights: [String: UInt64]
    }
    public struct Attack: Codable, Sendable {
        public var sent: RogueMember.Sent
        public var malformed, oversize, unknownType, poolNotMember, poolReplay, duplicates, blocksRejected, blocksStale: Int
        public var unexpected, badEnvelope, connectionsCut: Int
        /// The attacked node's resident memory (MiB, from /proc) before the attack, right after it, and when the
        /// rounds ended; nil where /proc is not there.
        public var residentMiB: [Int]?
        /// What the attacked node's log grew by from the attack until the rounds ended, and over how long.
        public var logBytes: Int?
        public var logSeconds: Double?
    }
    public var rounds: [RoundLine]
    public var attack: Attack?
    public var campuses: [Campus] = []
    public var bocsIdentical = false
    public var bocsHeight: UInt64 = 0
    public var intruderRefused: Int?
    public var nodes: [Node] = []
    public var failures: [String] = []
    public var seconds = 0.0
}
