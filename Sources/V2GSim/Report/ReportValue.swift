import FoundationEssentials
import Glibc

/// One cell of a CSV or Markdown table: text, an integer, a real number, or nothing.
public enum ReportValue: Sendable, Hashable {
    /// Text, written as is (CSV quotes it when needed).
    case string(String)
    /// An integer.
    case int(Int)
    /// A real number; CSV writes it so that it reads back to the same `Double`.
    case double(Double)
    /// An empty cell.
    case missing

    /// The number this value holds, if it is `.int` or `.double`.
    public var number: Double? {
        switch self {
        case .int(let value): return Double(value)
        case .double(let value): return value
        case .string, .missing: return nil
        }
    }

    /// The text of a CSV field (before quoting): doubles round-trip, integral doubles have no ".0".
    public var csvText: String {
        switch self {
        case .string(let text): return text
        case .int(let value): return String(value)
        case .double(let value): return NumberText.roundTrip(value)
        case .missing: return ""
        }
    }

    /// The text shown to a reader: doubles rounded to `significantDigits` significant digits.
    public func displayText(significantDigits: Int = 4) -> String {
        switch self {
        case .string(let text): return text
        case .int(let value): return String(value)
        case .double(let value): return NumberText.display(value, significantDigits: significantDigits)
        case .missing: return ""
        }
    }
}

extension ReportValue: ExpressibleByStringInterpolation, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
}

/// Number-to-text conversions shared by the CSV, JSON, Markdown and SVG writers.
enum NumberText {
    /// The shortest text that reads back to exactly `value`; integral values have no fraction part.
    ///
    /// Non-finite values are written `NaN`, `inf` and `-inf` (what pandas and Python read).
    static func roundTrip(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return value.description
    }

    /// `value` with `decimals` digits after the point, never "-0".
    static func fixed(_ value: Double, decimals: Int) -> String {
        let text = String(cFormat: "%.\(max(0, decimals))f", value)
        return text.hasPrefix("-") && text.dropFirst().allSatisfy({ $0 == "0" || $0 == "." }) ? String(text.dropFirst()) : text
    }

    /// `value` rounded to `significantDigits` significant digits, in plain notation unless tiny or huge.
    static func display(_ value: Double, significantDigits: Int) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-∞" : "∞" }
        if value == 0 { return "0" }
        let digits = max(1, significantDigits)
        let magnitude = abs(value)
        if value == value.rounded(), magnitude < 1e15 { return String(Int64(value)) }
        if magnitude >= 1e15 || magnitude < 1e-4 { return scientific(value, fractionDigits: digits - 1) }
        if magnitude >= pow(10, Double(digits)) { return fixed(value, decimals: 0) }
        return String(cFormat: "%.\(digits)g", value)
    }

    /// `value` as `m.mmme±x` with the exponent written without padding (`2.5e6`, `1e-7`).
    static func scientific(_ value: Double, fractionDigits: Int) -> String {
        let text = String(cFormat: "%.\(max(0, fractionDigits))e", value)
        guard let e = text.firstIndex(of: "e") else { return text }
        var mantissa = String(text[..<e])
        if mantissa.contains(".") {
            while mantissa.hasSuffix("0") { mantissa.removeLast() }
            if mantissa.hasSuffix(".") { mantissa.removeLast() }
        }
        var exponent = text[text.index(after: e)...]
        var sign = ""
        if exponent.first == "-" { sign = "-" }
        if exponent.first == "-" || exponent.first == "+" { exponent = exponent.dropFirst() }
        let digits = exponent.drop(while: { $0 == "0" })
        return "\(mantissa)e\(sign)\(digits.isEmpty ? "0" : String(digits))"
    }

    /// An SVG coordinate: at most two decimals, no trailing zeros.
    static func coordinate(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let rounded = (value * 100).rounded() / 100
        if rounded == rounded.rounded(), abs(rounded) < 1e15 { return String(Int64(rounded)) }
        var text = fixed(rounded, decimals: 2)
        while text.hasSuffix("0") { text.removeLast() }
        return text
    }
}
