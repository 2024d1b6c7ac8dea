/// An energy register's readings from a station's meter values (`Energy.Active.Export.Register` for what a
/// vehicle gave, `Energy.Active.Import.Register` for what it took), and the energy they show moved in an interval.
public struct EnergyRegister: Hashable, Sendable {
    public enum Measurand: String, Sendable {
        case export = "Energy.Active.Export.Register"
        case `import` = "Energy.Active.Import.Register"
    }

    /// Readings in Wh by Unix second, in time order (the latest reading of a second wins).
    public private(set) var readings: [(at: Int64, wh: Double)] = []

    public static func == (a: Self, b: Self) -> Bool { a.readings.elementsEqual(b.readings) { $0 == $1 } }
    public func hash(into h: inout Hasher) { for r in readings { h.combine(r.at); h.combine(r.wh) } }

    /// The readings of `measurand` in `meterValues` (a `meterValue` array); a sampled value without a measurand
    /// is an import register reading, as the specification's default says. Only the EVSE's total counts: a
    /// value for one phase, or measured elsewhere than at the outlet (`location` other than Outlet), is
    /// skipped. Units Wh or kWh, with the multiplier; anything else, or a reading that is not finite or beyond
    /// 10¹⁵ Wh, is skipped.
    public init(_ meterValues: [JSONValue], measurand: Measurand) {
        add(meterValues, measurand: measurand)
    }

    /// Adds the readings of `measurand` in `meterValues`, as `init` reads them, keeping the latest `keep`.
    public mutating func add(_ meterValues: [JSONValue], measurand: Measurand, keep: Int = .max) {
        var byTime: [Int64: Double] = [:]
        for mv in meterValues {
            guard let at = mv["timestamp"]?.string.flatMap(RFC3339.unixSeconds) else { continue }
            for sv in mv["sampledValue"]?.array ?? [] {
                guard (sv["measurand"]?.string ?? Measurand.import.rawValue) == measurand.rawValue, sv["phase"] == nil,
                      (sv["location"]?.string ?? "Outlet") == "Outlet", let value = sv["value"]?.number, value.isFinite
                else { continue }
                let unit = sv["unitOfMeasure"]?["unit"]?.string ?? "Wh"
                let multiplier = sv["unitOfMeasure"]?["multiplier"]?.number ?? 0
                guard unit == "Wh" || unit == "kWh", (-3...6).contains(multiplier) else { continue }
                var scale = 1.0
                for _ in 0..<Int(abs(multiplier)) { scale *= 10 }
                let wh = value * (multiplier < 0 ? 1 / scale : scale) * (unit == "kWh" ? 1000 : 1)
                if wh.isFinite, abs(wh) <= 1e15 { byTime[at] = wh }
            }
        }
        guard !byTime.isEmpty else { return }
        // Readings come in time order, so this is an append; a late or repeated second replaces its reading.
        if let last = readings.last?.at, byTime.keys.allSatisfy({ $0 > last }) {
            readings += byTime.keys.sorted().map { ($0, byTime[$0]!) }
        } else {
            for r in readings where byTime[r.at] == nil { byTime[r.at] = r.wh }
            readings = byTime.keys.sorted().map { ($0, byTime[$0]!) }
        }
        if readings.count > keep { readings.removeFirst(readings.count - keep) }
    }

    /// Why a register cannot say what moved in an interval.
    public enum Gap: Error, Hashable, Sendable {
        /// No reading at or before the interval's start, or none at or after its end.
        case notCovered
        /// A reading lower than an earlier one: the register went backwards.
        case wentBackwards(at: Int64)
        /// More energy between two readings than `maxW` could move: a jump.
        case jumped(at: Int64)
    }

    /// The readings that bound `start`...`end`, in Wh (rounded down): the last at or before `start` and the
    /// first at or after `end`. Every step between them must go forward at no more than `maxW` (a meter that
    /// goes backwards or jumps measured nothing that can be settled).
    public func span(from start: Int64, to end: Int64, maxW: Int64) -> Result<(startWh: Int64, endWh: Int64), Gap> {
        guard let first = readings.lastIndex(where: { $0.at <= start }),
              let last = readings.firstIndex(where: { $0.at >= end }), first < last else { return .failure(.notCovered) }
        for i in (first + 1)...last {
            let step = readings[i].wh - readings[i - 1].wh
            if step < 0 { return .failure(.wentBackwards(at: readings[i].at)) }
            if !(step <= Double(maxW) * Double(readings[i].at - readings[i - 1].at) / 3600 + 1) { return .failure(.jumped(at: readings[i].at)) }
        }
        // Both readings are within ±10¹⁵ Wh, so they convert.
        return .success((Int64(readings[first].wh.rounded(.down)), Int64(readings[last].wh.rounded(.down))))
    }

    /// The energy moved from `start` to `end`, in Wh: the rise between the readings of `span`.
    public func moved(from start: Int64, to end: Int64, maxW: Int64) -> Result<Int64, Gap> {
        span(from: start, to: end, maxW: maxW).map { $0.endWh - $0.startWh }
    }
}
