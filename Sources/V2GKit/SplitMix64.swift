/// A seeded random number generator (SplitMix64): the same seed gives the same sequence on every platform.
///
/// Scenario generators, the demo and tests use it so that a run is reproducible from its seed.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform integer in the closed range, by modulo reduction (its tiny bias is irrelevant to scenarios, and
    /// unlike `Int64.random(in:using:)` the value is fixed by the seed across Swift versions).
    public mutating func int<T: FixedWidthInteger>(_ range: ClosedRange<T>) -> T {
        let span = UInt64(truncatingIfNeeded: range.upperBound &- range.lowerBound) &+ 1
        let offset = span == 0 ? next() : next() % span
        return range.lowerBound &+ T(truncatingIfNeeded: offset)
    }
}
