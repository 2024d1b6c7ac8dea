internal import CV2G

/// What a penalty update did to a list.
public enum PenaltyAction: Int32, Sendable {
    case unchanged = 0
    /// Delivery fell short: pct + γ was appended.
    case appended = 1
    /// Delivery was good: the last value was removed.
    case forgiven = 2
}

/// The penalty lists of [T] §4.2: one per consumer (P) and one per exchange (Q), kept on the ledger.
public struct PenaltyBook: Hashable, Sendable {
    public var consumers: [ConsumerKey: [Ratio]]
    public var exchanges: [ExchangeID: [Ratio]]

    public init(consumers: [ConsumerKey: [Ratio]] = [:], exchanges: [ExchangeID: [Ratio]] = [:]) {
        self.consumers = consumers
        self.exchanges = exchanges
    }

    /// The product factor of a consumer's list (1.0 when it has none).
    ///
    /// The corresponding C function is `v2g_penalty_factor`.
    public func consumerFactor(_ consumer: ConsumerKey) throws(V2GError) -> Ratio {
        try Self.factor(consumers[consumer] ?? [], owner: "consumer \(consumer)")
    }

    /// The product factor of an exchange's list (1.0 when it has none).
    public func exchangeFactor(_ exchange: ExchangeID) throws(V2GError) -> Ratio {
        try Self.factor(exchanges[exchange] ?? [], owner: "exchange \(exchange)")
    }

    /// Records what a consumer was due and got (eq. 4.1) and updates its list.
    ///
    /// The corresponding C function is `v2g_penalty_update`.
    @discardableResult
    public mutating func recordConsumer(_ consumer: ConsumerKey, dueWh: Int64, deliveredWh: Int64,
                                        gamma: Ratio) throws(V2GError) -> PenaltyAction {
        var list = consumers[consumer] ?? []
        let action = try Self.update(&list, due: dueWh, delivered: deliveredWh, gamma: gamma,
                                     owner: "consumer \(consumer)")
        consumers[consumer] = list.isEmpty ? nil : list
        return action
    }

    /// Records how many of an exchange's selected requests were fully delivered (eq. 4.3) and updates its list.
    @discardableResult
    public mutating func recordExchange(_ exchange: ExchangeID, selected: Int, fullyDelivered: Int,
                                        gamma: Ratio) throws(V2GError) -> PenaltyAction {
        var list = exchanges[exchange] ?? []
        let action = try Self.update(&list, due: Int64(selected), delivered: Int64(fullyDelivered), gamma: gamma,
                                     owner: "exchange \(exchange)")
        exchanges[exchange] = list.isEmpty ? nil : list
        return action
    }

    /// Applies a whole round's metering to the lists (SPEC §3.4).
    ///
    /// - Parameters:
    ///   - result: the round's allocations, as the matcher made them.
    ///   - requests: the requests the matcher was given.
    ///   - deliveredWh: metered energy per allocation, in the order of `result.allocations`.
    ///   - gamma1: γ1, the consumer risk parameter.
    ///   - gamma2: γ2, the exchange risk parameter.
    public mutating func applyRound(_ result: MatchResult, requests: [EnergyRequest], deliveredWh: [Int64],
                                    gamma1: Ratio, gamma2: Ratio) throws(V2GError) {
        guard deliveredWh.count == result.allocations.count else {
            throw V2GError(code: .invalid, message: "penalty update: \(deliveredWh.count) metering records for "
                           + "\(result.allocations.count) allocations")
        }
        var delivered: [Int: Int64] = [:]
        for (allocation, wh) in zip(result.allocations, deliveredWh) {
            guard wh >= 0 else { throw V2GError(code: .negative, message: "penalty update: negative delivery") }
            delivered[allocation.requestIndex, default: 0] += wh
        }
        var selected: [ExchangeID: (selected: Int, full: Int)] = [:]
        for outcome in result.outcomes where outcome.allocatedWh > 0 {
            let request = requests[outcome.requestIndex]
            let got = delivered[outcome.requestIndex] ?? 0
            try recordConsumer(request.consumerKey, dueWh: outcome.allocatedWh, deliveredWh: got, gamma: gamma1)
            var tally = selected[request.exchange] ?? (0, 0)
            tally.selected += 1
            if got >= outcome.allocatedWh { tally.full += 1 }
            selected[request.exchange] = tally
        }
        for exchange in selected.keys.sorted() {
            let tally = selected[exchange]!
            try recordExchange(exchange, selected: tally.selected, fullyDelivered: tally.full, gamma: gamma2)
        }
    }

    private static func factor(_ list: [Ratio], owner: String) throws(V2GError) -> Ratio {
        var factor: Int32 = 0
        let values = list.map(\.rawValue)
        try check(v2g_penalty_factor(values, values.count, &factor), "penalty list of \(owner)")
        return Ratio(ppm: factor)
    }

    private static func update(_ list: inout [Ratio], due: Int64, delivered: Int64, gamma: Ratio,
                               owner: String) throws(V2GError) -> PenaltyAction {
        var values = list.map(\.rawValue) + [0]
        var count = list.count
        var action = V2G_PENALTY_UNCHANGED
        try check(v2g_penalty_update(due, delivered, gamma.rawValue, &values, &count, values.count, &action),
                  "penalty update of \(owner)")
        list = values.prefix(count).map(Ratio.init(ppm:))
        return PenaltyAction(rawValue: Int32(action.rawValue)) ?? .unchanged
    }
}
