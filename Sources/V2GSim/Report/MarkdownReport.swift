import FoundationEssentials

/// A Markdown document (`report.md`) built from headings, paragraphs, tables, figures and comparisons.
///
/// ```swift
/// var report = MarkdownReport(title: "Fig. 4: social welfare")
/// report.paragraph("50 EVs, 100 rounds, seed 7.")
/// report.image("fig4.svg", alt: "Social welfare against the number of EVs")
/// report.comparisonTable([
///     .init(quantity: "Welfare at 50 EVs (€)", source: "Fig. 4a", published: 212, measured: 208.4, note: "read off the plot"),
/// ])
/// try writer.write(report.render(), to: "report.md")
/// ```
public struct MarkdownReport: Sendable {
    /// How a table column's cells are aligned.
    public enum Alignment: Sendable {
        case left, center, right

        var marker: String {
            switch self {
            case .left: return ":---"
            case .center: return ":---:"
            case .right: return "---:"
            }
        }
    }

    /// A table column: a header and an alignment.
    public struct Column: Sendable, ExpressibleByStringLiteral {
        public var title: String
        public var alignment: Alignment

        public init(_ title: String, alignment: Alignment = .left) {
            self.title = title
            self.alignment = alignment
        }

        public init(stringLiteral title: String) { self.init(title) }
    }

    /// One row of a comparison with a published result.
    public struct Comparison: Sendable {
        /// What is compared, with its unit ("Social welfare at 50 EVs (€)").
        public var quantity: String
        /// Where the published value comes from ("Fig. 4a", "Table II").
        public var source: String
        /// The published value: a number, or text such as "≈ 0.6 (read off the plot)".
        public var published: ReportValue
        /// The value this implementation measured.
        public var measured: ReportValue
        /// Anything a reader needs to judge the difference.
        public var note: String

        public init(quantity: String, source: String, published: ReportValue, measured: ReportValue, note: String = "") {
            self.quantity = quantity
            self.source = source
            self.published = published
            self.measured = measured
            self.note = note
        }

        /// `measured − published`, when both are numbers.
        public var difference: Double? {
            guard let published = published.number, let measured = measured.number else { return nil }
            return measured - published
        }

        /// `(measured − published) / |published|`, when both are numbers and the published value is not 0.
        public var relativeDifference: Double? {
            guard let difference, let published = published.number, published != 0 else { return nil }
            return difference / abs(published)
        }
    }

    /// Significant digits of doubles in tables (default 4).
    public var significantDigits = 4
    private var blocks: [String] = []

    /// An empty report, with a level-1 heading if `title` is given.
    public init(title: String? = nil) {
        if let title { heading(title, level: 1) }
    }

    /// Adds a heading; `level` is clamped to 1…6.
    public mutating func heading(_ text: String, level: Int = 2) {
        let flat = text.replacing("\r\n", with: " ").replacing("\n", with: " ")
        blocks.append(String(repeating: "#", count: min(6, max(1, level))) + " " + flat)
    }

    /// Adds a paragraph; its Markdown markup is kept as written.
    public mutating func paragraph(_ text: String) {
        blocks.append(text)
    }

    /// Adds a bulleted list, one item per string.
    public mutating func bulletList(_ items: [String]) {
        guard !items.isEmpty else { return }
        blocks.append(items.map { "- " + $0.replacing("\n", with: "\n  ") }.joined(separator: "\n"))
    }

    /// Adds a fenced code block (e.g. the command line that produced the results).
    public mutating func codeBlock(_ code: String, language: String = "") {
        var fence = "```"
        while code.contains(fence) { fence += "`" }
        blocks.append(fence + language + "\n" + code + (code.hasSuffix("\n") ? "" : "\n") + fence)
    }

    /// Adds a figure: an image link to `path`, relative to the report (e.g. "fig4.svg").
    /// - Precondition: `path` is relative (no leading "/", no URL scheme).
    public mutating func image(_ path: String, alt: String) {
        precondition(!path.hasPrefix("/") && !path.contains("://"), "image path \(path) must be relative to the report")
        let encoded = path.unicodeScalars.map { scalar -> String in
            switch scalar {
            case " ": return "%20"
            case "(": return "%28"
            case ")": return "%29"
            case "<": return "%3C"
            case ">": return "%3E"
            default: return String(scalar)
            }
        }.joined()
        let altText = alt.replacing("\n", with: " ")
            .replacing("[", with: "\\[").replacing("]", with: "\\]")
        blocks.append("![\(altText)](\(encoded))")
    }

    /// Adds a table.
    /// - Precondition: every row has one value per column.
    public mutating func table(columns: [Column], rows: [[ReportValue]]) {
        guard !columns.isEmpty else { return }
        var lines = ["| " + columns.map { Self.cell($0.title) }.joined(separator: " | ") + " |",
                     "| " + columns.map(\.alignment.marker).joined(separator: " | ") + " |"]
        for row in rows {
            precondition(row.count == columns.count, "table row has \(row.count) values for \(columns.count) columns")
            lines.append("| " + row.map { Self.cell($0.displayText(significantDigits: significantDigits)) }
                .joined(separator: " | ") + " |")
        }
        blocks.append(lines.joined(separator: "\n"))
    }

    /// Adds the table comparing this implementation with published results: quantity, source, published,
    /// this implementation, difference (absolute, and relative when the published value is not 0), note.
    public mutating func comparisonTable(_ comparisons: [Comparison]) {
        let columns: [Column] = ["Quantity", "Source", Column("Published", alignment: .right),
                                 Column("This implementation", alignment: .right),
                                 Column("Difference", alignment: .right), "Note"]
        let rows: [[ReportValue]] = comparisons.map { comparison in
            [.string(comparison.quantity), .string(comparison.source), comparison.published, comparison.measured,
             .string(differenceText(comparison)), .string(comparison.note)]
        }
        table(columns: columns, rows: rows)
    }

    private func differenceText(_ comparison: Comparison) -> String {
        guard let difference = comparison.difference else { return "—" }
        let digits = significantDigits
        func signed(_ value: Double) -> String {
            let text = NumberText.display(value, significantDigits: digits)
            return value > 0 && text != "0" ? "+" + text : text
        }
        guard let relative = comparison.relativeDifference else { return signed(difference) }
        return "\(signed(difference)) (\(signed(relative * 100)) %)"
    }

    /// Escapes a table cell: `|` and line breaks would end the cell or the row.
    private static func cell(_ text: String) -> String {
        text.replacing("|", with: "\\|")
            .replacing("\r\n", with: "<br>").replacing("\n", with: "<br>")
    }

    /// The report as Markdown: blocks separated by blank lines, ending in a newline.
    public func render() -> String {
        blocks.joined(separator: "\n\n") + "\n"
    }
}
