/// A time in seconds, split by what it is spent on: the ledger (blockchain),
/// computation off the ledger, and off-ledger communication.
///
/// Every term of the response-time equations of [T] §5.2 and §5.4 falls in
/// exactly one of the three; sums add component-wise, and the `max`/`min` of
/// the equations keep the whole operand with the largest/smallest total, so
/// a phase's split is the split of its critical path.
/// `docs/response-time-model.md` lists which symbol goes where.
public struct ResponseTimeCost: Hashable, Sendable, AdditiveArithmetic, CustomStringConvertible {
    /// Blockchain-involved seconds: endorsement, ordering, broadcast,
    /// verification, recording, download, and block processing (t_prcs^blk).
    public var ledger: Double
    /// Off-ledger computation seconds: list preparation, per-request and per-EV
    /// processing, RET/SRET.
    public var computation: Double
    /// Off-ledger communication seconds: consumer ↔ exchange messages, CS → EV
    /// round announcements.
    public var communication: Double

    public init(ledger: Double = 0, computation: Double = 0, communication: Double = 0) {
        self.ledger = ledger
        self.computation = computation
        self.communication = communication
    }

    /// Seconds spent on the ledger only.
    public static func ledger(_ seconds: Double) -> ResponseTimeCost { .init(ledger: seconds) }
    /// Seconds spent on computation only.
    public static func computation(_ seconds: Double) -> ResponseTimeCost { .init(computation: seconds) }
    /// Seconds spent on communication only.
    public static func communication(_ seconds: Double) -> ResponseTimeCost { .init(communication: seconds) }

    public static let zero = ResponseTimeCost()

    /// The total, in seconds.
    public var seconds: Double { ledger + computation + communication }

    /// The ledger's part of the total, in [0, 1] (0 for a zero total).
    public var ledgerShare: Double { seconds > 0 ? ledger / seconds : 0 }
    /// The computation's part of the total, in [0, 1] (0 for a zero total).
    public var computationShare: Double { seconds > 0 ? computation / seconds : 0 }
    /// The communication's part of the total, in [0, 1] (0 for a zero total).
    public var communicationShare: Double { seconds > 0 ? communication / seconds : 0 }

    public static func + (lhs: ResponseTimeCost, rhs: ResponseTimeCost) -> ResponseTimeCost {
        .init(ledger: lhs.ledger + rhs.ledger,
              computation: lhs.computation + rhs.computation,
              communication: lhs.communication + rhs.communication)
    }

    public static func - (lhs: ResponseTimeCost, rhs: ResponseTimeCost) -> ResponseTimeCost {
        .init(ledger: lhs.ledger - rhs.ledger,
              computation: lhs.computation - rhs.computation,
              communication: lhs.communication - rhs.communication)
    }

    /// The cost scaled by a count (e.g. N_tx × t_endo).
    public static func * (count: Double, cost: ResponseTimeCost) -> ResponseTimeCost {
        .init(ledger: count * cost.ledger, computation: count * cost.computation,
              communication: count * cost.communication)
    }

    /// The `max(…)` of the equations: the operand with the largest total
    /// (on a tie, the first); `.zero` for no operands.
    public static func longest(_ costs: some Sequence<ResponseTimeCost>) -> ResponseTimeCost {
        costs.reduce(into: nil as ResponseTimeCost?) { best, cost in
            if best == nil || cost.seconds > best!.seconds { best = cost }
        } ?? .zero
    }

    /// The `min(…)` of the equations: the operand with the smallest total
    /// (on a tie, the first); `.zero` for no operands.
    public static func shortest(_ costs: some Sequence<ResponseTimeCost>) -> ResponseTimeCost {
        costs.reduce(into: nil as ResponseTimeCost?) { best, cost in
            if best == nil || cost.seconds < best!.seconds { best = cost }
        } ?? .zero
    }

    public var description: String {
        "\(seconds) s (ledger \(ledger), computation \(computation), communication \(communication))"
    }
}

/// Why a response-time model's parameters were refused.
public struct ResponseTimeParameterError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The parameter (its Swift name and thesis symbol) and what is wrong with it.
    public let description: String
    public init(_ description: String) { self.description = description }
}

// MARK: - Validation helpers

@inline(__always)
func checkTime(_ value: Double, _ name: @autoclosure () -> String) throws(ResponseTimeParameterError) {
    guard value.isFinite, value >= 0 else {
        throw ResponseTimeParameterError("\(name()) must be a finite time ≥ 0 s, got \(value)")
    }
}

@inline(__always)
func checkProbability(_ value: Double, _ name: @autoclosure () -> String) throws(ResponseTimeParameterError) {
    guard value.isFinite, value >= 0, value <= 1 else {
        throw ResponseTimeParameterError("\(name()) must lie in [0, 1], got \(value)")
    }
}
