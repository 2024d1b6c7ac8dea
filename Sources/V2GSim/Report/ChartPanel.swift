import FoundationEssentials

/// Several charts laid out in one SVG document as panels (a), (b), (c)…, like a paper's multi-part figure.
///
/// ```swift
/// let figure = ChartPanel([welfare, revenue, phases], title: "Fig. 4")
/// let svg = figure.render()
/// ```
public struct ChartPanel: Sendable {
    /// The panels, laid out row by row.
    public var charts: [SVGChart]
    /// How many panels share a row.
    public var columns: Int
    /// The figure title above all panels (empty for none).
    public var title: String
    /// Whether each panel's title starts with "(a)", "(b)", ….
    public var labelsPanels: Bool

    /// A figure of `charts`, all in one row unless `columns` says otherwise.
    /// - Parameters:
    ///   - charts: The panels; the brief's figures have 2–4.
    ///   - columns: Panels per row (default: all in one row).
    ///   - title: A title over the whole figure.
    ///   - labelsPanels: Whether panel titles get "(a)", "(b)", … prefixes.
    public init(_ charts: [SVGChart], columns: Int? = nil, title: String = "", labelsPanels: Bool = true) {
        self.charts = charts
        self.columns = max(1, columns ?? charts.count)
        self.title = title
        self.labelsPanels = labelsPanels
    }

    /// The label of panel `index`: "(a)" … "(z)", then "(27)" and on.
    static func label(_ index: Int) -> String {
        index < 26 ? "(\(Character(UnicodeScalar(UInt8(97 + index)))))" : "(\(index + 1))"
    }

    /// The figure as a standalone SVG document.
    public func render() -> String {
        let titleHeight = title.isEmpty ? 0.0 : 30.0
        let rowCount = (charts.count + columns - 1) / columns
        var columnWidths = [Double](repeating: 0, count: min(columns, max(1, charts.count)))
        var rowHeights = [Double](repeating: 0, count: rowCount)
        for (index, chart) in charts.enumerated() {
            columnWidths[index % columns] = max(columnWidths[index % columns], chart.width)
            rowHeights[index / columns] = max(rowHeights[index / columns], chart.height)
        }
        let width = max(columnWidths.reduce(0, +), 100)
        let height = rowHeights.reduce(0, +) + titleHeight

        var svg = SVGWriter()
        if !title.isEmpty {
            svg.text(title, ["class": "figure-title", "x": width / 2, "y": 21, "font-size": 16, "font-weight": "bold",
                             "text-anchor": "middle", "fill": "#222222"])
        }
        var y = titleHeight
        for row in 0..<rowCount {
            var x = 0.0
            for column in 0..<columns {
                let index = row * columns + column
                guard index < charts.count else { break }
                var chart = charts[index]
                if labelsPanels {
                    chart.title = chart.title.isEmpty ? Self.label(index) : "\(Self.label(index)) \(chart.title)"
                }
                svg.open("g", ["class": "panel", "id": "panel-\(index + 1)",
                               "transform": "translate(\(NumberText.coordinate(x)) \(NumberText.coordinate(y)))"])
                svg.raw(chart.renderBody(idPrefix: "panel-\(index + 1)"))
                svg.close("g")
                x += columnWidths[column]
            }
            y += rowHeights[row]
        }
        let documentTitle = title.isEmpty ? charts.map(\.title).joined(separator: "; ") : title
        return SVGWriter.document(width: width, height: height, title: documentTitle, body: svg.markup)
    }
}
