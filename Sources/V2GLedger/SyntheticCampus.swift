import V2GKit

/// A campus on one process (`CampusNetwork`) trading generated rounds: three exchanges, five EVs, and two
/// consumers that take nothing; what `v2g ledger demo` and the crash-safety test write.
public final class SyntheticCampus {
    public let network: CampusNetwork
    private var rng: SplitMix64
    public static let exchanges = ["E1", "E2", "E3"]
    public static let evs = ["EV1", "EV2", "EV3", "EV4", "EV5"]
    /// Consumers that win energy and never take it ([T] §4.2's fake consumers).
    public static let fakes: Set<String> = ["E1/F1", "E3/F2"]

    public init(seed: UInt64) throws {
        network = try CampusNetwork(exchanges: Self.exchanges, evs: Self.evs)
        rng = SplitMix64(seed: seed)
    }

    /// Writes the genesis blocks and `rounds` (at least 1) rounds, appending every block to `store` (if any) as soon
    /// as it is sealed.
    public func run(rounds: Int, into store: LedgerStore? = nil, committed: (Int64) -> Void = { _ in },
             round report: (UInt64, MatchResult) -> Void = { _, _ in }) throws {
        var stored = 0
        func persist() throws {
            guard let store else { return }
            while stored < network.blocks.count {
                committed(try store.append(network.blocks[stored]))
                stored += 1
            }
        }
        try network.start()
        try persist()
        for round in UInt64(1)...UInt64(rounds) {
            var requests: [String: [RequestListPayload.Entry]] = [:]
            for exchange in Self.exchanges {
                var entries: [RequestListPayload.Entry] = []
                for c in 1...rng.int(1...3) {
                    entries.append(.init(consumer: "C\(c)", bid: rng.int(200_000...400_000), submittedAt: rng.int(0...59),
                                         energyWh: rng.int(1_000...8_000)))
                }
                for fake in Self.fakes where fake.hasPrefix(exchange + "/") {
                    entries.append(.init(consumer: String(fake.dropFirst(exchange.count + 1)), bid: rng.int(350_000...450_000),
                                         submittedAt: rng.int(0...59), energyWh: rng.int(4_000...9_000)))
                }
                requests[exchange] = entries
            }
            let offers = Self.evs.map { OfferPayload(ev: $0, round: round, energyWh: rng.int(2_000...10_000)) }
            let result = try network.runRound(round, requests: requests, offers: offers, chargerCapacityWh: 7_000) { request, allocated in
                Self.fakes.contains("\(request.exchange)/\(request.entry.consumer)") ? 0 : allocated
            }
            try persist()
            report(round, result)
        }
    }
}
