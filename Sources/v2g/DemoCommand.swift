import ArgumentParser
import FoundationEssentials
import V2GKit
import V2GLedger
import V2GSim

/// `v2g demo`: the network demo (default) or the in-process market walk-through.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run a demo: a multi-process trading network (default), or the market walk-through in one process.",
        subcommands: [NetworkDemoCommand.self, MarketDemoCommand.self],
        defaultSubcommand: NetworkDemoCommand.self)
}

/// `v2g demo market`: complete in-process trading rounds on generated data.
struct MarketDemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "market",
        abstract: "Run V2GNet trading rounds (RET with penalties) and a prosumer period (greedy vs Hungarian) in one process.")

    @Option(help: "Seed for the generated consumers, EVs and deliveries.")
    var seed: UInt64 = 2024

    @Option(help: "Number of V2GNet trading rounds.")
    var rounds: Int = 3

    func run() throws {
        guard rounds > 0 else { throw CommandFailure.badInput("--rounds must be at least 1") }
        var rng = SplitMix64(seed: seed)
        let market = DemoMarket.generate(using: &rng)
        print("V2GKit \(coreVersion) demo — seed \(seed)")
        print("Campus: \(market.exchanges.count) exchanges, \(market.consumers.count) consumers, "
              + "\(market.evs.count) EVs; exchange \(market.maliciousExchange) fabricates half its consumers, "
              + "consumer \(market.maliciousConsumer) floods requests it never takes.\n")
        var book = PenaltyBook()
        var balances: [String: Int64] = [:]
        for round in 1...rounds {
            try MarketRoundPrinter.run(market, round: round, penalties: &book, balances: &balances, rng: &rng)
        }
        let total = balances.values.reduce(0, +)
        print("Settlement after \(rounds) rounds: \(balances.count) accounts, sum of balances \(total) µ¥ "
              + "(money moves between accounts, none is created or lost).\n")
        try ProsumerDemo.run(rng: &rng)
        try LedgerDemo.run(rounds: rounds, seed: seed)
    }
}

/// One round of the market walk-through, printed.
enum MarketRoundPrinter {
    static func run(_ market: DemoMarket, round: Int, penalties: inout PenaltyBook, balances: inout [String: Int64],
                    rng: inout SplitMix64) throws {
        let r = try market.trade(penalties: penalties, balances: &balances, rng: &rng)
        let (requests, offers, result, delivered, paid) = (r.requests, r.offers, r.result, r.delivered, r.paid)
        let (exchanges, consumers, fake) = (market.exchanges, market.consumers, market.fakes)
        let (gamma1, gamma2) = (market.gamma1, market.gamma2)
        print("── Round \(round): \(requests.count) requests (\(result.outcomes.count) after deduplication), "
              + "\(offers.count) offers")
        print("   exchange  penalty  selected  fulfilled  allocated kWh  delivered kWh")
        for exchange in exchanges {
            let outcomes = result.outcomes.filter { requests[$0.requestIndex].exchange == exchange }
            let selected = outcomes.filter { $0.allocatedWh > 0 }
            let allocated = selected.reduce(Int64(0)) { $0 + $1.allocatedWh }
            let deliveredWh = zip(result.allocations, delivered)
                .filter { requests[$0.0.requestIndex].exchange == exchange }.reduce(Int64(0)) { $0 + $1.1 }
            let factor = try penalties.exchangeFactor(exchange)
            let name = exchange.rawValue.padded(to: 8)
            print("   \(name)" + String(cFormat: "  %7.3f  %8d  %9d  %13.1f  %13.1f", Double(factor.rawValue) / 1e6,
                                             selected.count, outcomes.count(where: \.fulfilled),
                                             Double(allocated) / 1000, Double(deliveredWh) / 1000))
        }
        print(String(cFormat: "   total: %d allocations, %.1f of %.1f kWh allocated, %d requests fulfilled, "
                     + "%.2f ¥ paid", result.allocations.count, Double(result.allocatedWh) / 1000,
                     Double(result.demandWh) / 1000, result.fulfilledCount, Double(paid) / 1e6))
        if round == 1 {
            print("   first allocations (request → EV):")
            for allocation in result.allocations.prefix(5) {
                let r = requests[allocation.requestIndex]
                print("     \(r.consumerKey) ← \(offers[allocation.offerIndex].ev): \(allocation.energyWh) Wh")
            }
        }
        try penalties.applyRound(result, requests: requests, deliveredWh: delivered, gamma1: gamma1, gamma2: gamma2)
        let fakes = consumers.filter(\.fake).map(\.key)
        let penalisedFakes = fakes.filter { penalties.consumers[$0] != nil }.count
        let honestPenalised = penalties.consumers.keys.filter { !fake.contains($0) }.count
        print("   after metering: \(penalisedFakes) of \(fakes.count) fake consumers and \(honestPenalised) honest "
              + "consumers on penalty lists; exchanges penalised: "
              + (penalties.exchanges.keys.sorted().map(\.rawValue).joined(separator: ", ").nilIfEmpty ?? "none") + "\n")
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}

/// One [P] matching period: five PV prosumers and three EVs, greedy against Hungarian.
enum ProsumerDemo {
    static func run(rng: inout SplitMix64) throws {
        let p = try ProsumerDemoPeriod(rng: &rng)
        print("── Prosumer period ([P] §IV.B): 5 prosumers, 3 EVs of 79.5 kWh, 7 kW chargers, 1 h")
        for (i, r) in p.requests.enumerated() { print("   P\(i + 1) \(r.kind.rawValue) \(r.energyWh) Wh") }
        for (j, ev) in p.evs.enumerated() { print("   EV\(j + 1) can give \(ev.availableWh) Wh, take \(ev.freeCapacityWh) Wh") }
        print("   greedy traded \(p.greedyWh) Wh; Hungarian traded \(p.optimal.tradedWh) Wh (optimal: its dual certificate checks)")
        for a in p.optimal.result.allocations {
            let kind = p.requests[a.requestIndex].kind
            let price = kind == .surplus ? p.surplusPrice : p.evPrice
            let value = try money(pricePerKWh: price, energyWh: a.energyWh)
            // Prices and money are in micro-pounds: 10 000 µ£ make a penny.
            print("     P\(a.requestIndex + 1) \(kind == .surplus ? "→" : "←") EV\(a.offerIndex + 1): "
                  + String(cFormat: "%lld Wh at %.3f p/kWh = %.2f p", a.energyWh, Double(price) / 1e4, Double(value) / 1e4))
        }
    }
}

/// The same kind of rounds recorded on the permissioned ledger: signed, endorsed, re-executed by a second peer.
enum LedgerDemo {
    static func run(rounds: Int, seed: UInt64) throws {
        let campus = try SyntheticCampus(seed: seed)
        try campus.run(rounds: rounds)
        let network = campus.network, peer = Ledger()
        let started = ContinuousClock.now
        for block in network.blocks { try peer.append(block) }
        let elapsed = ContinuousClock.now - started
        let txs = network.blocks.reduce(0) { $0 + $1.transactions.count }
        print("\n── Ledger ([T] §5.1): \(network.blocks.count) blocks, \(txs) transactions on BoE and BoEV; "
              + "policy \(network.endorsementsRequired) of \(network.endorsers.count) endorsers")
        print(String(cFormat: "   a second peer re-validated every signature, endorsement and RET result in %.1f ms",
                     elapsed.inSeconds * 1000))
        print("   BoE head \(peer.chain(.boe).head.description.prefix(16))…  BoEV head \(peer.chain(.boev).head.description.prefix(16))…")
        let penalised = peer.penalties.consumers.keys.map(\.description).sorted().joined(separator: ", ")
        print("   penalty lists: \(penalised.isEmpty ? "none" : penalised); balances sum to \(peer.balances.values.reduce(0, +))")
    }
}
