import Logging
import V2GKit
import V2GLedger

/// Generated consumers, vehicles and meters for demo and test networks: each value drawn from a stream seeded
/// by (seed, name, round), so a restarted node asks for and offers the same as before.
enum SyntheticLoad {
    /// P_c: requests are sized so one charger can serve them within their window.
    static let chargerPowerW: Int64 = 7000

    static func stream(_ seed: UInt64, _ name: String, _ round: UInt64) -> SplitMix64 {
        let d = Digest.of(Array("\(seed)/\(name)/\(round)".utf8)).bytes
        return SplitMix64(seed: d.prefix(8).reduce(0) { $0 << 8 | UInt64($1) })
    }

    /// Half an hour to an hour inside the round's hour (round r is hour r, in seconds).
    static func window(_ rng: inout SplitMix64, round: UInt64) -> Range<Int64> {
        let base = Int64(round) * 3600
        let length = rng.int(Int64(1800)...Int64(3600))
        let start = rng.int(Int64(0)...(3600 - length))
        return base + start..<base + start + length
    }
}

/// An exchange's generated consumers: each asks for 1-8 kWh at 0.20-0.45 per kWh every round, within half an
/// hour to an hour.
public struct SyntheticConsumers: ConsumerRequestSource {
    public var exchange: String
    public var consumers: Int
    public var seed: UInt64

    public init(exchange: String, consumers: Int, seed: UInt64) {
        self.exchange = exchange
        self.consumers = consumers
        self.seed = seed
    }

    public func requests(round: UInt64, deadline: Int64) -> [RequestListPayload.Entry] {
        var rng = SyntheticLoad.stream(seed, exchange, round)
        return (0..<consumers).map { i in
            let w = SyntheticLoad.window(&rng, round: round)
            let most = min(8000, SyntheticLoad.chargerPowerW * (w.upperBound - w.lowerBound) / 3600)
            return RequestListPayload.Entry(consumer: "c\(i + 1)", bid: rng.int(Int64(200_000)...Int64(450_000)),
                                            submittedAt: w.lowerBound - rng.int(Int64(1)...Int64(600)),
                                            energyWh: rng.int(Int64(1000)...most), window: w)
        }
    }
}

/// An EV gateway's generated vehicles: every vehicle offers 5-30 kWh within half an hour to an hour, every round.
public struct SyntheticVehicles: VehicleSource {
    public var seed: UInt64

    public init(seed: UInt64) { self.seed = seed }

    public func offers(round: UInt64, vehicles: [String]) -> [String: VehicleOffer] {
        var out: [String: VehicleOffer] = [:]
        for v in vehicles {
            var rng = SyntheticLoad.stream(seed, v, round)
            let w = SyntheticLoad.window(&rng, round: round)
            out[v] = VehicleOffer(energyWh: rng.int(Int64(5000)...Int64(30_000)), window: w)
        }
        return out
    }
}

/// Generated meters: a share of consumers (`shortfallPPM`) take half of what they were allocated, the rest
/// all of it.
public struct SyntheticMeters: MeterReader {
    public var shortfallPPM: Int64
    public var seed: UInt64

    public init(shortfallPPM: Int64, seed: UInt64) {
        self.shortfallPPM = shortfallPPM
        self.seed = seed
    }

    public func delivered(_ a: MeteredAllocation) -> Int64? {
        var rng = SyntheticLoad.stream(seed, "\(a.exchange)/\(a.consumer)", a.round)
        return rng.int(Int64(0)...Int64(999_999)) < shortfallPPM ? a.allocatedWh / 2 : a.allocatedWh
    }
}

/// Setpoints written to the log, for a gateway with no chargers behind it (the demo's).
public struct LoggedSetpoints: SetpointSink {
    public var logger: Logger

    public init(logger: Logger) { self.logger = logger }

    public func apply(_ setpoints: [Setpoint], round: UInt64) {
        logger.info("setpoints of round \(round)", metadata: [
            "vehicles": "\(Set(setpoints.map(\.ev)).count)", "setpoints": "\(setpoints.count)",
            "energy_wh": "\(setpoints.reduce(Int64(0)) { $0 + $1.energyWh })",
        ])
    }
}
