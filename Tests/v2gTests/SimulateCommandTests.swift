import Foundation
import Testing

@Suite("v2g simulate")
struct SimulateCommandTests {
    @Test func writesTheReportFiles() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("v2g-simulate-\(getpid())")
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try CLI.run(["simulate", "ch4-exchange-attack", "--repetitions", "2", "--seed", "5", "--quiet",
                               "--out", dir.path])
        #expect(run.status == 0, "\(run.stderr)")
        for file in ["exchange-attack.csv", "summary.json", "exchange-attack.svg", "report.md"] {
            #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent(file).path), "\(file)")
        }
        // 10 rounds x 2 repetitions x with/without RET, plus the header.
        let csv = try String(contentsOf: dir.appendingPathComponent("exchange-attack.csv"), encoding: .utf8)
        #expect(csv.split(whereSeparator: \.isNewline).count == 1 + 10 * 2 * 2)
        let report = try String(contentsOf: dir.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(report.contains("Fig. 4.9"))
        #expect(report.contains("exchange-attack.svg"))
        // The same seed writes the same numbers.
        let again = try CLI.run(["simulate", "ch4-exchange-attack", "--repetitions", "2", "--seed", "5", "--quiet",
                                 "--out", dir.path + "-2"])
        defer { try? FileManager.default.removeItem(atPath: dir.path + "-2") }
        #expect(again.status == 0)
        #expect(try String(contentsOfFile: dir.path + "-2/exchange-attack.csv", encoding: .utf8) == csv)
    }

    @Test func badInputIsExitTwo() throws {
        let unknown = try CLI.run(["simulate", "ch9-everything"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("unknown experiment \"ch9-everything\""))
        let profiles = try CLI.run(["simulate", "p-prosumers", "--profiles", "/nonexistent.csv"])
        #expect(profiles.status == 2)
        #expect(profiles.stderr.contains("cannot read /nonexistent.csv"))
        let gamma = try CLI.run(["simulate", "ch4-consumer-attack", "--gamma1-ppm", "2000000"])
        #expect(gamma.status == 2)
    }
}
