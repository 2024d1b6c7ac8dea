import FoundationEssentials
import V2GKit

/// [T] Table 6.1 / Fig. 6.4-6.6 / Table 6.2: SRET's strategies against RET in hour-ahead V2GFTN rounds.
public struct SRETComparison: Sendable {
    public var requestCounts: [Int] = [200, 400, 600]
    public var evCounts: [Int] = Array(stride(from: 60, through: 270, by: 30))
    public var repetitions: Int
    public var seed: UInt64

    public init(repetitions: Int, seed: UInt64) {
        self.repetitions = repetitions
        self.seed = seed
    }

    /// The algorithms compared: V2GNet's RET, the three SRET modes and SRET double with best fit.
    public static let algorithms: [MatchAlgorithm] = [.ret, .sretDouble, .sretSingleEnergy, .sretSingleCount,
                                                      .sretDoubleBestFit]

    public struct Sample: Sendable {
        public var requests: Int
        public var evs: Int
        public var repetition: Int
        public var algorithm: MatchAlgorithm
        public var fulfilledRequests: Int
        public var demandWh: Int64
        public var allocatedWh: Int64
        public var profit: Int64
        /// Wall-clock seconds of the allocation call (planning-phase compute of Table 6.2).
        public var seconds: Double

        public var fillRate: Double { demandWh > 0 ? Double(allocatedWh) / Double(demandWh) : 0 }
    }

    /// Allocates one round with one strategy and measures it.
    public static func measure(_ round: V2GFTNRound, _ strategy: MatchAlgorithm, config: V2GFTNConfig) throws
        -> (result: MatchResult, seconds: Double) {
        let clock = ContinuousClock()
        var result = MatchResult(allocations: [], outcomes: [])
        let elapsed = try clock.measure {
            if let mode = strategy.sretStrategy {
                result = try SRETMatcher(strategy: mode, chargerPowerW: config.chargerPowerW)
                    .match(requests: round.requests, evs: round.evs)
            } else {
                // V2GNet sees the idle EVs only and no time windows ([T] §6.1.1).
                result = try RETMatcher(chargerCapacityWh: config.batteryWh)
                    .match(requests: round.requests.map(\.request), offers: round.retOffers)
            }
        }
        return (result, elapsed.inSeconds)
    }

    public func run(progress: Progress) throws -> [Sample] {
        var samples: [Sample] = []
        let total = requestCounts.count * evCounts.count * repetitions
        var done = 0
        for requests in requestCounts {
            for evs in evCounts {
                let config = V2GFTNConfig(requests: requests, evs: evs)
                for rep in 0..<repetitions {
                    var rng = SplitMix64(seed: Seeds.derive(seed, requests, evs, rep))
                    let round = config.generateRound(using: &rng)
                    for strategy in Self.algorithms {
                        let (result, seconds) = try Self.measure(round, strategy, config: config)
                        var profit: Int64 = 0
                        for a in result.allocations {
                            profit += try money(pricePerKWh: round.requests[a.requestIndex].request.bid, energyWh: a.energyWh)
                        }
                        samples.append(Sample(requests: requests, evs: evs, repetition: rep, algorithm: strategy,
                                              fulfilledRequests: result.fulfilledCount, demandWh: round.totalDemandWh,
                                              allocatedWh: result.allocatedWh, profit: profit, seconds: seconds))
                    }
                    done += 1
                    progress.update(done, of: total)
                }
            }
        }
        return samples
    }
}
