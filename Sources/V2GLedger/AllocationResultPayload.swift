import V2GKit

// docs/wire-format.md, kind 3.

/// The matcher's result, with what it ran on, so any peer can re-run it.
public struct AllocationResultPayload: Payload {
    public static let kind = TransactionKind.allocationResult

    public struct Entry: Hashable, Sendable {
        public var request: UInt32
        public var offer: UInt32
        public var energyWh: Int64
        public var interval: Range<Int64>?
    }

    public struct Outcome: Hashable, Sendable {
        public var request: UInt32
        public var demandWh: Int64
        public var allocatedWh: Int64
        public var fulfilled: Bool
    }

    /// The LSAP's assignment and duals (hungarian): checked instead of re-solving.
    public struct Certificate: Hashable, Sendable {
        public var assignment: [Int64]
        public var u: [Int64]
        public var v: [Int64]
    }

    public var round: UInt64
    public var algorithm: MatchAlgorithm
    public var chargerCapacityWh: Int64
    public var chargerPowerW: Int64
    public var gamma1: Ratio
    public var gamma2: Ratio
    public var inputs: [Digest]
    public var inputsDigest: Digest
    public var allocations: [Entry]
    public var outcomes: [Outcome]
    public var certificate: Certificate?

    public init(round: UInt64, algorithm: MatchAlgorithm, chargerCapacityWh: Int64, chargerPowerW: Int64, gamma1: Ratio,
                gamma2: Ratio, inputs: [Digest], inputsDigest: Digest, allocations: [Entry], outcomes: [Outcome],
                certificate: Certificate?) {
        self.round = round
        self.algorithm = algorithm
        self.chargerCapacityWh = chargerCapacityWh
        self.chargerPowerW = chargerPowerW
        self.gamma1 = gamma1
        self.gamma2 = gamma2
        self.inputs = inputs
        self.inputsDigest = inputsDigest
        self.allocations = allocations
        self.outcomes = outcomes
        self.certificate = certificate
    }

    public func encode(into w: inout ByteWriter) {
        w.u64(round)
        w.u8(algorithm.wireCode)
        w.i64(chargerCapacityWh)
        w.i64(chargerPowerW)
        w.i32(gamma1.rawValue)
        w.i32(gamma2.rawValue)
        w.list(inputs) { w, d in w.hash(d) }
        w.hash(inputsDigest)
        w.list(allocations) { w, a in
            w.u32(a.request)
            w.u32(a.offer)
            w.i64(a.energyWh)
            w.window(a.interval)
        }
        w.list(outcomes) { w, o in
            w.u32(o.request)
            w.i64(o.demandWh)
            w.i64(o.allocatedWh)
            w.bool(o.fulfilled)
        }
        w.optional(certificate) { w, c in
            w.list(c.assignment) { w, x in w.i64(x) }
            w.list(c.u) { w, x in w.i64(x) }
            w.list(c.v) { w, x in w.i64(x) }
        }
    }

    public init(from r: inout ByteReader) throws(LedgerError) {
        round = try r.u64("round")
        guard let algorithm = MatchAlgorithm(wireCode: try r.u8("algorithm")) else {
            throw LedgerError(.malformed, "unknown algorithm")
        }
        self.algorithm = algorithm
        chargerCapacityWh = try r.i64("charger capacity")
        chargerPowerW = try r.i64("charger power")
        gamma1 = Ratio(ppm: try r.i32("gamma1"))
        gamma2 = Ratio(ppm: try r.i32("gamma2"))
        inputs = try r.list("inputs") { (r) throws(LedgerError) in try r.hash("input") }
        inputsDigest = try r.hash("inputs digest")
        allocations = try r.list("allocations") { (r) throws(LedgerError) in
            Entry(request: try r.u32("request"), offer: try r.u32("offer"), energyWh: try r.i64("energy"),
                  interval: try r.window())
        }
        outcomes = try r.list("outcomes") { (r) throws(LedgerError) in
            Outcome(request: try r.u32("request"), demandWh: try r.i64("demand"), allocatedWh: try r.i64("allocated"),
                    fulfilled: try r.bool("fulfilled"))
        }
        certificate = try r.optional("certificate") { (r) throws(LedgerError) in
            Certificate(assignment: try r.list("assignment") { (r) throws(LedgerError) in try r.i64() },
                        u: try r.list("u") { (r) throws(LedgerError) in try r.i64() },
                        v: try r.list("v") { (r) throws(LedgerError) in try r.i64() })
        }
    }
}

extension MatchAlgorithm {
    /// The u8 an allocation result records (docs/wire-format.md, kind 3). Codes are never reused.
    var wireCode: UInt8 {
        switch self {
        case .ret: return 1
        case .sretDouble: return 2
        case .sretSingleEnergy: return 3
        case .sretSingleCount: return 4
        case .greedy: return 5
        case .hungarian: return 6
        case .doubleAuction: return 7
        case .sretDoubleBestFit: return 8
        }
    }

    /// The algorithm of a recorded code; nil for a code no version assigned.
    init?(wireCode: UInt8) {
        guard let a = MatchAlgorithm.allCases.first(where: { $0.wireCode == wireCode }) else { return nil }
        self = a
    }
}
