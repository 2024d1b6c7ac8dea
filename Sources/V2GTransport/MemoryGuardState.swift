/// Where the peer's memory guard stands (`PeerLoop.guardMemory`).
struct MemoryGuardState {
    var nextCheck = ContinuousClock.now
    /// Connections were cut; hand freed memory back at the next check.
    var trimDue = false
    /// Memory was handed back; see at the next check whether it fell below the limit.
    var verifyAfterTrim = false
    /// Memory stayed past the limit with every connection cut: not the network's, so no more cuts until it
    /// falls below.
    var suspended = false
}
