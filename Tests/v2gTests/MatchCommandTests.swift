import Foundation
import Testing
@testable import V2GGateway

/// Runs the built `v2g` executable, as a user would.
struct CLI {
    static var executable: URL {
        // Test bundles sit beside the products they were built with.
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<3 where !FileManager.default.fileExists(atPath: dir.appendingPathComponent("v2g").path) {
            dir.deleteLastPathComponent()
        }
        return dir.appendingPathComponent("v2g")
    }

    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
        var json: [String: Any]? {
            (try? JSONSerialization.jsonObject(with: Data(stdout.utf8))) as? [String: Any]
        }
    }

    /// Runs `v2g` with `arguments` and `stdin`; its output goes through files, so no pipe can fill up and stall it.
    static func run(_ arguments: [String], stdin: String = "") throws -> Run {
        let dir = try ScratchDirectory()
        try Data(stdin.utf8).write(to: URL(fileURLWithPath: dir.file("stdin")))
        let process = try ChildProcess(executable.path, arguments, standardInput: .file(dir.file("stdin")),
                                       standardOutput: .file(dir.file("stdout")), standardError: .file(dir.file("stderr")))
        let status: Int32 = switch process.wait() {
        case .exited(let code): code
        case .signalled(let number): 128 + number
        case nil: -1
        }
        let read = { (name: String) in String(decoding: FileManager.default.contents(atPath: dir.file(name)) ?? Data(), as: UTF8.self) }
        return Run(status: status, stdout: read("stdout"), stderr: read("stderr"))
    }
}

@Suite("v2g match")
struct MatchCommandTests {
    static let retJob = """
        {"algorithm": "ret", "chargerCapacityWh": 6000, "gamma1Ppm": 100000, "gamma2Ppm": 100000,
         "requests": [
           {"exchange": "E1", "consumer": "C1", "bid": 300000, "submittedAt": 1, "energyWh": 5000},
           {"exchange": "E1", "consumer": "C1", "bid": 300000, "submittedAt": 3, "energyWh": 4000},
           {"exchange": "E1", "consumer": "C2", "bid": 200000, "submittedAt": 2, "energyWh": 8000},
           {"exchange": "E2", "consumer": "C3", "bid": 250000, "submittedAt": 1, "energyWh": 6000, "kind": "demand"},
           {"exchange": "E2", "consumer": "C4", "bid": 100000, "submittedAt": 1, "energyWh": 2000}],
         "offers": [{"ev": "EV1", "energyWh": 7000}, {"ev": "EV2", "energyWh": 3000},
                    {"ev": "EV3", "energyWh": 5000, "capacityWh": 0}, {"ev": "EV4", "energyWh": 3000}],
         "penalties": {"consumers": [{"exchange": "E2", "consumer": "C3", "values": [500000]}],
                       "exchanges": []}}
        """

    @Test func retJobFromStdin() throws {
        let run = try CLI.run(["match"], stdin: Self.retJob)
        #expect(run.status == 0)
        #expect(run.stderr.isEmpty)
        let json = try #require(run.json)
        let allocations = try #require(json["allocations"] as? [[String: Any]])
        #expect(allocations.map { $0["ev"] as? String } == ["EV1", "EV2", "EV3", "EV4"])
        #expect(allocations.map { $0["consumer"] as? String } == ["C2", "C2", "C1", "C3"])
        #expect(allocations.map { $0["energyWh"] as? Int } == [6000, 2000, 4000, 3000])
        let requests = try #require(json["requests"] as? [[String: Any]])
        #expect(requests.map { $0["demandWh"] as? Int } == [8000, 4000, 3000, 2000])
        #expect(requests.map { $0["fulfilled"] as? Bool } == [true, true, true, false])
        let totals = try #require(json["totals"] as? [String: Any])
        #expect(totals["demandWh"] as? Int == 17000)
        #expect(totals["allocatedWh"] as? Int == 15000)
        #expect(totals["fulfilledRequests"] as? Int == 3)
        // 0.2 × 6000 + 0.2 × 2000 + 0.3 × 4000 + 0.25 × 3000 = 1200 + 400 + 1200 + 750 currency units
        #expect(totals["profitMicro"] as? Int == 3_550_000)
    }

    @Test func prosumerJobsFromFile() throws {
        let job = """
            {"algorithm": "ALGO",
             "requests": [{"exchange": "grid", "consumer": "P1", "bid": 0, "submittedAt": 2, "energyWh": 1000},
                          {"exchange": "grid", "consumer": "P2", "bid": 0, "submittedAt": 1, "energyWh": 5000, "kind": "surplus"}],
             "offers": [{"ev": "A", "energyWh": 4000, "capacityWh": 3000}, {"ev": "B", "energyWh": 0, "capacityWh": 9000},
                        {"ev": "C", "energyWh": 2500}]}
            """
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("v2g-match-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var traded: [String: Int] = [:]
        for algorithm in ["greedy", "hungarian"] {
            let file = dir.appendingPathComponent("\(algorithm).json")
            try job.replacingOccurrences(of: "ALGO", with: algorithm).write(to: file, atomically: true, encoding: .utf8)
            let run = try CLI.run(["match", file.path])
            #expect(run.status == 0, "\(run.stderr)")
            let totals = try #require(run.json?["totals"] as? [String: Any])
            traded[algorithm] = totals["allocatedWh"] as? Int
        }
        #expect(traded == ["greedy": 4000, "hungarian": 6000])
    }

    @Test(arguments: [
        ("{not json", "input is not valid JSON: line 1, column 2: expected a member name in quotes, found 'n'"),
        ("{\"algorithm\": \"ret\",\n  \"requests\": [\n    {\"bid\" 1}]}", "line 3, column 12: expected ':' after the member name, found '1'"),
        ("", "line 1, column 1: expected a value, found the end of the input"),
        (#"{"algorithm": "magic", "requests": [], "offers": []}"#, "algorithm: unknown algorithm \"magic\""),
        (#"{"algorithm": "ret", "offers": []}"#, "requests: missing required field"),
        (#"{"algorithm": "ret", "requests": [{"exchange": "E", "consumer": "C", "bid": 1, "submittedAt": 0, "energyWh": -5}], "offers": []}"#,
         "requests[0].energyWh: must not be negative"),
        (#"{"algorithm": "ret", "requests": [{"exchange": "E", "consumer": "C", "bid": 1, "submittedAt": 0}], "offers": []}"#,
         "requests[0].energyWh: missing required field"),
        (#"{"algorithm": "ret", "requests": [], "offers": [{"ev": "A", "energyWh": 1}, {"ev": "A", "energyWh": 2}]}"#,
         "offers[1].ev: duplicate EV ID \"A\""),
        (#"{"algorithm": "ret", "requests": [], "offers": [{"ev": "A", "energyWh": 1.5}]}"#,
         "offers[0].energyWh: must be an integer"),
        (#"{"algorithm": "ret", "requests": [], "offers": [{"ev": "A", "energyWH": 1}]}"#,
         "offers[0].energyWH: unknown field"),
        (#"{"algorithm": "ret", "gamma1Ppm": 1000001, "requests": [], "offers": []}"#, "gamma1Ppm: must be a ratio"),
        (#"{"algorithm": "greedy", "requests": [], "offers": [], "penalties": {"exchanges": [{"exchange": "E", "values": [1]}]}}"#,
         "penalties: penalty lists apply to the ret and sret algorithms only"),
        (#"{"algorithm": "sret-double", "requests": [], "offers": []}"#, "chargerPowerW: missing required field"),
        (#"{"algorithm": "sret-double", "chargerPowerW": 3600, "requests": [{"exchange": "E", "consumer": "C", "bid": 1, "submittedAt": 0, "energyWh": 1, "start": 5, "end": 5}], "offers": []}"#,
         "requests[0]: invalid window: end (5) must be after start (5)"),
        (#"{"algorithm": "sret-single-count", "chargerPowerW": 3600, "requests": [{"exchange": "E", "consumer": "C", "bid": 1, "submittedAt": 0, "energyWh": 2, "start": 0, "end": 1}], "offers": []}"#,
         "requests[0]: draws 2 Wh over 1 s, more than chargerPowerW (3600 W) can deliver"),
        (#"{"algorithm": "sret-double", "chargerPowerW": 3600, "requests": [], "offers": [{"ev": "A", "energyWh": 1, "start": 0}]}"#,
         "offers[0].end: missing required field"),
        (#"{"algorithm": "double-auction", "requests": [], "offers": [{"ev": "A", "energyWh": 1}]}"#,
         "offers[0].ask: missing required field"),
        (#"{"algorithm": "sret-double", "chargerPowerW": 3600, "requests": [{"exchange": "E", "consumer": "C", "bid": 1, "submittedAt": 0, "energyWh": 1, "start": 0, "end": 9, "kind": "surplus"}], "offers": []}"#,
         "requests[0].kind: sret-double serves demand only"),
        // Values it accepts must not trap later: products and sums beyond 64 bits are errors naming the field.
        (#"{"algorithm": "sret-double", "chargerPowerW": 9223372036854775807, "requests": [{"exchange": "E", "consumer": "C", "bid": 1, "submittedAt": 0, "energyWh": 9223372036854775807, "start": 0, "end": 10}], "offers": []}"#,
         "requests[0]: draws 9223372036854775807 Wh over 10 s"),
        (#"{"algorithm": "sret-double", "chargerPowerW": 1, "requests": [{"exchange": "E", "consumer": "C", "bid": 1, "submittedAt": 0, "energyWh": 1, "start": -9007199254740992, "end": 9223372036854775807}], "offers": []}"#,
         "requests[0]: invalid window: from -9007199254740992 to 9223372036854775807 is longer than the 64-bit range"),
        (#"{"algorithm": "ret", "chargerCapacityWh": 9223372036854775807, "requests": [{"exchange": "E", "consumer": "a", "bid": 1, "submittedAt": 0, "energyWh": 9223372036854775807}, {"exchange": "E", "consumer": "b", "bid": 1, "submittedAt": 0, "energyWh": 9223372036854775807}], "offers": [{"ev": "v", "energyWh": 9223372036854775807}, {"ev": "w", "energyWh": 9223372036854775807}]}"#,
         "totals: the total demand exceeds the 64-bit range"),
    ])
    func badInputNamesTheField(job: String, expected: String) throws {
        let run = try CLI.run(["match", "-"], stdin: job)
        #expect(run.status == 2)
        #expect(run.stdout.isEmpty)
        #expect(run.stderr.contains(expected), "stderr was: \(run.stderr)")
        #expect(run.stderr.split(separator: "\n").count == 1)
    }

    /// The single-boundary case worked by hand in tests/c/test_sret.c, through the CLI: allocations carry their interval.
    @Test func sretJobReportsIntervals() throws {
        let job = """
            {"algorithm": "sret-single-energy", "chargerPowerW": 36000,
             "requests": [{"exchange": "E", "consumer": "r", "bid": 500000, "submittedAt": 0, "energyWh": 100, "start": 0, "end": 10}],
             "offers": [{"ev": "X", "energyWh": 60, "start": 0, "end": 6}, {"ev": "Y", "energyWh": 100, "start": 4, "end": 12},
                        {"ev": "Z", "energyWh": 30, "start": 0, "end": 3}]}
            """
        let run = try CLI.run(["match"], stdin: job)
        #expect(run.status == 0, "\(run.stderr)")
        let allocations = try #require(run.json?["allocations"] as? [[String: Any]])
        #expect(allocations.map { $0["ev"] as? String } == ["X", "Y"])
        #expect(allocations.map { $0["start"] as? Int } == [0, 6])
        #expect(allocations.map { $0["end"] as? Int } == [6, 10])
        #expect(allocations.map { $0["energyWh"] as? Int } == [60, 40])
        let totals = try #require(run.json?["totals"] as? [String: Any])
        #expect(totals["profitMicro"] as? Int == 50_000) // 500000 µ/kWh x 100 Wh / 1000
    }

    /// McAfee by hand: bids 40, 30, 10 (1000 Wh each), asks 5, 20, 35. The efficient walk trades bids 40 and
    /// 30 with asks 5 and 20 (10 < 35 stops it); the next bid and ask give p = floor((10 + 35) / 2) = 22, and
    /// 20 <= 22 <= 30, so both trades clear at the uniform price and nothing is reduced.
    @Test func doubleAuctionJob() throws {
        let job = """
            {"algorithm": "double-auction",
             "requests": [{"exchange": "E", "consumer": "a", "bid": 40, "submittedAt": 0, "energyWh": 1000},
                          {"exchange": "E", "consumer": "b", "bid": 30, "submittedAt": 0, "energyWh": 1000},
                          {"exchange": "E", "consumer": "c", "bid": 10, "submittedAt": 0, "energyWh": 1000}],
             "offers": [{"ev": "X", "energyWh": 1000, "ask": 5}, {"ev": "Y", "energyWh": 1000, "ask": 20},
                        {"ev": "Z", "energyWh": 1000, "ask": 35}]}
            """
        let run = try CLI.run(["match"], stdin: job)
        #expect(run.status == 0, "\(run.stderr)")
        let allocations = try #require(run.json?["allocations"] as? [[String: Any]])
        #expect(allocations.map { $0["consumer"] as? String } == ["a", "b"])
        #expect(allocations.map { $0["ev"] as? String } == ["X", "Y"])
        let totals = try #require(run.json?["totals"] as? [String: Any])
        #expect(totals["fulfilledRequests"] as? Int == 2)
        #expect(totals["allocatedWh"] as? Int == 2000)
    }

    @Test func anOptimalMatchingTooLargeToHoldIsRefusedBeforeAllocating() throws {
        let n = 5000   // 25 million cells: 200 MB of costs before this limit
        let requests = (0..<n).map { #"{"exchange": "E", "consumer": "c\#($0)", "bid": 1, "submittedAt": 0, "energyWh": 5}"# }
        let offers = (0..<n).map { #"{"ev": "v\#($0)", "energyWh": 5}"# }
        let job = #"{"algorithm": "hungarian", "requests": ["# + requests.joined(separator: ",") + #"], "offers": ["#
            + offers.joined(separator: ",") + "]}"
        let run = try CLI.run(["match", "-"], stdin: job)
        #expect(run.status == 2)
        #expect(run.stderr == "v2g: error: offers: an optimal matching of 5000 requests × 5000 EVs exceeds 16777216 cells\n")
    }

    @Test func controlCharactersEchoedFromTheInputStayOnOneLine() throws {
        let job = #"{"algorithm": "ret", "requests": [], "offers": [{"ev": "A\nB\u001b[31m", "energyWh": 1}, {"ev": "A\nB\u001b[31m", "energyWh": 2}]}"#
        let run = try CLI.run(["match", "-"], stdin: job)
        #expect(run.status == 2)
        #expect(run.stderr == "v2g: error: offers[1].ev: duplicate EV ID \"A\\nB\\u{1b}[31m\" (first at offers[0].ev)\n")
    }

    @Test func missingFileIsBadInput() throws {
        let run = try CLI.run(["match", "/nonexistent/job.json"])
        #expect(run.status == 2)
        #expect(run.stdout.isEmpty)
        #expect(run.stderr.contains("cannot read /nonexistent/job.json"))
    }
}
