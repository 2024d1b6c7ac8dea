import FoundationEssentials
import Glibc

/// Evenly spaced axis ticks at "nice" steps (1, 2 or 5 × 10^k) with labels free of float noise.
///
/// ```swift
/// let scale = NiceScale(lower: 0, upper: 7.3)
/// scale.ticks   // [0, 2, 4, 6, 8]
/// scale.labels  // ["0", "2", "4", "6", "8"]
/// ```
public struct NiceScale: Sendable, Equatable {
    /// The low end of the axis.
    public let lower: Double
    /// The high end of the axis.
    public let upper: Double
    /// The distance between neighbouring ticks.
    public let step: Double
    /// The tick values, ascending, each within `lower...upper`.
    public let ticks: [Double]
    /// One label per tick, all with the decimals the step needs (`0.0, 0.1, 0.2, 0.3`, never `0.30000000000000004`);
    /// scientific (`2.5e6`) when the largest tick is at least 10^6 or below 10^-4.
    public let labels: [String]

    /// A scale that covers `lower...upper`, widened outwards to whole steps.
    ///
    /// An empty range (`lower == upper`) is widened around the value; non-finite bounds count as 0.
    /// - Parameters:
    ///   - lower: The smallest value to show.
    ///   - upper: The largest value to show.
    ///   - targetTickCount: How many ticks to aim for; the nice step giving the nearest count wins.
    ///   - includesZero: Whether the axis must reach 0 (bar charts, or "y starts at 0").
    public init(lower: Double, upper: Double, targetTickCount: Int = 6, includesZero: Bool = false) {
        var (lo, hi) = Self.sanitized(lower, upper)
        if includesZero { lo = min(lo, 0); hi = max(hi, 0) }
        if lo == hi {
            if lo == 0 {
                hi = 1
            } else {
                let pad = pow(10, (log10(abs(lo))).rounded(.down))
                lo -= pad
                hi += pad
                if lo == hi { hi = lo + 1 }  // pad lost to rounding near ±1e300
            }
        }
        let (step, mantissa, exponent) = Self.niceStep(lo, hi, targetTickCount: targetTickCount, outward: true)
        let first = (lo / step + 1e-9).rounded(.down)
        let last = (hi / step - 1e-9).rounded(.up)
        self.init(lower: Self.tick(first, mantissa, exponent), upper: Self.tick(last, mantissa, exponent),
                  step: step, mantissa: mantissa, exponent: exponent, first: first, last: last)
    }

    /// A scale whose ends are exactly `range`, with nice ticks inside it (for an axis range the caller fixed).
    /// - Parameters:
    ///   - range: The axis range; an empty range is widened as in ``init(lower:upper:targetTickCount:includesZero:)``.
    ///   - targetTickCount: About how many ticks to aim for (at least 2).
    public init(exactly range: ClosedRange<Double>, targetTickCount: Int = 6) {
        let (lo, hi) = Self.sanitized(range.lowerBound, range.upperBound)
        guard lo < hi else {
            self.init(lower: lo, upper: hi, targetTickCount: targetTickCount)
            return
        }
        let (step, mantissa, exponent) = Self.niceStep(lo, hi, targetTickCount: targetTickCount, outward: false)
        let first = (lo / step - 1e-9).rounded(.up)
        let last = (hi / step + 1e-9).rounded(.down)
        self.init(lower: lo, upper: hi, step: step, mantissa: mantissa, exponent: exponent, first: first, last: last)
    }

    private init(lower: Double, upper: Double, step: Double, mantissa: Double, exponent: Int, first: Double, last: Double) {
        self.lower = lower
        self.upper = upper
        self.step = step
        let ticks = first <= last ? stride(from: first, through: last, by: 1).map { Self.tick($0, mantissa, exponent) } : []
        self.ticks = ticks
        self.labels = Self.labels(for: ticks, exponent: exponent)
    }

    /// Where `value` falls on the axis: 0 at `lower`, 1 at `upper`.
    public func fraction(of value: Double) -> Double {
        upper > lower ? (value - lower) / (upper - lower) : 0.5
    }

    // MARK: - Helpers

    private static func sanitized(_ a: Double, _ b: Double) -> (Double, Double) {
        let limit = 1e300
        let x = a.isFinite ? min(max(a, -limit), limit) : 0
        let y = b.isFinite ? min(max(b, -limit), limit) : 0
        return (min(x, y), max(x, y))
    }

    /// The step of the form {1, 2, 5} × 10^k whose ticks over `lo...hi` come closest to `targetTickCount`
    /// while wasting little of the axis; `outward` widens the range to whole steps, otherwise ticks stay inside it.
    private static func niceStep(_ lo: Double, _ hi: Double, targetTickCount: Int,
                                 outward: Bool) -> (step: Double, mantissa: Double, exponent: Int) {
        let target = max(2, targetTickCount)
        let centre = Int(log10((hi - lo) / Double(target - 1)).rounded(.down))
        var best: (step: Double, mantissa: Double, exponent: Int, miss: Double)?
        for exponent in (centre - 1)...(centre + 1) {
            for mantissa in [1.0, 2, 5] {
                let step = tick(1, mantissa, exponent)
                let count = outward ? (hi / step - 1e-9).rounded(.up) - (lo / step + 1e-9).rounded(.down) + 1
                                    : (hi / step + 1e-9).rounded(.down) - (lo / step - 1e-9).rounded(.up) + 1
                guard count >= 2 else { continue }
                // Missing the target by one tick costs as much as leaving half the axis empty.
                let span = outward ? (count - 1) * step : hi - lo
                let miss = abs(count - Double(target)) + 2 * (span - (hi - lo)) / span
                if best == nil || miss < best!.miss - 1e-9 { best = (step, mantissa, exponent, miss) }
            }
        }
        if let best { return (best.step, best.mantissa, best.exponent) }
        // Even the finest candidate puts fewer than two ticks inside a fixed range.
        return (tick(1, 1, centre - 1), 1, centre - 1)
    }

    /// `index × mantissa × 10^exponent`, computed so that 3 × 0.1 comes out as 0.3.
    private static func tick(_ index: Double, _ mantissa: Double, _ exponent: Int) -> Double {
        let value = exponent >= 0 ? index * mantissa * pow(10, Double(exponent))
                                  : index * mantissa / pow(10, Double(-exponent))
        return value == 0 ? 0 : value
    }

    private static func labels(for ticks: [Double], exponent: Int) -> [String] {
        let largest = ticks.map(abs).max() ?? 0
        if largest >= 1e6 || (largest > 0 && largest < 1e-4) {
            let leading = largest > 0 ? Int(log10(largest).rounded(.down)) : exponent
            return ticks.map { $0 == 0 ? "0" : NumberText.scientific($0, fractionDigits: max(0, leading - exponent)) }
        }
        return ticks.map { NumberText.fixed($0, decimals: max(0, -exponent)) }
    }
}
