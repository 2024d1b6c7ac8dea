import FoundationEssentials

/// A table of named columns and rows of values, written as RFC 4180 CSV.
///
/// ```swift
/// var table = CSVTable(columns: ["evs", "mechanism", "welfare"])
/// table.append([10, "RET", 41.5])
/// let csv = table.render()   // "evs,mechanism,welfare\r\n10,RET,41.5\r\n"
/// ```
///
/// Fields holding a comma, a double quote, CR or LF, or starting or ending with a space, are quoted and
/// their quotes doubled. Doubles are written with the fewest digits that read back to the same value,
/// and without a fraction when integral (`3`, not `3.0`); NaN and infinities are written `NaN`, `inf`, `-inf`.
public struct CSVTable: Sendable, Hashable {
    /// The line break between records.
    public enum LineEnding: String, Sendable {
        /// CR LF, as RFC 4180 prescribes.
        case crlf = "\r\n"
        /// LF alone.
        case lf = "\n"
    }

    /// The column names, written as the header record.
    public let columns: [String]
    /// The rows, each as long as `columns`.
    public private(set) var rows: [[ReportValue]] = []
    /// The line break written after every record (default CR LF).
    public var lineEnding = LineEnding.crlf

    /// An empty table with the given header.
    public init(columns: [String]) {
        self.columns = columns
    }

    /// A table with the given header and rows.
    /// - Precondition: every row has one value per column.
    public init(columns: [String], rows: [[ReportValue]]) {
        self.columns = columns
        for row in rows { append(row) }
    }

    /// Adds a row.
    /// - Precondition: `row` has one value per column.
    public mutating func append(_ row: [ReportValue]) {
        precondition(row.count == columns.count, "CSV row has \(row.count) values for \(columns.count) columns")
        rows.append(row)
    }

    /// The table as CSV text: a header record, then one record per row, each ended by `lineEnding`.
    public func render() -> String {
        var text = Self.record(columns, lineEnding)
        for row in rows { text += Self.record(row.map(\.csvText), lineEnding) }
        return text
    }

    /// One field, quoted when RFC 4180 requires it (or when spaces at either end would be lost by lenient readers).
    public static func field(_ text: String) -> String {
        let needsQuotes = text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" })
            || text.first == " " || text.last == " "
        guard needsQuotes else { return text }
        return "\"" + text.replacing("\"", with: "\"\"") + "\""
    }

    private static func record(_ fields: [String], _ lineEnding: LineEnding) -> String {
        // A lone empty field is quoted, or the record would be a blank line that readers skip.
        if fields == [""] { return "\"\"" + lineEnding.rawValue }
        return fields.map(field).joined(separator: ",") + lineEnding.rawValue
    }
}
