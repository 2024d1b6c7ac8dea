import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import V2GSim

// MARK: - Helpers

/// Parses SVG text as XML; fails the test if it is not well formed.
private func parseSVG(_ svg: String) throws -> XMLDocument {
    try XMLDocument(xmlString: svg, options: [])
}

/// The elements named `name` (ignoring the SVG namespace), optionally only those of class `className`.
private func elements(_ document: XMLDocument, _ name: String, class className: String? = nil) throws -> [XMLElement] {
    let filter = className.map { "[@class='\($0)']" } ?? ""
    return try document.nodes(forXPath: "//*[local-name()='\(name)']\(filter)").compactMap { $0 as? XMLElement }
}

/// An attribute's value (`XMLElement.attribute(forName:)` misses attributes in a default namespace on Linux).
private func attribute(_ element: XMLElement?, _ name: String) -> String? {
    element?.attributes?.first { $0.name == name }?.stringValue
}

/// A small RFC 4180 reader: quoted fields with doubled quotes, CR LF or LF record ends.
private func parseCSV(_ text: String) -> [[String]] {
    var records: [[String]] = []
    var record: [String] = []
    var field = ""
    var quoted = false
    var characters = Array(text.unicodeScalars)[...]
    while let c = characters.popFirst() {
        if quoted {
            if c == "\"" {
                if characters.first == "\"" { field.unicodeScalars.append("\""); characters.removeFirst() } else { quoted = false }
            } else {
                field.unicodeScalars.append(c)
            }
        } else if c == "\"" {
            quoted = true
        } else if c == "," {
            record.append(field); field = ""
        } else if c == "\r" || c == "\n" {
            if c == "\r" && characters.first == "\n" { characters.removeFirst() }
            record.append(field); field = ""
            records.append(record); record = []
        } else {
            field.unicodeScalars.append(c)
        }
    }
    if !field.isEmpty || !record.isEmpty { record.append(field); records.append(record) }
    return records
}

private func temporaryDirectory() -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent("ReportTests-\(UUID().uuidString)", isDirectory: true)
}

private func allFiles(under directory: URL) -> [String] {
    (FileManager.default.enumerator(atPath: directory.path)?.allObjects as? [String] ?? []).sorted()
}

// MARK: - Scales

@Suite("Nice axis scales")
struct NiceScaleTests {
    @Test func zeroToSevenPointThree() {
        let scale = NiceScale(lower: 0, upper: 7.3)
        #expect(scale.ticks == [0, 2, 4, 6, 8])
        #expect(scale.labels == ["0", "2", "4", "6", "8"])
        #expect(scale.lower == 0 && scale.upper == 8 && scale.step == 2)
    }

    @Test func decimalStepsHaveNoFloatNoise() {
        let scale = NiceScale(lower: 0, upper: 0.3)
        #expect(scale.ticks == [0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3])
        #expect(scale.labels == ["0.00", "0.05", "0.10", "0.15", "0.20", "0.25", "0.30"])
        let tenths = NiceScale(lower: 0, upper: 0.3, targetTickCount: 4)
        #expect(tenths.ticks == [0, 0.1, 0.2, 0.3])
        #expect(tenths.ticks[3] == 0.3 && tenths.labels[3] == "0.3")
        let fine = NiceScale(lower: 0.01, upper: 0.07)
        #expect(fine.labels == ["0.01", "0.02", "0.03", "0.04", "0.05", "0.06", "0.07"])
        #expect(fine.ticks[2] == 0.03)
    }

    @Test func unitRangeAndNegatives() {
        #expect(NiceScale(lower: 0, upper: 1).labels == ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
        let scale = NiceScale(lower: -3.2, upper: 4.1)
        #expect(scale.ticks == [-4, -2, 0, 2, 4, 6])
        #expect(scale.labels == ["-4", "-2", "0", "2", "4", "6"])
    }

    @Test func equalValuesAndZeroAreWidened() {
        let scale = NiceScale(lower: 5, upper: 5)
        #expect(scale.lower < 5 && scale.upper > 5 && scale.ticks.count >= 2)
        #expect(NiceScale(lower: 0, upper: 0).ticks == [0, 0.2, 0.4, 0.6, 0.8, 1])
        #expect(NiceScale(lower: 5, upper: 5, includesZero: true).ticks == [0, 1, 2, 3, 4, 5])
        #expect(NiceScale(lower: .nan, upper: .infinity).ticks == [0, 0.2, 0.4, 0.6, 0.8, 1])
    }

    @Test func littleOfTheAxisIsWasted() {
        #expect(NiceScale(lower: 0, upper: 413, targetTickCount: 5).ticks == [0, 100, 200, 300, 400, 500])
        #expect(NiceScale(lower: 10, upper: 100).ticks == [0, 20, 40, 60, 80, 100])
    }

    @Test func includesZeroAndLargeValues() {
        #expect(NiceScale(lower: 40, upper: 95, includesZero: true).ticks == [0, 20, 40, 60, 80, 100])
        #expect(NiceScale(lower: 40, upper: 95).ticks == [40, 50, 60, 70, 80, 90, 100])
        #expect(NiceScale(lower: 0, upper: 2.5e6).labels == ["0", "5e5", "1e6", "1.5e6", "2e6", "2.5e6"])
        #expect(NiceScale(lower: 1000, upper: 5000).labels == ["1000", "2000", "3000", "4000", "5000"])
    }

    @Test func exactRangeKeepsItsEnds() {
        let scale = NiceScale(exactly: 0.05...0.95)
        #expect(scale.lower == 0.05 && scale.upper == 0.95)
        #expect(scale.ticks == [0.2, 0.4, 0.6, 0.8])
    }
}

// MARK: - Charts

@Suite("SVG charts")
struct SVGChartTests {
    static let lines = SVGChart.line(
        title: "Welfare", xLabel: "EVs", yLabel: "Welfare", yUnit: "€",
        series: [
            LineSeries(name: "RET", x: [10, 20, 30], y: [1.5, 2.5, 3.5]),
            LineSeries(name: "Greedy", x: [10, 20, 30, 40], y: [1, 2, 3, 7.3],
                       errors: [.plusMinus(0.2), nil, .interval(low: 2.5, high: 3.6), .plusMinus(0.1)]),
        ])

    @Test func lineChartElements() throws {
        let document = try parseSVG(Self.lines.render())
        #expect(try elements(document, "path", class: "series").count == 2)
        #expect(try elements(document, "circle", class: "marker").count == 7)
        #expect(try elements(document, "circle").count == 7 + 2)  // markers + legend markers
        #expect(try elements(document, "path", class: "error-bar").count == 3)
        #expect(try elements(document, "path").count == 2 + 3)
        #expect(try elements(document, "g", class: "legend-item").count == 2)
        let root = try #require(document.rootElement())
        #expect(attribute(root, "viewBox") == "0 0 480 320")
        // y covers 0.8…7.4 → ticks 0…8 in steps of 2; x covers 10…40 in steps of 5.
        let labels = try elements(document, "text", class: "tick-label").compactMap(\.stringValue)
        #expect(labels == ["0", "2", "4", "6", "8", "10", "15", "20", "25", "30", "35", "40"])
        let titles = try elements(document, "text", class: "axis-title").compactMap(\.stringValue)
        #expect(titles == ["EVs", "Welfare (€)"])
    }

    @Test func markersOffDrawsOnlyLines() throws {
        let chart = SVGChart.line(title: "", xLabel: "x", yLabel: "y", series: [
            LineSeries(name: "a", x: [0, 1, 2], y: [0, 1, 4], showsMarkers: false),
            LineSeries(name: "single", x: [1], y: [2], showsMarkers: false),
        ])
        let document = try parseSVG(chart.render())
        #expect(try elements(document, "path", class: "series").count == 2)
        #expect(try elements(document, "circle", class: "marker").count == 1)  // the lone point still shows
        #expect(try elements(document, "text", class: "title").isEmpty)
    }

    @Test func groupedBarsElements() throws {
        let chart = SVGChart.groupedBars(
            title: "Revenue", xLabel: "Mechanism", yLabel: "Revenue", yUnit: "€",
            categories: ["RET", "SRET", "Auction"],
            series: [BarSeries(name: "Day", values: [3, 4, 5], errors: [.plusMinus(0.5), nil, .interval(low: 4, high: 6)]),
                     BarSeries(name: "Night", values: [2, .nan, 1])])
        let document = try parseSVG(chart.render())
        #expect(try elements(document, "rect", class: "bar").count == 5)  // the NaN draws no bar
        #expect(try elements(document, "rect", class: "legend-swatch").count == 2)
        #expect(try elements(document, "rect").count == 5 + 2 + 1)  // bars, swatches, background
        #expect(try elements(document, "path", class: "error-bar").count == 2)
        let labels = try elements(document, "text", class: "tick-label").compactMap(\.stringValue)
        #expect(labels == ["0", "2", "4", "6", "RET", "SRET", "Auction"])
    }

    @Test func stackedBarsElementsAndShares() throws {
        let chart = SVGChart.stackedBars(
            title: "Phase time", xLabel: "EVs", yLabel: "Share of time",
            categories: ["10", "20", "50", "100"],
            series: [BarSeries(name: "Matching", values: [1, 2, 3, 4]),
                     BarSeries(name: "Pricing", values: [1, 1, 1, 1]),
                     BarSeries(name: "Communication", values: [2, 1, 0, 5])],
            normalized: true)
        guard case .stackedBars(_, let series) = chart.content else { Issue.record("not stacked"); return }
        #expect(series.map { $0.values[0] } == [0.25, 0.25, 0.5])
        #expect(chart.yRange == 0...1)
        let document = try parseSVG(chart.render())
        #expect(try elements(document, "rect", class: "bar").count == 12)
        let labels = try elements(document, "text", class: "tick-label").compactMap(\.stringValue)
        #expect(labels == ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0", "10", "20", "50", "100"])
    }

    @Test func stackedHeightsAddUp() throws {
        let chart = SVGChart.stackedBars(title: "", xLabel: "", yLabel: "", categories: ["a"],
                                         series: [BarSeries(name: "p", values: [3]), BarSeries(name: "q", values: [5])])
        let document = try parseSVG(chart.render())
        let heights = try elements(document, "rect", class: "bar").compactMap { Double(attribute($0, "height") ?? "") }
        try #require(heights.count == 2)
        #expect(abs(heights[1] / heights[0] - 5.0 / 3.0) < 0.01)
    }

    @Test func titlesAndLabelsAreEscaped() throws {
        let nasty = "a <b> & \"c\" 'd'"
        let chart = SVGChart.groupedBars(title: nasty, xLabel: nasty, yLabel: "<y>", categories: ["<&>\""],
                                         series: [BarSeries(name: "&", values: [1])])
        let svg = chart.render()
        #expect(!svg.contains("<b>"))
        #expect(svg.contains("a &lt;b&gt; &amp; &quot;c&quot; &apos;d&apos;"))
        let document = try parseSVG(svg)
        #expect(try elements(document, "text", class: "title").first?.stringValue == nasty)
        #expect(try elements(document, "title").first?.stringValue == nasty)
        #expect(try elements(document, "text", class: "legend-label").first?.stringValue == "&")
        #expect(try elements(document, "text", class: "tick-label").last?.stringValue == "<&>\"")
    }

    @Test func longTitlesWrapOntoTwoLines() throws {
        var chart = Self.lines
        chart.width = 420
        chart.title = "Social welfare of the optimal matching against the number of electric vehicles"
        let document = try parseSVG(chart.render())
        let title = try #require(try elements(document, "text", class: "title").first)
        #expect(try elements(document, "tspan").count == 2)
        #expect(title.stringValue == chart.title)
        chart.title += " in every one of the many scenarios of the second paper"
        let cut = try #require(try elements(try parseSVG(chart.render()), "text", class: "title").first?.stringValue)
        #expect(cut.hasSuffix(" …") && chart.title.hasPrefix(String(cut.dropLast(2))))
    }

    @Test func degenerateDataRendersValidSVG() throws {
        let cases: [SVGChart] = [
            .line(title: "empty", xLabel: "x", yLabel: "y", series: []),
            .line(title: "empty series", xLabel: "x", yLabel: "y", series: [LineSeries(name: "none", points: [])]),
            .line(title: "one point", xLabel: "x", yLabel: "y", series: [LineSeries(name: "p", x: [3], y: [4])]),
            .line(title: "flat", xLabel: "x", yLabel: "y", series: [LineSeries(name: "f", x: [1, 2, 3], y: [2, 2, 2])]),
            .line(title: "negative", xLabel: "x", yLabel: "y",
                  series: [LineSeries(name: "n", x: [-5, 0, 5], y: [-3, -1, 2])]),
            .line(title: "non-finite", xLabel: "x", yLabel: "y",
                  series: [LineSeries(name: "n", x: [0, 1, .nan, 3], y: [1, .infinity, 2, 3])]),
            .groupedBars(title: "no categories", xLabel: "", yLabel: "", categories: [], series: []),
            .groupedBars(title: "zeros", xLabel: "", yLabel: "", categories: ["a", "b"],
                         series: [BarSeries(name: "z", values: [0, 0])]),
            .groupedBars(title: "negative", xLabel: "", yLabel: "", categories: ["a", "b"],
                         series: [BarSeries(name: "z", values: [-2, 3])]),
            .stackedBars(title: "mixed signs", xLabel: "", yLabel: "", categories: ["a"],
                         series: [BarSeries(name: "p", values: [2]), BarSeries(name: "n", values: [-1])]),
        ]
        for chart in cases {
            let svg = chart.render()
            let document = try parseSVG(svg)
            #expect(!svg.contains("nan") && !svg.contains("inf"), "\(chart.title)")
            #expect(try !elements(document, "text", class: "tick-label").isEmpty, "\(chart.title)")
        }
        let empty = try parseSVG(cases[0].render())
        #expect(try elements(empty, "text", class: "no-data").count == 1)
        let single = try parseSVG(cases[2].render())
        #expect(try elements(single, "circle", class: "marker").count == 1)
        let gap = try parseSVG(cases[5].render())
        let path = try #require(attribute(try elements(gap, "path", class: "series").first, "d"))
        #expect(path.filter { $0 == "M" }.count == 2)  // the non-finite points break the line
        let zeros = try parseSVG(cases[7].render())
        #expect(try elements(zeros, "rect", class: "bar").count == 2)
    }

    @Test func fixedRangeClipsData() throws {
        var chart = Self.lines
        chart.yRange = 0...5
        let document = try parseSVG(chart.render())
        #expect(try elements(document, "clipPath").count == 1)
        #expect(attribute(try elements(document, "g", class: "data").first, "clip-path") == "url(#chart-plot)")
    }

    @Test func panelsSideBySide() throws {
        let bars = SVGChart.groupedBars(title: "Bars", xLabel: "", yLabel: "", categories: ["a"],
                                        series: [BarSeries(name: "s", values: [1])])
        var clipped = Self.lines
        clipped.yRange = 0...5
        let figure = ChartPanel([Self.lines, bars, clipped], title: "Fig. 4")
        let document = try parseSVG(figure.render())
        let root = try #require(document.rootElement())
        #expect(attribute(root, "viewBox") == "0 0 1440 350")
        #expect(try elements(document, "g", class: "panel").count == 3)
        let titles = try elements(document, "text", class: "title").compactMap(\.stringValue)
        #expect(titles == ["(a) Welfare", "(b) Bars", "(c) Welfare"])
        let ids = try elements(document, "*").compactMap { attribute($0, "id") }
        #expect(Set(ids).count == ids.count)
        let grid = ChartPanel([bars, bars, bars, bars], columns: 2, labelsPanels: false)
        let gridRoot = try #require(try parseSVG(grid.render()).rootElement())
        #expect(attribute(gridRoot, "viewBox") == "0 0 960 640")
    }
}

// MARK: - CSV, JSON, Markdown

@Suite("Tables and summaries")
struct TableTests {
    @Test func csvRoundTripsTrickyFields() {
        let tricky = ["plain", "with,comma", "with \"quotes\"", "line\nbreak", "crlf\r\nbreak", " padded ", "", "€ ünïcode"]
        var table = CSVTable(columns: ["name", "n", "x"])
        for (index, text) in tricky.enumerated() { table.append([.string(text), .int(index), .double(Double(index) / 10)]) }
        table.append([.missing, .int(-7), .double(0.1 + 0.2)])
        let text = table.render()
        #expect(text.hasPrefix("name,n,x\r\nplain,0,0\r\n\"with,comma\",1,0.1\r\n"))
        let parsed = parseCSV(text)
        #expect(parsed.count == tricky.count + 2)
        #expect(parsed[0] == ["name", "n", "x"])
        #expect(parsed.dropFirst().prefix(tricky.count).map { $0[0] } == tricky)
        #expect(parsed.last == ["", "-7", "0.30000000000000004"])
        #expect(Double(parsed.last![2]) == 0.1 + 0.2)
    }

    @Test func csvNumbers() {
        let values: [Double] = [3, -2, 0.1, 1e-7, 123456789.125, 1e20, .pi, -0.0]
        let texts = values.map { ReportValue.double($0).csvText }
        #expect(texts.prefix(5) == ["3", "-2", "0.1", "1e-07", "123456789.125"])
        for (value, text) in zip(values, texts) { #expect(Double(text) == value) }
        #expect(ReportValue.double(.nan).csvText == "NaN")
        #expect(ReportValue.double(-.infinity).csvText == "-inf")
        var single = CSVTable(columns: ["only"])
        single.append([.missing])
        single.lineEnding = .lf
        #expect(single.render() == "only\n\"\"\n")
    }

    @Test func jsonSummaryParsesBack() throws {
        var summary = JSONSummary()
        summary["experiment"] = "fig4 \"a\" \\ <&>\n\t\u{01}"
        summary["runs"] = 20
        summary["welfare"] = .double(41.25)
        summary["ratio"] = .double(0.1 + 0.2)
        summary["missing"] = .double(.nan)
        summary["flags"] = [true, false, nil]
        summary["series"] = JSONValue([1.5, 2, 1e-7])
        summary["parameters"] = ["evs": 50, "rounds": 100, "nested": ["empty": [], "none": [:]]]
        let text = summary.render()
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? NSDictionary)
        let expected: NSDictionary = [
            "experiment": "fig4 \"a\" \\ <&>\n\t\u{01}", "runs": 20, "welfare": 41.25,
            "missing": NSNull(), "flags": [true, false, NSNull()], "series": [1.5, 2.0, 1e-7],
            "parameters": ["evs": 50, "rounds": 100, "nested": ["empty": [Any](), "none": [String: Any]()]],
        ]
        // Foundation on Linux reads 17-digit numbers as NSDecimalNumber, so the ratio is checked on its own.
        let ratio = try #require(parsed["ratio"] as? NSNumber)
        #expect(abs(ratio.doubleValue - 0.3) < 1e-12)
        #expect(text.contains("\"ratio\": 0.30000000000000004,") && Double("0.30000000000000004") == 0.1 + 0.2)
        let rest = NSMutableDictionary(dictionary: try #require(parsed as? [AnyHashable: Any]))
        rest.removeObject(forKey: "ratio")
        #expect(rest == expected)
        // Keys stay in insertion order, and the text is pretty-printed.
        let order = ["experiment", "runs", "welfare", "ratio", "missing", "flags", "series", "parameters"]
        let positions = order.map { text.range(of: "\"\($0)\":")!.lowerBound }
        #expect(positions == positions.sorted())
        #expect(text.hasPrefix("{\n  \"experiment\": "))
        #expect(text.contains("\"series\": [1.5, 2.0, 1e-07]"))
        #expect(text.contains("\"missing\": null"))
    }

    @Test func jsonObjectReplacesInPlaceAndRemoves() {
        var object: JSONObject = ["a": 1, "b": 2, "c": 3]
        object["a"] = 10
        object["b"] = nil
        object["d"] = 4
        #expect(object.keys == ["a", "c", "d"])
        #expect(object["a"] == 10 && object["b"] == nil)
        #expect(JSONValue.object(object).rendered(indent: nil) == "{\"a\":10,\"c\":3,\"d\":4}")
    }

    @Test func markdownReport() {
        var report = MarkdownReport(title: "Fig. 4")
        report.paragraph("Setup.")
        report.table(columns: ["Mechanism", MarkdownReport.Column("Welfare", alignment: .right),
                               MarkdownReport.Column("Share", alignment: .center)],
                     rows: [["RET | fast", 41.23456, 0.5], ["line\nbreak", 7, .missing]])
        report.image("fig 4(a).svg", alt: "Welfare [€]")
        report.comparisonTable([
            .init(quantity: "Welfare (€)", source: "Fig. 4a", published: 200, measured: 210, note: "read off the plot"),
            .init(quantity: "Zero", source: "Table II", published: 0, measured: 0.5),
            .init(quantity: "Share", source: "Fig. 5", published: "≈ 0.6", measured: 0.58),
        ])
        let lines = report.render().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0] == "# Fig. 4")
        #expect(lines.contains("| Mechanism | Welfare | Share |"))
        #expect(lines.contains("| :--- | ---: | :---: |"))
        #expect(lines.contains("| RET \\| fast | 41.23 | 0.5 |"))
        #expect(lines.contains("| line<br>break | 7 |  |"))
        #expect(lines.contains("![Welfare \\[€\\]](fig%204%28a%29.svg)"))
        #expect(lines.contains("| Quantity | Source | Published | This implementation | Difference | Note |"))
        #expect(lines.contains("| Welfare (€) | Fig. 4a | 200 | 210 | +10 (+5 %) | read off the plot |"))
        #expect(lines.contains("| Zero | Table II | 0 | 0.5 | +0.5 |  |"))
        #expect(lines.contains("| Share | Fig. 5 | ≈ 0.6 | 0.58 | — |  |"))
        #expect(report.render().hasSuffix("|\n"))
    }
}

// MARK: - Writing

@Suite("Report writer")
struct ReportWriterTests {
    @Test func writesArtifactsAtomically() throws {
        let directory = temporaryDirectory().appendingPathComponent("out/fig4", isDirectory: true)
        defer { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent().deletingLastPathComponent()) }
        let writer = try ReportWriter(directory: directory)
        var table = CSVTable(columns: ["a"])
        table.append([1])
        let paths = try writer.write([.csv("raw/rounds.csv", table), .json("summary.json", JSONSummary(["k": 1])),
                                      ReportArtifact(name: "report.md", text: "old")])
        #expect(paths.map(\.lastPathComponent) == ["rounds.csv", "summary.json", "report.md"])
        #expect(paths.allSatisfy { $0.path.hasPrefix(writer.directory.path + "/") })
        #expect(try String(contentsOf: paths[0], encoding: .utf8) == "a\r\n1\r\n")
        // Overwriting replaces the file whole.
        try writer.write("new", to: "report.md")
        #expect(try String(contentsOf: paths[2], encoding: .utf8) == "new")
        #expect(allFiles(under: writer.directory) == ["raw", "raw/rounds.csv", "report.md", "summary.json"])
    }

    @Test func refusesNamesOutsideTheDirectory() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let writer = try ReportWriter(directory: directory)
        let escape = "escape-\(UUID().uuidString)"
        for name in ["../\(escape)", "/tmp/\(escape)", "a/../../\(escape)", "a/./b", "", "a//b", "dir/", "."] {
            #expect(throws: ReportError.self) { try writer.write("x", to: name) }
            do {
                try writer.write("x", to: name)
            } catch {
                #expect(error.code == .invalidName, "\(name)")
            }
        }
        // Nothing is written when one name of a batch is bad, or two names clash.
        #expect(throws: ReportError.self) {
            try writer.write([ReportArtifact(name: "ok.txt", text: "1"), ReportArtifact(name: "../\(escape)", text: "2")])
        }
        #expect(throws: ReportError.self) {
            try writer.write([ReportArtifact(name: "same.txt", text: "1"), ReportArtifact(name: "same.txt", text: "2")])
        }
        #expect(allFiles(under: writer.directory).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: directory.deletingLastPathComponent().appendingPathComponent(escape).path))
        #expect(!FileManager.default.fileExists(atPath: "/tmp/\(escape)"))
    }

    @Test func refusesSymbolicLinksLeadingOut() throws {
        let directory = temporaryDirectory()
        let outside = temporaryDirectory()
        defer {
            try? FileManager.default.removeItem(at: directory)
            try? FileManager.default.removeItem(at: outside)
        }
        let writer = try ReportWriter(directory: directory)
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: writer.directory.appendingPathComponent("link"), withDestinationURL: outside)
        do {
            try writer.write("x", to: "link/escaped.txt")
            Issue.record("wrote through a link leading out")
        } catch {
            #expect(error.code == .outsideDirectory)
        }
        #expect(allFiles(under: outside).isEmpty)
    }
}

// MARK: - Samples

/// Writes one sample of each chart kind to $REPORT_SAMPLE_DIR for a person to look at; skipped otherwise.
@Test(.enabled(if: ProcessInfo.processInfo.environment["REPORT_SAMPLE_DIR"] != nil))
func writeSampleCharts() throws {
    let directory = URL(fileURLWithPath: ProcessInfo.processInfo.environment["REPORT_SAMPLE_DIR"]!)
    let evs: [Double] = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]
    let line = SVGChart.line(
        title: "Social welfare against market size", xLabel: "Number of EVs", yLabel: "Social welfare", yUnit: "€",
        series: [
            LineSeries(name: "RET (optimal)", x: evs, y: evs.map { 4.1 * $0 + 3 },
                       errors: evs.map { .plusMinus($0 * 0.4) }),
            LineSeries(name: "SRET", x: evs, y: evs.map { 3.8 * $0 }),
            LineSeries(name: "Greedy baseline", x: evs, y: evs.map { 3.1 * $0 - 5 }, showsMarkers: false),
            LineSeries(name: "Double auction (McAfee)", x: evs, y: evs.map { 2.7 * $0 - 12 }),
        ])
    let bars = SVGChart.groupedBars(
        title: "Revenue per mechanism", xLabel: "Mechanism", yLabel: "Revenue", yUnit: "€",
        categories: ["RET", "SRET", "Greedy", "Double auction"],
        series: [BarSeries(name: "Exchanges", values: [120.5, 110.2, 90.3, -15.2],
                           errors: [.interval(low: 110, high: 130), .plusMinus(6), nil, .plusMinus(4)]),
                 BarSeries(name: "EV owners", values: [80, 85.5, 60, 70])])
    let stacked = SVGChart.stackedBars(
        title: "Time share per phase", xLabel: "Number of EVs", yLabel: "Share of response time",
        categories: ["10", "20", "50", "100", "200"],
        series: [BarSeries(name: "Communication", values: [5, 6, 8, 10, 12]),
                 BarSeries(name: "Matching", values: [1, 2, 5, 12, 30]),
                 BarSeries(name: "Pricing", values: [1, 1, 2, 3, 4]),
                 BarSeries(name: "Settlement", values: [2, 2, 2, 2, 2])],
        normalized: true)
    let writer = try ReportWriter(directory: directory)
    try writer.write([.svg("line.svg", line), .svg("grouped.svg", bars), .svg("stacked.svg", stacked),
                      .svg("panel.svg", ChartPanel([line, bars, stacked], title: "Fig. 4: market size"))])
}

@Suite("The progress line")
struct ProgressLineTests {
    @Test func estimatesTimeLeftOnlyOnceSomethingIsDone() {
        #expect(Progress.line("bench gateway", done: 0, of: 3, elapsed: 12) == "bench gateway: 0/3 (0%), 12 s elapsed")
        #expect(Progress.line("ch4-market", done: 1, of: 4, elapsed: 10) == "ch4-market: 1/4 (25%), 10 s elapsed, about 30 s left")
        #expect(Progress.line("x", done: 5, of: 5, elapsed: 2) == "x: 5/5 (100%), 2 s elapsed, about 0 s left")
    }
}
