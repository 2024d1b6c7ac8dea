import FoundationEssentials

/// Metric families in the Prometheus text exposition format, version 0.0.4.
struct PrometheusText {
    enum Kind: String { case counter, gauge, histogram }

    private(set) var text = ""

    /// Appends one family: its `# HELP` and `# TYPE` lines, then one line per sample.
    /// - Parameters:
    ///   - name: the metric name (`v2g_…`; counters end in `_total`).
    ///   - samples: label pairs in order, and the value.
    mutating func family(_ name: String, _ kind: Kind, help: String, _ samples: [([(String, String)], Int)]) {
        header(name, kind, help)
        for (labels, value) in samples { line(name, labels, "\(value)") }
    }

    /// A family with one unlabelled sample.
    mutating func family(_ name: String, _ kind: Kind, help: String, value: Int) {
        family(name, kind, help: help, [([], value)])
    }

    /// A family of fractional values (seconds, bytes per second).
    mutating func family(_ name: String, _ kind: Kind, help: String, _ samples: [([(String, String)], Double)]) {
        header(name, kind, help)
        for (labels, value) in samples { line(name, labels, Self.number(value)) }
    }

    /// A histogram family: per label set, cumulative `_bucket` lines up to `+Inf`, then `_sum` and `_count`.
    mutating func histogram(_ name: String, help: String, _ series: [([(String, String)], Histogram)]) {
        header(name, .histogram, help)
        for (labels, h) in series {
            var cumulative = 0
            for (bound, count) in zip(h.bounds, h.counts) {
                cumulative += count
                line(name + "_bucket", labels + [("le", Self.number(bound))], "\(cumulative)")
            }
            line(name + "_bucket", labels + [("le", "+Inf")], "\(h.count)")
            line(name + "_sum", labels, Self.number(h.sum))
            line(name + "_count", labels, "\(h.count)")
        }
    }

    private mutating func header(_ name: String, _ kind: Kind, _ help: String) {
        text += "# HELP \(name) \(help.replacing("\\", with: "\\\\").replacing("\n", with: "\\n"))\n"
        text += "# TYPE \(name) \(kind.rawValue)\n"
    }

    private mutating func line(_ name: String, _ labels: [(String, String)], _ value: String) {
        let rendered = labels.map { "\($0.0)=\"\(Self.escape($0.1))\"" }.joined(separator: ",")
        text += rendered.isEmpty ? "\(name) \(value)\n" : "\(name){\(rendered)} \(value)\n"
    }

    /// A value as Prometheus reads it: integers without a fraction, others with up to 9 significant digits.
    static func number(_ x: Double) -> String {
        if x.isInfinite { return x > 0 ? "+Inf" : "-Inf" }
        if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
        return String(cFormat: "%.9g", x)
    }

    static func escape(_ value: String) -> String {
        value.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"")
            .replacing("\n", with: "\\n")
    }

    /// A label value in the exposition's convention: `badSignature` becomes `bad_signature`.
    static func snake(_ value: String) -> String {
        var out = ""
        for c in value {
            if c.isUppercase {
                if !out.isEmpty { out.append("_") }
                out += c.lowercased()
            } else {
                out.append(c)
            }
        }
        return out
    }
}

/// Observations counted into fixed buckets (upper bounds, ascending), with their sum.
struct Histogram {
    let bounds: [Double]
    private(set) var counts: [Int]
    private(set) var sum = 0.0
    private(set) var count = 0

    init(bounds: [Double]) {
        self.bounds = bounds
        counts = Array(repeating: 0, count: bounds.count)
    }

    mutating func observe(_ x: Double) {
        if let k = bounds.firstIndex(where: { x <= $0 }) { counts[k] += 1 }
        sum += x
        count += 1
    }

    /// Buckets for round phases, in seconds: 5 ms to 2 minutes.
    static let phaseBounds: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120]
}
