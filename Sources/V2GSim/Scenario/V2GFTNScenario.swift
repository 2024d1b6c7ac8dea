import V2GKit

/// The hour-ahead V2GFTN round of [T] Table 6.1: requests for 21:00-22:00, EVs idle, charging or driving.
///
/// Times are seconds after 20:00. The execution hour is [3600, 7200).
public struct V2GFTNConfig: Sendable, Hashable {
    public var requests: Int
    public var evs: Int
    /// Battery capacity (60 kWh).
    public var batteryWh: Int64 = 60_000
    /// Charge power (15 kW).
    public var chargePowerW: Int64 = 15_000
    /// An EV discharges at 0-10 kW; SRET's P_c is the top of that range.
    public var dischargePowerW: ClosedRange<Int64> = 0...10_000
    /// Driving consumes 10 kW.
    public var drivingPowerW: Int64 = 10_000
    /// Request demand (0 to 10 kWh), bounded by P_c over the request's window.
    public var demandWh: ClosedRange<Int64> = 0...10_000
    /// Request windows last 15 to 60 minutes inside the execution hour ([T] gives only the hour).
    public var windowMinutes: ClosedRange<Int64> = 15...60
    public var bidMicro: ClosedRange<Int64> = 22_390_000...42_840_000
    /// The SoC kept for the owner: 20 % of the battery.
    public var floorWh: Int64 = 12_000

    public init(requests: Int, evs: Int) {
        self.requests = requests
        self.evs = evs
    }

    /// P_c, the charger's maximum output.
    public var chargerPowerW: Int64 { dischargePowerW.upperBound }

    public static let executionStart: Int64 = 3600
    public static let executionEnd: Int64 = 7200
}

/// An EV's state at the start of the planning phase ([T] §6.1.2).
public enum EVState6: String, Sendable, CaseIterable {
    case idle, charging, driving
}

/// One generated V2GFTN round.
public struct V2GFTNRound: Sendable {
    public var requests: [WindowedRequest]
    /// EVs that can take part, with their forecast availability.
    public var evs: [EVAvailability]
    public var states: [EVState6]

    /// What V2GNet (RET) can use: EVs idle and connected through the whole round ([T] §6.1.1).
    public var retOffers: [EnergyOffer] {
        zip(evs, states).compactMap { ev, state in state == .idle ? EnergyOffer(ev: ev.ev, energyWh: ev.energyWh) : nil }
    }

    public var totalDemandWh: Int64 { requests.reduce(0) { $0 + $1.request.energyWh } }
}

extension V2GFTNConfig {
    /// Draws a round: a third of EVs in each state on average.
    public func generateRound(using rng: inout SplitMix64) -> V2GFTNRound {
        let start = V2GFTNConfig.executionStart, end = V2GFTNConfig.executionEnd
        var round = V2GFTNRound(requests: [], evs: [], states: [])
        for i in 0..<requests {
            let length = min(rng.int(windowMinutes) * 60, end - start)
            let a = rng.int(start...(end - length))
            let most = min(demandWh.upperBound, chargerPowerW * length / 3600)
            let request = EnergyRequest(exchange: ExchangeID("E\(i % 3 + 1)"), consumer: ConsumerID("C\(i + 1)"),
                                        bid: rng.int(bidMicro), submittedAt: 0,
                                        energyWh: rng.int(min(demandWh.lowerBound, most)...most))
            round.requests.append(WindowedRequest(request, start: a, end: a + length))
        }
        for k in 0..<evs {
            let state = EVState6.allCases[Int(rng.int(Int64(0)...2))]
            var soc = rng.int(batteryWh / 5...batteryWh)
            let power = rng.int(dischargePowerW)
            var available = start
            switch state {
            case .idle:
                break
            case .charging:
                // Charging at 15 kW during 20:00-21:00 from a random start; available when full or at the end.
                let begin = rng.int(Int64(0)...(start - 1))
                let needed = (batteryWh - soc) * 3600 / chargePowerW
                let finish = min(begin + needed, start + rng.int(Int64(0)...1800))
                soc = min(batteryWh, soc + chargePowerW * (finish - begin) / 3600)
                available = max(start, finish)
            case .driving:
                // Driving at 10 kW from 20:00 until a forecast arrival inside the round.
                let arrival = rng.int(start...(end - 600))
                soc -= drivingPowerW * arrival / 3600
                available = arrival
            }
            // RP: what it can discharge at its own power until 22:00, above the 20 % floor; none means it leaves.
            let rp = min(soc - floorWh, power * (end - available) / 3600)
            guard rp > 0 else { continue }
            round.evs.append(EVAvailability(ev: EVID("EV\(k + 1)"), energyWh: rp, start: available, end: end))
            round.states.append(state)
        }
        return round
    }
}
