import V2GKit

/// A day of the [P] prosumer/EV market: every matching period, prosumers' net positions are matched with EVs.
public struct ProsumerMarketSimulation: Sendable {
    /// Who may trade with whom.
    public enum Scenario: Hashable, Sendable, CustomStringConvertible {
        /// Each prosumer with one EV of its own ([P] Table I's baseline).
        case isolated
        /// `evs` EVs shared by all prosumers, one matching per agent per period.
        case shared(evs: Int)

        public var description: String {
            switch self {
            case .isolated: return "Isolated"
            case .shared(let n): return "\(n) EV"
            }
        }
    }

    /// The matchers of the prosumer market, compared each period: greedy and hungarian.
    public static let algorithms: [MatchAlgorithm] = MatchAlgorithm.allCases.filter(\.isProsumerMarket)

    public var profiles: ProsumerProfiles
    /// Matching period ([P]: 60 s).
    public var periodSeconds: Int64 = 60
    /// C_T ([P]: Tesla Model 3 Long Range, 79.5 kWh).
    public var batteryCapacityWh: Int64 = 79_500
    /// SoC at the start of the day.
    public var initialSoCWh: Int64 = 39_750
    /// E_r of eq. (1); [P] reserves "a week's worth of consumption" without a number, so this is a flag.
    public var reserveWh: Int64 = 10_000
    /// Charger power in W; nil for none ([P] does not limit charging rates).
    public var chargerPowerW: Int64?
    public var tariff = Tariff.paper
    /// Seeds the greedy matcher's arrival order within each period.
    public var seed: UInt64

    public init(profiles: ProsumerProfiles, seed: UInt64) {
        self.profiles = profiles
        self.seed = seed
    }

    /// One line of [P]'s exchange.csv (§V.C): a successful exchange.
    public struct ExchangeRecord: Sendable, Hashable {
        public var timeStep: Int
        public var energyWh: Int64
        /// The EV's energy available to give before the exchange.
        public var availableWh: Int64
        /// The EV's free capacity before the exchange.
        public var batteryCapacityWh: Int64
        public var matchingID: Int
        public var prosumer: String
        public var ev: String
        /// True when the prosumer sold (surplus into the EV).
        public var prosumerSold: Bool
    }

    /// What one agent gained over the day.
    public struct AgentResult: Sendable, Hashable {
        public var agent: String
        /// Σ |net| over periods, had it traded only with the grid.
        public var originalGridWh: Int64
        /// What it still exchanged with the grid.
        public var gridWh: Int64
        /// What it traded with EVs instead.
        public var tradedWh: Int64
        /// Money saved against trading everything with the grid, in micro-pounds.
        public var benefit: Int64
    }

    /// What one EV did over the day.
    public struct EVResult: Sendable, Hashable {
        public var ev: String
        public var boughtWh: Int64
        public var soldWh: Int64
        /// (EV price − P_split) × energy sold, in micro-pounds: the margin on stored energy ([P] §V.B).
        public var profit: Int64
        public var finalSoCWh: Int64
    }

    public struct Run: Sendable {
        public var scenario: Scenario
        public var algorithm: MatchAlgorithm
        public var agents: [AgentResult]
        public var evs: [EVResult]
        public var exchanges: [ExchangeRecord]

        public var tradedWh: Int64 { agents.reduce(0) { $0 + $1.tradedWh } }
    }

    /// Net position (production − consumption, Wh) of each agent in each period.
    public func netPositions() -> [[Int64]] {
        let perPeriod = max(1, Int(periodSeconds / profiles.resolutionSeconds))
        let periods = profiles.sampleCount / perPeriod
        return profiles.agents.indices.map { a in
            (0..<periods).map { p in
                (p * perPeriod..<(p + 1) * perPeriod).reduce(Int64(0)) {
                    $0 + profiles.production[a][$1] - profiles.consumption[a][$1]
                }
            }
        }
    }

    /// Simulates the day. With `predictedNet` (per agent per period, as `netPositions()`), prosumers bid what was
    /// predicted and the trade is what the meters then allow: an allocation is delivered up to the actual surplus or
    /// demand of the direction bid, and not at all if the actual position has the other sign ([P] Table III).
    /// - Throws: `V2GError` (`.invalid`) for an algorithm that is not a prosumer-market one.
    public func run(_ scenario: Scenario, _ algorithm: MatchAlgorithm, predictedNet: [[Int64]]? = nil) throws -> Run {
        guard algorithm.isProsumerMarket else {
            throw V2GError(code: .invalid, message: "\(algorithm.rawValue) is not a prosumer-market matcher (greedy or hungarian)")
        }
        let net = netPositions()
        let bids = predictedNet ?? net
        let agentCount = profiles.agents.count
        let evCount: Int
        switch scenario {
        case .isolated: evCount = agentCount
        case .shared(let n): evCount = n
        }
        let (splitPrice, evPrice) = try tariff.prices()
        var soc = [Int64](repeating: initialSoCWh, count: evCount)
        var agents = profiles.agents.map { AgentResult(agent: $0, originalGridWh: 0, gridWh: 0, tradedWh: 0, benefit: 0) }
        var evs = (0..<evCount).map { EVResult(ev: "EV\($0 + 1)", boughtWh: 0, soldWh: 0, profit: 0, finalSoCWh: 0) }
        var records: [ExchangeRecord] = []
        var rng = SplitMix64(seed: seed)
        let periods = net.first?.count ?? 0

        for p in 0..<periods {
            var participants: [Int] = []
            var requests: [ProsumerRequest] = []
            for a in 0..<agentCount {
                agents[a].originalGridWh += abs(net[a][p])
                let bid = p < bids[a].count ? bids[a][p] : 0
                guard bid != 0 else { continue }
                participants.append(a)
                // Bids arrive in a random order within the period; FIFO serves them as they come.
                requests.append(ProsumerRequest(kind: bid > 0 ? .surplus : .demand, energyWh: abs(bid),
                                                submittedAt: rng.int(Int64(0)...(periodSeconds - 1))))
            }
            let states = try (0..<evCount).map { j in
                try Battery(capacityWh: batteryCapacityWh, stateOfChargeWh: soc[j], reserveWh: reserveWh,
                            chargerPowerW: chargerPowerW).limits(periodSeconds: periodSeconds)
            }
            var pairs: [(request: Int, ev: Int, energy: Int64)] = []
            switch scenario {
            case .isolated:
                for (r, a) in participants.enumerated() {
                    let x = try HungarianMatcher().match(requests: [requests[r]], evs: [states[a]]).result
                    pairs += x.allocations.map { (r, a, $0.energyWh) }
                }
            case .shared:
                let result = algorithm == .greedy
                    ? try GreedyMatcher().match(requests: requests, evs: states)
                    : try HungarianMatcher().match(requests: requests, evs: states).result
                pairs = result.allocations.map { ($0.requestIndex, $0.offerIndex, $0.energyWh) }
            }
            for var pair in pairs {
                let a = participants[pair.request]
                let sold = requests[pair.request].kind == .surplus
                // What the meters allow: the actual position, in the direction bid.
                let actual = sold ? max(0, net[a][p]) : max(0, -net[a][p])
                pair.energy = min(pair.energy, actual)
                guard pair.energy > 0 else { continue }
                records.append(ExchangeRecord(timeStep: p, energyWh: pair.energy, availableWh: states[pair.ev].availableWh,
                                              batteryCapacityWh: states[pair.ev].freeCapacityWh,
                                              matchingID: records.count + 1, prosumer: profiles.agents[a],
                                              ev: evs[pair.ev].ev, prosumerSold: sold))
                agents[a].tradedWh += pair.energy
                if sold {
                    soc[pair.ev] += pair.energy
                    evs[pair.ev].boughtWh += pair.energy
                    agents[a].benefit += try money(pricePerKWh: splitPrice - tariff.gridSell, energyWh: pair.energy)
                } else {
                    soc[pair.ev] -= pair.energy
                    evs[pair.ev].soldWh += pair.energy
                    evs[pair.ev].profit += try money(pricePerKWh: evPrice - splitPrice, energyWh: pair.energy)
                    agents[a].benefit += try money(pricePerKWh: tariff.gridBuy - evPrice, energyWh: pair.energy)
                }
            }
        }
        for a in agents.indices { agents[a].gridWh = agents[a].originalGridWh - agents[a].tradedWh }
        for j in evs.indices { evs[j].finalSoCWh = soc[j] }
        return Run(scenario: scenario, algorithm: algorithm, agents: agents, evs: evs, exchanges: records)
    }
}
