import Foundation
import Testing

@Suite("v2g forecast and the forecasting experiments")
struct ForecastCommandTests {
    @Test(arguments: ["load", "trip"])
    func trainThenPredictOnGeneratedData(_ kind: String) throws {
        let dir = try ScratchDirectory()
        #expect(try CLI.run(["forecast", "example", "--kind", kind, "--count", "600", "--out", dir.file("data.csv")]).status == 0)
        let train = try CLI.run(["forecast", "train", "--kind", kind, "--data", dir.file("data.csv"), "--out", dir.file("m.v2gnn"),
                                 "--epochs", "3"])
        #expect(train.status == 0, "\(train.stderr)")
        // Progress per epoch on standard error; the model's SHA-256 on standard output and in m.v2gnn.json.
        #expect(train.stderr.split(separator: "\n").filter { $0.hasPrefix("epoch ") }.count == 3)
        let info = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir.file("m.v2gnn.json"))))
                                as? [String: Any])
        let sha = try #require(info["sha256"] as? String)
        #expect(sha.count == 64 && train.stdout.contains(sha))
        let predict = try CLI.run(["forecast", "predict", "--model", dir.file("m.v2gnn"), "--data", dir.file("data.csv")])
        #expect(predict.status == 0, "\(predict.stderr)")
        let lines = predict.stdout.split(separator: "\n")
        let rows = try String(contentsOfFile: dir.file("data.csv"), encoding: .utf8).split(separator: "\n").count - 1
        #expect(lines.count == 1 + (kind == "load" ? rows - 3 : rows))
        #expect(lines.dropFirst().allSatisfy { $0.split(separator: ",").dropFirst().allSatisfy { Double($0).map { $0 >= 0 } == true } })

        // A model whose bytes were changed is refused: its digest no longer matches.
        var bytes = try Data(contentsOf: URL(fileURLWithPath: dir.file("m.v2gnn")))
        bytes[bytes.count - 3] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: dir.file("m.v2gnn")))
        let refused = try CLI.run(["forecast", "predict", "--model", dir.file("m.v2gnn"), "--data", dir.file("data.csv")])
        #expect(refused.status == 2 && refused.stderr.contains("SHA-256"))
    }

    @Test func badDataNamesTheLineAndColumn() throws {
        let dir = try ScratchDirectory()
        try "time_s,consumption_wh,production_wh\n0,1,2\n60,x,3\n".write(toFile: dir.file("bad.csv"), atomically: true, encoding: .utf8)
        let run = try CLI.run(["forecast", "train", "--kind", "load", "--data", dir.file("bad.csv"), "--out", dir.file("m")])
        #expect(run.status == 2 && run.stderr.contains("line 3, column consumption_wh"), "\(run.stderr)")
        try "time_s,consumption_wh\n0,1\n".write(toFile: dir.file("short.csv"), atomically: true, encoding: .utf8)
        let missing = try CLI.run(["forecast", "train", "--kind", "load", "--data", dir.file("short.csv"), "--out", dir.file("m")])
        #expect(missing.status == 2 && missing.stderr.contains("missing column production_wh"))
    }

    /// Values the parser accepted used to trap later (a Double too large for an Int): now each is named.
    @Test func hugeOrFractionalValuesAreNamedNotTrapped() throws {
        let dir = try ScratchDirectory()
        #expect(try CLI.run(["forecast", "example", "--kind", "trip", "--count", "60", "--out", dir.file("trips.csv")]).status == 0)
        #expect(try CLI.run(["forecast", "train", "--kind", "trip", "--data", dir.file("trips.csv"), "--out", dir.file("m"),
                             "--epochs", "1", "--quiet"]).status == 0)
        let lines = try String(contentsOfFile: dir.file("trips.csv"), encoding: .utf8).split(separator: "\n").map(String.init)
        for (column, value, expected) in [(0, "1e300", "column start_hour: not a number within ±10^12"),
                                          (11, "1e11", "ev_model must be a whole number within 0...3"),
                                          (1, "2.5", "weekday must be a whole number within 0...6"),
                                          (9, "-1", "age must be a whole number within 0...150")] {
            var row = lines[1].split(separator: ",").map(String.init)
            row[column] = value
            try (lines[0] + "\n" + row.joined(separator: ",") + "\n").write(toFile: dir.file("bad.csv"), atomically: true, encoding: .utf8)
            let run = try CLI.run(["forecast", "predict", "--model", dir.file("m"), "--data", dir.file("bad.csv")])
            #expect(run.status == 2 && run.stderr.contains(expected), "\(run.stderr)")
            #expect(run.stdout.isEmpty)
        }
    }

    /// p-forecast anchors every global model on a ledger: models.db verifies and holds one model update per model.
    @Test func pForecastAnchorsEachGlobalModel() throws {
        let dir = try ScratchDirectory()
        let run = try CLI.run(["simulate", "p-forecast", "--out", dir.file("pf"), "--pretrain-rounds", "2", "--day-hours", "2", "--quiet"])
        #expect(run.status == 0, "\(run.stderr)")
        let models = try String(contentsOfFile: dir.file("pf/models.csv"), encoding: .utf8).split(whereSeparator: \.isNewline).dropFirst()
        #expect(models.count == 4)   // 2 before the day, 2 hourly rounds
        let verify = try CLI.run(["ledger", "verify", dir.file("pf/models.db")])
        #expect(verify.status == 0 && verify.stdout.contains("BoEV h=4"), "\(verify.stdout) \(verify.stderr)")
        let show = try CLI.run(["ledger", "show", dir.file("pf/models.db"), "--channel", "boev", "--height", "4"])
        let lastDigest = String(models.last!.split(separator: ",").last!)
        #expect(show.stdout.contains(String(lastDigest.prefix(12))), "\(show.stdout)")
        let summary = try String(contentsOfFile: dir.file("pf/report.md"), encoding: .utf8)
        #expect(summary.contains("Table III"))
    }
}
