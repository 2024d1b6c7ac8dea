import Foundation

/// Metric families in the Prometheus text exposition format, version 0.0.4.
struct PrometheusText {
    enum Kind: String { case counter, gauge }

    private(set) var text = ""

    /// Appends one family: its `# HELP` and `# TYPE` lines, then one line per sample.
    /// - Parameters:
    ///   - name: the metric name (`v2g_…`; counters end in `_total`).
    ///   - samples: label pairs in order, and the value.
    mutating func family(_ name: String, _ kind: Kind, help: String, _ samples: [([(String, String)], Int)]) {
        text += "# HELP \(name) \(help.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n"))\n"
        text += "# TYPE \(name) \(kind.rawValue)\n"
        for (labels, value) in samples {
            let rendered = labels.map { "\($0.0)=\"\(Self.escape($0.1))\"" }.joined(separator: ",")
            text += rendered.isEmpty ? "\(name) \(value)\n" : "\(name){\(rendered)} \(value)\n"
        }
    }

    /// A family with one unlabelled sample.
    mutating func family(_ name: String, _ kind: Kind, help: String, value: Int) {
        family(name, kind, help: help, [([], value)])
    }

    /// A gauge family of fractional values (seconds).
    mutating func gauge(_ name: String, help: String, _ samples: [([(String, String)], Double)]) {
        text += "# HELP \(name) \(help)\n"
        text += "# TYPE \(name) gauge\n"
        for (labels, value) in samples {
            let rendered = labels.map { "\($0.0)=\"\(Self.escape($0.1))\"" }.joined(separator: ",")
            text += "\(name){\(rendered)} \(String(format: "%.6f", value))\n"
        }
    }

    static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}
