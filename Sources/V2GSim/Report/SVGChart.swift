import FoundationEssentials
import Glibc

/// A line chart, grouped bar chart or stacked bar chart, rendered to a standalone SVG document.
///
/// ```swift
/// var chart = SVGChart.line(title: "Social welfare", xLabel: "Electric vehicles", yLabel: "Welfare", yUnit: "€",
///                           series: [LineSeries(name: "RET", x: [10, 20, 30], y: [41, 80, 118])])
/// chart.yStartsAtZero = true
/// let svg = chart.render()
/// ```
///
/// The output is UTF-8 XML with a `viewBox`, no scripts and no external fonts. Its elements carry classes
/// that tests and style sheets can select: one `<path class="series">` per line series with a drawable point,
/// one `<circle class="marker">` per drawn marker, one `<rect class="bar">` per finite bar value,
/// one `<path class="error-bar">` per error bar, and one `<g class="legend-item">` per series
/// (holding a `<rect class="legend-swatch">` for bars, or a `<line class="legend-line">` and, with markers,
/// a `<circle class="legend-marker">` for lines). A `<rect class="background">` fills the canvas.
public struct SVGChart: Sendable {
    /// What a chart draws.
    public enum Content: Sendable, Hashable {
        /// Named series of (x, y) points on two numeric axes.
        case line([LineSeries])
        /// For each category, one bar per series side by side; bars start at 0.
        case groupedBars(categories: [String], series: [BarSeries])
        /// For each category, one bar with the series stacked (positive values upwards, negative downwards).
        case stackedBars(categories: [String], series: [BarSeries])
    }

    /// The Okabe–Ito palette, ordered so that the first colours contrast best on white.
    public static let okabeIto = ["#0072B2", "#D55E00", "#009E73", "#E69F00", "#56B4E9", "#CC79A7", "#000000", "#F0E442"]

    /// The data and the kind of chart.
    public var content: Content
    /// The title above the plot (empty for none).
    public var title: String
    /// The x axis label, without unit.
    public var xLabel: String
    /// The x axis unit, shown as "label (unit)" (empty for none).
    public var xUnit: String
    /// The y axis label, without unit.
    public var yLabel: String
    /// The y axis unit, shown as "label (unit)" (empty for none).
    public var yUnit: String
    /// The width of the SVG canvas in pixels.
    public var width: Double = 480
    /// The height of the SVG canvas in pixels.
    public var height: Double = 320
    /// Whether the y axis reaches 0 (always true for bar charts).
    public var yStartsAtZero = false
    /// A fixed y range, overriding the range fitted to the data; data outside it is clipped.
    public var yRange: ClosedRange<Double>?
    /// A fixed x range for line charts; data outside it is clipped.
    public var xRange: ClosedRange<Double>?
    /// Whether the legend is drawn (below the plot).
    public var showsLegend = true
    /// Whether grid lines are drawn at the ticks.
    public var showsGrid = true
    /// Series colours as SVG colour strings, used in turn; defaults to ``okabeIto``.
    public var palette = SVGChart.okabeIto

    /// A chart with the given data and labels; the other properties keep their defaults.
    public init(content: Content, title: String, xLabel: String, xUnit: String = "", yLabel: String, yUnit: String = "") {
        self.content = content
        self.title = title
        self.xLabel = xLabel
        self.xUnit = xUnit
        self.yLabel = yLabel
        self.yUnit = yUnit
    }

    /// A line chart of several named series.
    /// - Parameters:
    ///   - title: The title above the plot.
    ///   - xLabel: The x axis label; `xUnit` is appended in parentheses.
    ///   - yLabel: The y axis label; `yUnit` is appended in parentheses.
    ///   - series: The series, drawn in palette order.
    public static func line(title: String, xLabel: String, xUnit: String = "", yLabel: String, yUnit: String = "",
                            series: [LineSeries]) -> SVGChart {
        SVGChart(content: .line(series), title: title, xLabel: xLabel, xUnit: xUnit, yLabel: yLabel, yUnit: yUnit)
    }

    /// A grouped bar chart: categories along x, one bar per series in each category.
    /// - Precondition: every series has one value per category.
    public static func groupedBars(title: String, xLabel: String, xUnit: String = "", yLabel: String, yUnit: String = "",
                                   categories: [String], series: [BarSeries]) -> SVGChart {
        checkCounts(categories: categories, series: series)
        return SVGChart(content: .groupedBars(categories: categories, series: series), title: title,
                        xLabel: xLabel, xUnit: xUnit, yLabel: yLabel, yUnit: yUnit)
    }

    /// A stacked bar chart, e.g. the share of time spent in each phase.
    /// - Parameters:
    ///   - normalized: Whether each bar is scaled so that its positive values sum to 1 (shares).
    /// - Precondition: every series has one value per category.
    public static func stackedBars(title: String, xLabel: String, xUnit: String = "", yLabel: String, yUnit: String = "",
                                   categories: [String], series: [BarSeries], normalized: Bool = false) -> SVGChart {
        checkCounts(categories: categories, series: series)
        var series = series
        if normalized {
            for category in categories.indices {
                let total = series.reduce(0.0) { $0 + max(0, $1.values[category].isFinite ? $1.values[category] : 0) }
                guard total > 0 else { continue }
                for index in series.indices { series[index].values[category] /= total }
            }
        }
        var chart = SVGChart(content: .stackedBars(categories: categories, series: series), title: title,
                             xLabel: xLabel, xUnit: xUnit, yLabel: yLabel, yUnit: yUnit)
        if normalized { chart.yRange = 0...1 }
        return chart
    }

    private static func checkCounts(categories: [String], series: [BarSeries]) {
        for item in series {
            precondition(item.values.count == categories.count,
                         "BarSeries \(item.name): \(item.values.count) values for \(categories.count) categories")
        }
    }

    /// The chart as a standalone SVG document.
    public func render() -> String {
        SVGWriter.document(width: width, height: height, title: title, body: renderBody(idPrefix: "chart"))
    }
}

// MARK: - Drawing

extension SVGChart {
    private static let tickSize = 11.0
    private static let labelSize = 12.0
    private static let titleSize = 14.0
    private static let legendSize = 11.0
    private static let margin = 10.0
    private static let ink = "#222222"
    private static let axisColour = "#444444"
    private static let gridColour = "#e3e3e3"
    private static let labelAngle = 35.0

    /// The plot area in canvas coordinates and the scales mapping data into it.
    private struct Frame {
        var left: Double, top: Double, right: Double, bottom: Double
        var x: NiceScale?
        var y: NiceScale
        func px(_ value: Double) -> Double { left + (x?.fraction(of: value) ?? 0.5) * (right - left) }
        func py(_ value: Double) -> Double { bottom - y.fraction(of: value) * (bottom - top) }
    }

    private struct LegendEntry {
        var name: String, colour: String, kind: Kind
        enum Kind { case line(markers: Bool), swatch }
    }

    private var categories: [String] {
        switch content {
        case .line: return []
        case .groupedBars(let categories, _), .stackedBars(let categories, _): return categories
        }
    }

    private func colour(_ index: Int) -> String {
        palette.isEmpty ? Self.ink : palette[index % palette.count]
    }

    private static func axisTitle(_ label: String, _ unit: String) -> String {
        unit.isEmpty ? label : label.isEmpty ? unit : "\(label) (\(unit))"
    }

    private static func value(_ series: BarSeries, _ index: Int) -> Double {
        index < series.values.count ? series.values[index] : .nan
    }

    /// The smallest and largest y values to show (error bars and stacks included), nil without data.
    private var yExtent: (Double, Double)? {
        var values: [Double] = []
        switch content {
        case .line(let series):
            for point in series.flatMap(\.points) where point.isDrawable {
                values.append(point.y)
                if let bounds = point.error?.bounds(around: point.y) { values += [bounds.low, bounds.high] }
            }
        case .groupedBars(let categories, let series):
            for item in series {
                for index in categories.indices where Self.value(item, index).isFinite {
                    let value = Self.value(item, index)
                    values.append(value)
                    if let bounds = item.error(at: index)?.bounds(around: value) { values += [bounds.low, bounds.high] }
                }
            }
        case .stackedBars(let categories, let series):
            for index in categories.indices {
                let finite = series.map { Self.value($0, index) }.filter(\.isFinite)
                guard !finite.isEmpty else { continue }
                values.append(finite.filter { $0 > 0 }.reduce(0, +))
                values.append(finite.filter { $0 < 0 }.reduce(0, +))
            }
        }
        guard let low = values.min(), let high = values.max() else { return nil }
        return (low, high)
    }

    private var xExtent: (Double, Double)? {
        guard case .line(let series) = content else { return nil }
        let xs = series.flatMap(\.points).filter(\.isDrawable).map(\.x)
        guard let low = xs.min(), let high = xs.max() else { return nil }
        return (low, high)
    }

    private var hasData: Bool { yExtent != nil }

    private var legendEntries: [LegendEntry] {
        switch content {
        case .line(let series):
            return series.enumerated().map {
                LegendEntry(name: $1.name, colour: colour($0), kind: .line(markers: $1.showsMarkers))
            }
        case .groupedBars(_, let series), .stackedBars(_, let series):
            return series.enumerated().map { LegendEntry(name: $1.name, colour: colour($0), kind: .swatch) }
        }
    }

    /// Legend rows: for each row the entries' indices, x offsets within the row, and the row width.
    private func legendRows(_ entries: [LegendEntry], available: Double) -> [(items: [(Int, Double)], width: Double)] {
        var rows: [(items: [(Int, Double)], width: Double)] = []
        var current: [(Int, Double)] = []
        var x = 0.0
        for (index, entry) in entries.enumerated() {
            let itemWidth = Self.legendSwatchWidth(entry) + 5 + SVGWriter.textWidth(entry.name, size: Self.legendSize)
            if !current.isEmpty && x + itemWidth > available {
                rows.append((current, x - 14))
                current = []
                x = 0
            }
            current.append((index, x))
            x += itemWidth + 14
        }
        if !current.isEmpty { rows.append((current, x - 14)) }
        return rows
    }

    /// Bold `text` split at spaces into lines no wider than `width`; past `maxLines`, the last line ends in "…".
    static func wrap(_ text: String, size: Double, width: Double, maxLines: Int) -> [String] {
        var lines: [String] = []
        var current = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: true).map(String.init) {
            let candidate = current.isEmpty ? word : current + " " + word
            if current.isEmpty || SVGWriter.textWidth(candidate, size: size, bold: true) <= width {
                current = candidate
            } else {
                lines.append(current)
                current = word
            }
        }
        if !current.isEmpty { lines.append(current) }
        guard lines.count > maxLines, maxLines > 0 else { return lines }
        var last = lines[maxLines - 1]
        for word in lines[maxLines].split(separator: " ") {
            guard SVGWriter.textWidth(last + " " + word + " …", size: size, bold: true) <= width else { break }
            last += " " + word
        }
        return Array(lines.prefix(maxLines - 1)) + [last + " …"]
    }

    private static func legendSwatchWidth(_ entry: LegendEntry) -> Double {
        if case .line = entry.kind { return 22 } else { return 12 }
    }

    /// The chart's elements in canvas coordinates; `idPrefix` keeps ids unique when charts share a document.
    func renderBody(idPrefix: String) -> String {
        var svg = SVGWriter()
        let margin = Self.margin
        let xTitle = Self.axisTitle(xLabel, xUnit)
        let yTitle = Self.axisTitle(yLabel, yUnit)

        // Title, shrunk to fit the width.
        // Title: wrapped onto two lines at most, shrunk only if a single word is wider than the chart.
        var top = margin
        if !title.isEmpty {
            let available = width - 2 * margin
            let lines = Self.wrap(title, size: Self.titleSize, width: available, maxLines: 2)
            let widest = lines.map { SVGWriter.textWidth($0, size: Self.titleSize, bold: true) }.max() ?? 0
            let size = widest > available ? max(9, Self.titleSize * available / widest) : Self.titleSize
            if lines.count == 1 {
                svg.text(title, ["class": "title", "x": width / 2, "y": top + size, "font-size": size,
                                 "font-weight": "bold", "text-anchor": "middle", "fill": Self.ink])
            } else {
                // The whole title stays in the element's text content; tspans only break the lines.
                var markup = "<text class=\"title\" font-size=\"\(NumberText.coordinate(size))\" font-weight=\"bold\" "
                    + "text-anchor=\"middle\" fill=\"\(Self.ink)\">"
                for (index, line) in lines.enumerated() {
                    let y = top + size + Double(index) * size * 1.2
                    markup += "<tspan x=\"\(NumberText.coordinate(width / 2))\" y=\"\(NumberText.coordinate(y))\">"
                        + SVGWriter.escape(index == 0 ? line : " " + line) + "</tspan>"
                }
                svg.raw(markup + "</text>\n")
            }
            top += size + Double(lines.count - 1) * size * 1.2 + 8
        }
        top += Self.tickSize / 2 + 2

        // Legend rows below everything else.
        let entries = showsLegend ? legendEntries : []
        let rows = legendRows(entries, available: width - 2 * margin)
        let rowHeight = Self.legendSize + 7
        let legendHeight = rows.isEmpty ? 0 : Double(rows.count) * rowHeight
        let belowTicks = (xTitle.isEmpty ? 0 : Self.labelSize + 8) + (rows.isEmpty ? 0 : legendHeight + 6) + margin

        // y scale, with about one tick per 45 px.
        var xTickHeight = Self.tickSize + 8
        let estimatedHeight = max(40, height - top - belowTicks - xTickHeight)
        let yTarget = max(3, min(8, Int(estimatedHeight / 45) + 1))
        let isBar = { if case .line = content { return false } else { return true } }()
        let yScale: NiceScale
        if let yRange {
            yScale = NiceScale(exactly: yRange, targetTickCount: yTarget)
        } else {
            let (low, high) = yExtent ?? (0, 1)
            yScale = NiceScale(lower: low, upper: high, targetTickCount: yTarget, includesZero: yStartsAtZero || isBar)
        }
        let yLabelWidth = yScale.labels.map { SVGWriter.textWidth($0, size: Self.tickSize) }.max() ?? 0
        var left = margin + (yTitle.isEmpty ? 0 : Self.labelSize + 8) + yLabelWidth + 8
        var right = margin

        // x scale: numeric for lines (fewer ticks until the labels fit), categories for bars.
        var xScale: NiceScale?
        var rotateCategories = false
        switch content {
        case .line:
            for target in stride(from: 7, through: 2, by: -1) {
                let scale: NiceScale
                if let xRange {
                    scale = NiceScale(exactly: xRange, targetTickCount: target)
                } else {
                    let (low, high) = xExtent ?? (0, 1)
                    scale = NiceScale(lower: low, upper: high, targetTickCount: target)
                }
                xScale = scale
                let widths = scale.labels.map { SVGWriter.textWidth($0, size: Self.tickSize) }
                right = max(margin, (widths.last ?? 0) / 2 + 4)
                let plotWidth = width - left - right
                if (widths.max() ?? 0) + 10 <= plotWidth / Double(max(1, scale.ticks.count - 1)) { break }
            }
        case .groupedBars, .stackedBars:
            let names = categories
            let widths = names.map { SVGWriter.textWidth($0, size: Self.tickSize) }
            let band = (width - left - right) / Double(max(1, names.count))
            if (widths.max() ?? 0) + 6 > band {
                rotateCategories = true
                let angle = Self.labelAngle * .pi / 180
                xTickHeight = (widths.max() ?? 0) * sin(angle) + Self.tickSize * cos(angle) + 8
                left = max(left, (widths.first ?? 0) * cos(angle) - band / 2 + margin)
            }
        }

        var frame = Frame(left: left, top: top, right: max(left + 20, width - right),
                          bottom: max(top + 20, height - belowTicks - xTickHeight), x: xScale, y: yScale)
        if frame.bottom - frame.top < 20 { frame.bottom = frame.top + 20 }

        drawGridAndAxes(&svg, frame)
        let clipID = "\(idPrefix)-plot"
        let clipped = yRange != nil || (xRange != nil && xScale != nil)
        if clipped {
            svg.open("defs")
            svg.open("clipPath", ["id": clipID])
            // A marker's radius of slack on every side, so points on the range's ends stay whole.
            svg.element("rect", ["class": "clip", "x": frame.left - 5, "y": frame.top - 5,
                                 "width": frame.right - frame.left + 10, "height": frame.bottom - frame.top + 10])
            svg.close("clipPath")
            svg.close("defs")
            svg.open("g", ["class": "data", "clip-path": "url(#\(clipID))"])
        } else {
            svg.open("g", ["class": "data"])
        }
        switch content {
        case .line(let series): drawLines(&svg, series, frame)
        case .groupedBars(let categories, let series): drawGroupedBars(&svg, categories, series, frame)
        case .stackedBars(let categories, let series): drawStackedBars(&svg, categories, series, frame)
        }
        svg.close("g")
        if !hasData {
            svg.text("No data", ["class": "no-data", "x": (frame.left + frame.right) / 2, "y": (frame.top + frame.bottom) / 2,
                                 "font-size": Self.labelSize, "text-anchor": "middle", "fill": "#888888"])
        }

        // Tick labels and axis titles.
        for (tick, label) in zip(yScale.ticks, yScale.labels) {
            svg.text(label, ["class": "tick-label", "x": frame.left - 7, "y": frame.py(tick) + Self.tickSize * 0.35,
                             "font-size": Self.tickSize, "text-anchor": "end", "fill": Self.ink])
        }
        let tickBaseline = frame.bottom + 6 + Self.tickSize
        if let xScale {
            for (tick, label) in zip(xScale.ticks, xScale.labels) {
                svg.text(label, ["class": "tick-label", "x": frame.px(tick), "y": tickBaseline,
                                 "font-size": Self.tickSize, "text-anchor": "middle", "fill": Self.ink])
            }
        } else {
            let band = (frame.right - frame.left) / Double(max(1, categories.count))
            for (index, name) in categories.enumerated() {
                let x = frame.left + band * (Double(index) + 0.5)
                if rotateCategories {
                    let y = frame.bottom + 8
                    svg.text(name, ["class": "tick-label", "x": x, "y": y + Self.tickSize * 0.35, "font-size": Self.tickSize,
                                    "text-anchor": "end", "fill": Self.ink,
                                    "transform": "rotate(-\(Int(Self.labelAngle)) \(NumberText.coordinate(x)) \(NumberText.coordinate(y)))"])
                } else {
                    svg.text(name, ["class": "tick-label", "x": x, "y": tickBaseline, "font-size": Self.tickSize,
                                    "text-anchor": "middle", "fill": Self.ink])
                }
            }
        }
        var y = frame.bottom + xTickHeight
        if !xTitle.isEmpty {
            y += Self.labelSize + 4
            svg.text(xTitle, ["class": "axis-title", "x": (frame.left + frame.right) / 2, "y": y,
                              "font-size": Self.labelSize, "text-anchor": "middle", "fill": Self.ink])
        }
        if !yTitle.isEmpty {
            let x = margin + Self.labelSize * 0.85, cy = (frame.top + frame.bottom) / 2
            svg.text(yTitle, ["class": "axis-title", "x": x, "y": cy, "font-size": Self.labelSize, "text-anchor": "middle",
                              "fill": Self.ink,
                              "transform": "rotate(-90 \(NumberText.coordinate(x)) \(NumberText.coordinate(cy)))"])
        }

        // Legend, each row centred.
        y += rows.isEmpty ? 0 : 8
        for row in rows {
            let start = (width - row.width) / 2
            let middle = y + rowHeight / 2
            for (index, offset) in row.items {
                let entry = entries[index]
                let x = start + offset
                svg.open("g", ["class": "legend-item"])
                switch entry.kind {
                case .line(let markers):
                    svg.element("line", ["class": "legend-line", "x1": x, "y1": middle, "x2": x + 22, "y2": middle,
                                         "stroke": entry.colour, "stroke-width": 2])
                    if markers {
                        svg.element("circle", ["class": "legend-marker", "cx": x + 11, "cy": middle, "r": 3.5,
                                               "fill": entry.colour, "stroke": "#ffffff", "stroke-width": 1])
                    }
                case .swatch:
                    svg.element("rect", ["class": "legend-swatch", "x": x, "y": middle - 6, "width": 12, "height": 12,
                                         "fill": entry.colour])
                }
                svg.text(entry.name, ["class": "legend-label", "x": x + Self.legendSwatchWidth(entry) + 5,
                                      "y": middle + Self.legendSize * 0.35, "font-size": Self.legendSize, "fill": Self.ink])
                svg.close("g")
            }
            y += rowHeight
        }
        return svg.markup
    }

    private func drawGridAndAxes(_ svg: inout SVGWriter, _ frame: Frame) {
        if showsGrid {
            for tick in frame.y.ticks {
                let y = frame.py(tick)
                svg.element("line", ["class": "grid", "x1": frame.left, "y1": y, "x2": frame.right, "y2": y,
                                     "stroke": Self.gridColour, "stroke-width": 1])
            }
            for tick in frame.x?.ticks ?? [] {
                let x = frame.px(tick)
                svg.element("line", ["class": "grid", "x1": x, "y1": frame.top, "x2": x, "y2": frame.bottom,
                                     "stroke": Self.gridColour, "stroke-width": 1])
            }
        }
        if frame.y.lower < 0 && frame.y.upper > 0 {
            let y = frame.py(0)
            svg.element("line", ["class": "zero-line", "x1": frame.left, "y1": y, "x2": frame.right, "y2": y,
                                 "stroke": Self.axisColour, "stroke-width": 1])
        }
        svg.element("line", ["class": "axis", "x1": frame.left, "y1": frame.top, "x2": frame.left, "y2": frame.bottom,
                             "stroke": Self.axisColour, "stroke-width": 1])
        svg.element("line", ["class": "axis", "x1": frame.left, "y1": frame.bottom, "x2": frame.right, "y2": frame.bottom,
                             "stroke": Self.axisColour, "stroke-width": 1])
        for tick in frame.y.ticks {
            let y = frame.py(tick)
            svg.element("line", ["class": "tick", "x1": frame.left - 4, "y1": y, "x2": frame.left, "y2": y,
                                 "stroke": Self.axisColour, "stroke-width": 1])
        }
        for tick in frame.x?.ticks ?? [] {
            let x = frame.px(tick)
            svg.element("line", ["class": "tick", "x1": x, "y1": frame.bottom, "x2": x, "y2": frame.bottom + 4,
                                 "stroke": Self.axisColour, "stroke-width": 1])
        }
    }

    private func errorBar(_ svg: inout SVGWriter, x: Double, low: Double, high: Double, cap: Double, colour: String) {
        let c = NumberText.coordinate
        let d = "M\(c(x)) \(c(low))V\(c(high))M\(c(x - cap)) \(c(low))H\(c(x + cap))M\(c(x - cap)) \(c(high))H\(c(x + cap))"
        svg.element("path", ["class": "error-bar", "d": d, "fill": "none", "stroke": colour, "stroke-width": 1.2])
    }

    private func drawLines(_ svg: inout SVGWriter, _ series: [LineSeries], _ frame: Frame) {
        let c = NumberText.coordinate
        for (index, item) in series.enumerated() {
            let colour = colour(index)
            var d = ""
            var penDown = false
            for point in item.points {
                guard point.isDrawable else { penDown = false; continue }
                d += "\(penDown ? "L" : "M")\(c(frame.px(point.x))) \(c(frame.py(point.y)))"
                penDown = true
            }
            guard !d.isEmpty else { continue }
            svg.element("path", ["class": "series", "d": d, "fill": "none", "stroke": colour, "stroke-width": 2,
                                 "stroke-linejoin": "round", "stroke-linecap": "round"])
            for point in item.points where point.isDrawable {
                if let bounds = point.error?.bounds(around: point.y) {
                    errorBar(&svg, x: frame.px(point.x), low: frame.py(bounds.low), high: frame.py(bounds.high), cap: 3, colour: colour)
                }
            }
            let drawable = item.points.filter(\.isDrawable)
            if item.showsMarkers || drawable.count == 1 {
                for point in drawable {
                    svg.element("circle", ["class": "marker", "cx": frame.px(point.x), "cy": frame.py(point.y), "r": 3.5,
                                           "fill": colour, "stroke": "#ffffff", "stroke-width": 1])
                }
            }
        }
    }

    /// The y of a bar's base: 0, or the nearest end of a fixed range that excludes 0.
    private func baseline(_ frame: Frame) -> Double {
        frame.py(min(max(0, frame.y.lower), frame.y.upper))
    }

    private func drawGroupedBars(_ svg: inout SVGWriter, _ categories: [String], _ series: [BarSeries], _ frame: Frame) {
        guard !series.isEmpty else { return }
        let band = (frame.right - frame.left) / Double(max(1, categories.count))
        let barWidth = band * 0.8 / Double(series.count)
        let gap = series.count > 1 ? min(2, barWidth * 0.1) : 0
        let base = baseline(frame)
        for index in categories.indices {
            let start = frame.left + band * (Double(index) + 0.1)
            for (position, item) in series.enumerated() {
                let value = Self.value(item, index)
                guard value.isFinite else { continue }
                let x = start + barWidth * Double(position)
                let y = frame.py(value)
                svg.element("rect", ["class": "bar", "x": x + gap / 2, "y": min(y, base), "width": barWidth - gap,
                                     "height": abs(y - base), "fill": colour(position)])
                if let bounds = item.error(at: index)?.bounds(around: value) {
                    errorBar(&svg, x: x + barWidth / 2, low: frame.py(bounds.low), high: frame.py(bounds.high),
                             cap: min(4, barWidth / 3), colour: Self.ink)
                }
            }
        }
    }

    private func drawStackedBars(_ svg: inout SVGWriter, _ categories: [String], _ series: [BarSeries], _ frame: Frame) {
        let band = (frame.right - frame.left) / Double(max(1, categories.count))
        let barWidth = min(band * 0.6, 80)
        for index in categories.indices {
            let x = frame.left + band * (Double(index) + 0.5) - barWidth / 2
            var positive = 0.0, negative = 0.0
            for (position, item) in series.enumerated() {
                let value = Self.value(item, index)
                guard value.isFinite else { continue }
                let from = value >= 0 ? positive : negative
                let to = from + value
                if value >= 0 { positive = to } else { negative = to }
                let y0 = frame.py(from), y1 = frame.py(to)
                svg.element("rect", ["class": "bar", "x": x, "y": min(y0, y1), "width": barWidth, "height": abs(y1 - y0),
                                     "fill": colour(position), "stroke": "#ffffff", "stroke-width": 0.5])
            }
        }
    }
}
