import Foundation
import Testing
import V2GGateway
import V2GKit
import V2GLedger
import V2GNode
import V2GTransport

/// The gateway's config and metrics, through the library (the CLI's subprocess tests cover `v2g node`).
@Suite("Gateway config and metrics")
struct ConfigAndMetricsTests {
    /// A key file in `dir`, and the config text of a control system with a campus and rounds.
    static func controlSystem(_ dir: ScratchDirectory, algorithm: String = "sret-double") throws -> (String, SigningKey, [SigningKey]) {
        let key = try SigningKey(), endorser = try SigningKey(), exchange = try SigningKey(), ev = try SigningKey()
        try KeyFile.write(key, to: dir.path("cs.key"))
        let text = """
            role = "control-system"
            key_file = "cs.key"
            data_dir = "data"
            [network]
            listen = "tcp://127.0.0.1:*"
            members = ["\(endorser.publicKey)", "\(exchange.publicKey)"]
            [[network.peers]]
            endpoint = "tcp://127.0.0.1:7402"
            public_key = "\(endorser.publicKey)"
            [matcher]
            algorithm = "\(algorithm)"
            charger_capacity_wh = 30000
            charger_power_w = 7000
            [campus]
            name = "A"
            endorsers = ["\(endorser.publicKey)"]
            endorsements_required = 1
            exchanges = [{ name = "x1", public_key = "\(exchange.publicKey)" }]
            evs = [{ name = "v1", public_key = "\(ev.publicKey)" }]
            [rounds]
            count = 3
            interval_ms = 2000
            """
        return (text, key, [endorser, exchange, ev])
    }

    @Test func aControlSystemConfigReadsIntoItsSettings() throws {
        let dir = try ScratchDirectory()
        let (text, key, others) = try Self.controlSystem(dir)
        let (config, read) = try GatewayConfig.parse(toml: text, base: dir.url.path)
        #expect(read.publicKey == key.publicKey)
        #expect(config.role == .controlSystem)
        #expect(config.dataDir == dir.path("data") && config.storePath == dir.path("data/ledger.db"))
        #expect(config.peers == [Neighbour(endpoint: "tcp://127.0.0.1:7402", key: others[0].publicKey)])
        #expect(config.matcher?.algorithm == .sretDouble && config.matcher?.chargerPowerW == 7000)
        #expect(config.roles.campus?.exchanges == ["x1": others[1].publicKey])
        #expect(config.roles.rounds?.count == 3 && config.roles.rounds?.interval == .seconds(2))
        #expect(config.roles.rounds?.collect == .seconds(1))   // half the interval by default
    }

    /// `v2g bench gateway`'s control system names 10,000 vehicles in its roster (1 MB of TOML), which a 1 MiB
    /// read limit once refused; past the limit the file is refused in one line, whatever it holds.
    @Test func aRosterOfTwentyThousandVehiclesIsReadAndAnOversizedFileRefused() throws {
        let dir = try ScratchDirectory()
        let (text, _, _) = try Self.controlSystem(dir)
        let evs = try (1...20_000).map { i in "    { name = \"w\(i)\", public_key = \"\(try SigningKey().publicKey)\" }," }
        let big = text.replacingOccurrences(of: "evs = [", with: "evs = [\n" + evs.joined(separator: "\n") + "\n")
        #expect(big.utf8.count > 2 << 20)
        try big.write(toFile: dir.path("cs.toml"), atomically: true, encoding: .utf8)
        let (config, _) = try GatewayConfig.load(path: dir.path("cs.toml"))
        #expect(config.roles.campus?.evs.count == 20_001)

        let huge = dir.path("huge.toml")
        #expect(FileManager.default.createFile(atPath: huge, contents: nil))
        #expect(truncate(huge, off_t(GatewayConfig.maxConfigBytes + 1)) == 0)
        #expect { try GatewayConfig.load(path: huge) } throws: {
            "\($0)" == "cannot read \(huge): longer than \(GatewayConfig.maxConfigBytes) bytes"
        }
    }

    @Test func theMemoryGuardIsOnByDefaultAndSetOrTurnedOffInTheNetworkTable() throws {
        let dir = try ScratchDirectory()
        let (text, _, _) = try Self.controlSystem(dir)
        let members = "members = "
        func guardOf(_ line: String?) throws -> Int? {
            let changed = line.map { text.replacingOccurrences(of: members, with: "\($0)\n\(members)") } ?? text
            return try GatewayConfig.parse(toml: changed, base: dir.url.path).0.networkLimits.maxResidentBytes
        }
        #expect(try guardOf(nil) == 512 << 20)
        #expect(try guardOf("max_resident_mib = 96") == 96 << 20)
        #expect(try guardOf("max_resident_mib = 0") == nil)
        #expect { try guardOf("max_resident_mib = -1") } throws: { "\($0)".hasPrefix("network.max_resident_mib:") }
    }

    @Test(arguments: [
        ("greedy", "matcher.algorithm: a control system runs rounds with ret, sret-double, sret-double-best-fit, sret-single-energy, sret-single-count, not greedy"),
        ("nonsense", "matcher.algorithm: unknown algorithm \"nonsense\""),
    ])
    func aMatcherThatCannotRunRoundsNamesItsKey(algorithm: String, message: String) throws {
        let dir = try ScratchDirectory()
        let (text, _, _) = try Self.controlSystem(dir, algorithm: algorithm)
        #expect { try GatewayConfig.parse(toml: text, base: dir.url.path) } throws: { error in
            "\(error)".hasPrefix(message)
        }
    }

    /// Found by fuzzing TOMLKit, whose parser asserted (SIGABRT) on a table header followed by a control
    /// character; kept for our own reader, which must report it.
    @Test func aControlCharacterIsAnErrorNotACrash() throws {
        let dir = try ScratchDirectory()
        #expect { try GatewayConfig.parse(toml: "s=[]\ne=[]\nv=[#\n]\n[\u{08}", base: dir.url.path) } throws: { error in
            "\(error)" == "not valid TOML: line 5, column 2: expected a key, found control character U+8"
        }
    }

    /// Found by fuzzing TOMLKit, whose parser asserted (SIGABRT) on each of these shapes; our reader reports them.
    @Test(arguments: [
        ("[.", "line 1, column 2: expected a key, found \".\""),
        ("s=[\"\"]\n[ ,", "line 2, column 3: expected a key, found \",\""),
        ("a=1 # [.\n\n[[ +x]]", "line 3, column 4: expected a key, found \"+\""),
        ("[\u{FFFD}]", "line 1, column 2: expected a key, found U+FFFD (TOML allows only ASCII outside strings and comments)"),
        ("i=\"\"\nr=[\"\",}", "line 2, column 7: expected a value, found \"}\""),
        ("r=[1, # c\n  }", "line 2, column 3: expected a value, found \"}\""),
        ("r=[\u{2028}]", "line 1, column 4: expected a value, found U+2028 (TOML allows only ASCII outside strings and comments)"),
        ("a=1 # bell\u{07}", "line 1, column 11: control character U+7 (TOML allows none but tab)"),
    ])
    func aShapeTheParserTrapsOnIsAnErrorNotACrash(text: String, message: String) throws {
        let dir = try ScratchDirectory()
        #expect { try GatewayConfig.parse(toml: text, base: dir.url.path) } throws: { error in
            "\(error)" == "not valid TOML: \(message)"
        }
    }

    /// Valid TOML that looks like these shapes is read: brackets inside values, strings and comments are not headers.
    @Test func validTOMLThatLooksLikeABadHeaderReachesTheSchemaCheck() throws {
        let dir = try ScratchDirectory()
        let text = "x = [\n  [ +1 ],\n  [ -2 ], # café }\n]\ny = \"\"\"\n[.\n\"\"\"\nz = '[,' # [.\nw = { a = [\n[ +3 ]] }\n"
            + "v = [{ a = \"ünï ✓\" }, { b = [1, ] },\n]\n"
        #expect { try GatewayConfig.parse(toml: text, base: dir.url.path) } throws: { error in
            "\(error)".hasPrefix("v: unknown key")
        }
    }

    @Test func thePoolHoldsWhatTheNetworkTableSays() throws {
        let dir = try ScratchDirectory()
        let (text, _, _) = try Self.controlSystem(dir)
        let withPool = text.replacingOccurrences(of: "[network]\n", with: "[network]\nmax_pool = 16384\n")
        #expect(try GatewayConfig.parse(toml: text, base: dir.url.path).0.maxPool == 4096)
        #expect(try GatewayConfig.parse(toml: withPool, base: dir.url.path).0.maxPool == 16384)
        let tiny = text.replacingOccurrences(of: "[network]\n", with: "[network]\nmax_pool = 10\n")
        #expect { try GatewayConfig.parse(toml: tiny, base: dir.url.path) } throws: { error in
            "\(error)".hasPrefix("network.max_pool: must be within 64...1048576")
        }
    }

    @Test func metricsStayOnLoopbackUnlessRemoteAccessIsAllowed() throws {
        let dir = try ScratchDirectory()
        let (text, _, _) = try Self.controlSystem(dir)
        func parse(_ metrics: String) throws -> GatewayConfig {
            try GatewayConfig.parse(toml: text + "\n[metrics]\n" + metrics, base: dir.url.path).0
        }
        #expect(try parse("listen = \"127.0.0.1:9403\"").metricsAddress == "127.0.0.1")
        #expect(try parse("listen = \"localhost:9403\"").metricsAddress == "127.0.0.1")
        let open = try parse("listen = \"0.0.0.0:9403\"\nallow_remote = true")
        #expect(open.metricsAddress == "0.0.0.0" && open.metricsPort == 9403)
        for (metrics, message) in [
            ("listen = \"0.0.0.0:9403\"", "metrics.listen: 0.0.0.0 is reachable from other hosts"),
            ("listen = \"10.0.0.5:9403\"\nallow_remote = false", "metrics.listen: 10.0.0.5 is reachable"),
            ("listen = \"256.0.0.1:9403\"", "metrics.listen: expected \"ADDRESS:PORT\""),
            ("listen = \"127.0.0.1:0\"", "metrics.listen: expected \"ADDRESS:PORT\""),
            ("listen = \"127.0.0.1:9403\"\nallow_remote = \"yes\"", "metrics.allow_remote: expected true or false"),
        ] {
            #expect { try parse(metrics) } throws: { error in
                "\(error)".hasPrefix(message) || { Issue.record("\(error)"); return false }()
            }
        }
    }

    @Test func metricsReportTheNodeAndTheLastRound() throws {
        let key = try SigningKey()
        let node = try LedgerNode(key: key, configuration: LedgerNodeConfiguration(peer: PeerConfiguration(members: [key.publicKey])))
        defer { node.stop() }
        let metrics = GatewayMetrics(role: .controlSystem, key: key.publicKey, configuredPeers: 2)
        #expect(metrics.render().contains("v2g_node_info{role=\"control-system\",public_key=\"\(key.publicKey)\"} 1"))
        metrics.attach(node)
        var line = RoundLine(campus: "A", round: 7)
        line.phases.total = 1500
        metrics.record(line)
        let text = metrics.render()
        line.phases.total = 40
        metrics.record(line)
        let text2 = metrics.render()
        for expected in ["v2g_peers_configured 2", "v2g_rounds_total 2",
                         // 1.5 s and 0.04 s: one observation at most 0.05 s, both at most 2.5 s
                         "v2g_round_phase_duration_seconds_bucket{phase=\"total\",le=\"0.025\"} 0",
                         "v2g_round_phase_duration_seconds_bucket{phase=\"total\",le=\"0.05\"} 1",
                         "v2g_round_phase_duration_seconds_bucket{phase=\"total\",le=\"1\"} 1",
                         "v2g_round_phase_duration_seconds_bucket{phase=\"total\",le=\"2.5\"} 2",
                         "v2g_round_phase_duration_seconds_bucket{phase=\"total\",le=\"+Inf\"} 2",
                         "v2g_round_phase_duration_seconds_sum{phase=\"total\"} 1.54",
                         "v2g_round_phase_duration_seconds_count{phase=\"total\"} 2",
                         "# TYPE v2g_round_phase_duration_seconds histogram",
                         "v2g_pool_refusals_total{reason=\"pool_full\"} 0", "v2g_requests_dropped_total 0",
                         "v2g_block_rejections_total{reason=\"bad_signature\"} 0",
                         "v2g_build_info{version=\"\(coreVersion)\",c_core=\"\(coreVersion)\",arch=\"x86_64\"} 1",
                         "# TYPE process_cpu_seconds_total counter", "# TYPE process_open_fds gauge"] {
            #expect(text2.contains(expected), "\(expected)")
        }
        #expect(text.contains("v2g_round_phase_duration_seconds_count{phase=\"total\"} 1"))
        // The process figures are this process's: resident memory between 1 MiB and 64 GiB, some descriptors open.
        let rss = text2.split(separator: "\n").first { $0.hasPrefix("process_resident_memory_bytes ") }
            .flatMap { Int($0.split(separator: " ")[1]) }
        #expect(rss.map { (1 << 20)...(64 << 30) ~= $0 } == true)
        let fds = text2.split(separator: "\n").first { $0.hasPrefix("process_open_fds ") }.flatMap { Int($0.split(separator: " ")[1]) }
        #expect(fds.map { $0 >= 3 } == true)
    }
}
