import V2GKit
import V2GLedger
import V2GNode

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

    /// An exchange's request list for a round: each consumer asks for 1-8 kWh at 0.20-0.45 per kWh.
    static func requests(_ exchange: ExchangeSettings, round: UInt64) -> [RequestListPayload.Entry] {
        var rng = stream(exchange.seed, exchange.name, round)
        return (0..<exchange.consumers).map { i in
            let w = window(&rng, round: round)
            let most = min(8000, chargerPowerW * (w.upperBound - w.lowerBound) / 3600)
            return RequestListPayload.Entry(consumer: "c\(i + 1)", bid: rng.int(Int64(200_000)...Int64(450_000)),
                                            submittedAt: w.lowerBound - rng.int(Int64(1)...Int64(600)),
                                            energyWh: rng.int(Int64(1000)...most), window: w)
        }
    }

    /// A vehicle's offer for a round: 5-30 kWh over its window.
    static func offer(vehicle: String, seed: UInt64, round: UInt64) -> (energyWh: Int64, window: Range<Int64>) {
        var rng = stream(seed, vehicle, round)
        let w = window(&rng, round: round)
        return (rng.int(Int64(5000)...Int64(30_000)), w)
    }

    /// The meters: a share of consumers (`shortfallPPM`) take half of what they were allocated.
    static func delivered(_ a: MeteredAllocation, shortfallPPM: Int64, seed: UInt64) -> Int64 {
        var rng = stream(seed, "\(a.exchange)/\(a.consumer)", a.round)
        return rng.int(Int64(0)...Int64(999_999)) < shortfallPPM ? a.allocatedWh / 2 : a.allocatedWh
    }
}
