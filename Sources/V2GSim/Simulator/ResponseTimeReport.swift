import FoundationEssentials

/// ch5-response-time: the response-time model of [T] §5.4 with Table 5.1's parameters, and a sweep.
enum ResponseTimeReport {
    static func build(options: SimulationOptions) throws -> [ReportArtifact] {
        let model = try ResponseTimeModel(.table5_1)
        let breakdown = model.breakdown()
        let sweep = try ResponseTimeModel.sweep()

        var raw = CSVTable(columns: ["exchanges", "evs", "round_s", "ledger_s", "computation_s", "communication_s",
                                    "ledger_share", "first_notification_s", "second_notification_s"])
        for point in sweep {
            let b = point.breakdown
            raw.append([.int(point.exchangeCount), .int(point.evCount), .double(b.round.seconds),
                        .double(b.round.ledger), .double(b.round.computation), .double(b.round.communication),
                        .double(b.ledgerShare), .double(b.campuses.map(\.firstResponse.seconds).max() ?? 0),
                        .double(b.secondResponse.seconds)])
        }
        var phases = CSVTable(columns: ["campus", "phase", "seconds", "ledger_s", "computation_s", "communication_s"])
        for (k, campus) in breakdown.campuses.enumerated() {
            let rows: [(String, ResponseTimeCost)] = [
                ("request collection (phase 1)", campus.requestCollection), ("allocation (phase 2)", campus.allocation),
                ("result upload (phase 3-1)", campus.resultUpload), ("first notification", campus.firstNotification),
                ("BoCS upload (phase 3-2)", campus.bocsUpload),
            ]
            for (name, cost) in rows {
                phases.append([.int(k + 1), .string(name), .double(cost.seconds), .double(cost.ledger),
                               .double(cost.computation), .double(cost.communication)])
            }
        }
        let first = breakdown.firstResponseShares()
        let second = breakdown.secondResponseShares
        var summary = JSONSummary.opening(.ch5ResponseTime, options: options, repetitions: 1)
        summary["table5_1"] = .object(JSONObject([
            ("roundS", .double(breakdown.round.seconds)), ("ledgerShare", .double(breakdown.ledgerShare)),
            ("computationShare", .double(breakdown.computationShare)),
            ("communicationShare", .double(breakdown.communicationShare)),
            ("firstResponseShares", .object(JSONObject([("phase1", .double(first.phase1)), ("phase2", .double(first.phase2)),
                                                          ("phase3_1", .double(first.phase3_1))]))),
            ("secondResponseShares", .object(JSONObject([
                ("phase1", .double(second.phase1)), ("phase2", .double(second.phase2)), ("phase3_2", .double(second.phase3_2)),
                ("phase4", .double(second.phase4)), ("phase5", .double(second.phase5))]))),
            ("secondResponseS", .double(breakdown.secondResponse.seconds)),
        ]))
        summary["publishedLedgerShare"] = .double(Published.ledgerShare)
        let shares = sweep.map(\.breakdown.ledgerShare)
        summary["sweepLedgerShareRange"] = .array([.double(shares.min() ?? 0), .double(shares.max() ?? 0)])

        // Fig. 5.5: the shares of time by kind, across EV counts, for each exchange count.
        let exchangeCounts = Array(Set(sweep.map(\.exchangeCount))).sorted()
        let charts = exchangeCounts.map { x -> SVGChart in
            let points = sweep.filter { $0.exchangeCount == x }.sorted { $0.evCount < $1.evCount }
            let categories = points.map { "\($0.evCount)" }
            return SVGChart.stackedBars(
                title: "\(x) exchanges per campus", xLabel: "EVs per campus", yLabel: "share of round time",
                categories: categories,
                series: [BarSeries(name: "ledger", values: points.map(\.breakdown.round.ledger)),
                         BarSeries(name: "computation", values: points.map(\.breakdown.round.computation)),
                         BarSeries(name: "communication", values: points.map(\.breakdown.round.communication))],
                normalized: true)
        }
        let figure = ChartPanel(charts, columns: charts.count, title: "Time cost ratios by kind ([T] Fig. 5.5)")
        let phaseChart = SVGChart.stackedBars(
            title: "Phases of the first and second notification (Table 5.1)", xLabel: "response", yLabel: "share",
            categories: ["first", "second"],
            series: [BarSeries(name: "phase 1", values: [first.phase1, second.phase1]),
                     BarSeries(name: "phase 2", values: [first.phase2, second.phase2]),
                     BarSeries(name: "phase 3", values: [first.phase3_1, second.phase3_2]),
                     BarSeries(name: "phase 4", values: [0, second.phase4]),
                     BarSeries(name: "phase 5", values: [0, second.phase5])],
            normalized: true)

        var report = MarkdownReport(title: "ch5-response-time: the response-time model ([T] §5.2, §5.4)")
        report.preamble(.ch5ResponseTime, options: options, repetitions: 1, parameters: [
            "The model is deterministic: seed and repetitions do not change it.",
            "Table 5.1's configuration as read in docs/response-time-model.md; ledger and network times the table "
                + "does not give are Hyperledger-Fabric-like values stated there, not fitted to the thesis.",
            "Sweep: 3 campuses, 3-5 exchanges, 75-900 EVs per campus.",
        ])
        report.image("response-time.svg", alt: "Share of ledger, computation and communication time across EV counts")
        report.image("phases.svg", alt: "Phase shares of the first and second notification")
        report.heading("Beside the published results")
        report.comparisonTable([
            .init(quantity: "ledger share of the round (%)", source: "[T] §5.4, Fig. 5.5", published: .double(73.8),
                  measured: .double((1000 * breakdown.ledgerShare).rounded() / 10),
                  note: "Table 5.1 configuration"),
            .init(quantity: "ledger share across the sweep (%)", source: "Fig. 5.5", published: .missing,
                  measured: .string(String(cFormat: "%.1f-%.1f", 100 * (shares.min() ?? 0), 100 * (shares.max() ?? 0)))),
            .init(quantity: "round time (s)", source: "—", published: .missing,
                  measured: .double((breakdown.round.seconds * 10).rounded() / 10)),
        ])
        report.paragraph("The gap is in the inputs, not the equations: the thesis's phase shares imply ledger steps "
                         + "that take minutes (block uploads as long as the whole allocation), while Table 5.1 gives "
                         + "no ledger or network times. With Fabric-like seconds the SRET allocation dominates the "
                         + "round at the table's sizes, and the ledger share only approaches the published 73.8 % at "
                         + "the smallest corner of the sweep. See docs/response-time-model.md for every equation "
                         + "and each reconstruction of garbled text.")
        return [.csv("sweep.csv", raw), .csv("phases.csv", phases), .json("summary.json", summary),
                .svg("response-time.svg", figure), .svg("phases.svg", phaseChart), .markdown("report.md", report)]
    }
}
