import V2GKit
import V2GLedger

/// What the cross-campus step of a round did, as the BoCS orderer saw it.
public struct CrossCampusReport: Sendable {
    public var round: UInt64
    /// Campuses whose surplus was sealed, and those that had not posted one by the deadline.
    public var campuses: [String] = []
    public var missing: Set<String> = []
    public var requests = 0
    public var offers = 0
    /// SRET's allocation over the pooled surplus; nil if there was nothing to allocate.
    public var result: MatchResult?
    public var inputs: RoundInputs?
    public var blocks: [Block] = []
    /// Collecting the surpluses; sealing them; SRET; recording (every CS re-executes and endorses).
    public var collect: Duration = .zero
    public var seal: Duration = .zero
    public var allocate: Duration = .zero
    public var record: Duration = .zero
    public var total: Duration { collect + seal + allocate + record }
}
