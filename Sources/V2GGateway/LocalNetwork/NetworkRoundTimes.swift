/// One trading round of a network of campuses, timed from the control systems' round lines: each phase at its
/// slowest campus, in milliseconds (what `v2g bench network` reports).
public struct NetworkRoundTimes: Sendable {
    public var collectAndSeal = 0.0, allocate = 0.0, record = 0.0
    /// The cross-campus step (SRET on the BoCS), and the full round: the orderer's campus round and that step.
    public var cross = 0.0, full = 0.0
    /// When every node held the round's blocks, after the round started.
    public var converged = 0.0
    /// Signed transactions per second reaching every node.
    public var throughput = 0.0
    /// `lines` by campus; `orderer` is the campus whose control system orders the BoCS.
    public init(_ lines: [String: RoundLine], orderer: String) {
        let all = Array(lines.values)
        collectAndSeal = all.map { $0.phases.collect + $0.phases.sealInputs }.max() ?? 0
        allocate = all.map(\.phases.allocate).max() ?? 0
        record = all.map(\.phases.record).max() ?? 0
        cross = lines[orderer]?.cross?.phases.total ?? 0
        // The orderer's cross-campus step starts after its own round and waits for the slowest campus.
        full = (lines[orderer]?.phases.total ?? 0) + cross
        converged = all.map { $0.convergedMs ?? .infinity }.max() ?? 0
        throughput = Double(all.map(\.transactions).reduce(0, +)) / max(converged, 1e-9) * 1000
    }
}
