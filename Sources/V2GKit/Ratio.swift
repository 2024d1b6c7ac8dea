/// A ratio in parts per million, as the C core computes with (1 000 000 = 1.0).
public struct Ratio: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Parts per million.
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }
    /// A ratio from parts per million.
    public init(ppm: Int32) { self.rawValue = ppm }

    public static let one = Ratio(ppm: 1_000_000)
    public static let zero = Ratio(ppm: 0)

    /// True for ratios within [0, 1], the only ones penalty lists accept.
    public var isUnitInterval: Bool { rawValue >= 0 && rawValue <= Ratio.one.rawValue }
    public static func < (lhs: Ratio, rhs: Ratio) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { String(Double(rawValue) / 1e6) }
}
