import FoundationEssentials
import V2GKit

/// A job that cannot be run: where the fault is (a JSON path such as `requests[3].energyWh`) and what it is.
public struct MatchJobError: Error, Equatable, Sendable, CustomStringConvertible {
    public let path: String
    public let message: String
    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }
    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}

/// A `v2g match` job as read from JSON (field names as documented in the README).
public struct MatchJob: Sendable {
    public struct Request: Sendable {
        public var exchange: ExchangeID
        public var consumer: ConsumerID
        public var bid: Int64
        public var submittedAt: Int64
        public var energyWh: Int64
        public var kind: RequestKind
        /// The demand window, for SRET.
        public var window: Range<Int64>?
    }
    public struct Offer: Sendable {
        public var ev: EVID
        public var energyWh: Int64
        public var capacityWh: Int64
        /// The availability window, for SRET.
        public var window: Range<Int64>?
        /// The ask price, for the double auction.
        public var ask: Int64?
    }

    public var algorithm: MatchAlgorithm
    public var chargerCapacityWh: Int64?
    public var chargerPowerW: Int64?
    public var gamma1: Ratio
    public var gamma2: Ratio
    public var requests: [Request]
    public var offers: [Offer]
    public var penalties: PenaltyBook

    /// Parses and validates a job; every error names the offending field.
    /// The largest job read, in bytes (64 MiB), and the most requests and offers it may hold (2¹⁸ each); an
    /// optimal matching is further limited to `HungarianMatcher.maxCells` cells.
    public static let maxBytes = 64 << 20
    public static let maxEntries = 1 << 18

    public static func parse(_ data: Data) throws(MatchJobError) -> MatchJob {
        guard data.count <= maxBytes else { throw MatchJobError(path: "", message: "the job is larger than \(maxBytes >> 20) MiB") }
        let root: JSONValue
        do {
            root = try JSONSyntax.parse([UInt8](data))
        } catch {
            throw MatchJobError(path: "", message: "input is not valid JSON: line \(error.line), column \(error.column): \(error.message)")
        }
        let top = try JSONInput(root, path: "").object(known: [
            "algorithm", "chargerCapacityWh", "chargerPowerW", "gamma1Ppm", "gamma2Ppm", "requests", "offers", "penalties",
        ])
        let algorithmName = try top.required("algorithm").string()
        guard let algorithm = MatchAlgorithm(rawValue: algorithmName) else {
            throw MatchJobError(path: "algorithm", message: "unknown algorithm \"\(algorithmName)\" (expected one of: "
                             + MatchAlgorithm.allCases.map(\.rawValue).joined(separator: ", ") + ")")
        }
        var job = MatchJob(
            algorithm: algorithm,
            chargerCapacityWh: try top.optional("chargerCapacityWh")?.nonNegative(),
            chargerPowerW: try top.optional("chargerPowerW")?.nonNegative(),
            gamma1: try top.optional("gamma1Ppm")?.ratio() ?? Ratio(ppm: 100_000),
            gamma2: try top.optional("gamma2Ppm")?.ratio() ?? Ratio(ppm: 100_000),
            requests: [], offers: [], penalties: PenaltyBook())
        if algorithm.usesWindows && job.chargerPowerW == nil {
            throw MatchJobError(path: "chargerPowerW", message: "missing required field (\(algorithm.rawValue) needs P_c)")
        }

        let requestNodes = try top.required("requests").array()
        let offerNodes = try top.required("offers").array()
        for (name, nodes) in [("requests", requestNodes), ("offers", offerNodes)] where nodes.count > maxEntries {
            throw MatchJobError(path: name, message: "\(nodes.count) entries exceed the limit of \(maxEntries)")
        }
        if algorithm == .hungarian {
            do { try HungarianMatcher.checkSize(requestNodes.count, offerNodes.count) } catch {
                throw MatchJobError(path: "offers", message: error.message)
            }
        }
        for node in requestNodes {
            let r = try node.object(known: ["exchange", "consumer", "bid", "submittedAt", "energyWh", "kind", "start", "end"])
            let kindNode = try r.optional("kind")
            var kind = RequestKind.demand
            if let kindNode {
                let name = try kindNode.string()
                guard let parsed = RequestKind(rawValue: name) else {
                    throw MatchJobError(path: kindNode.path, message: "must be \"demand\" or \"surplus\", not \"\(name)\"")
                }
                kind = parsed
            }
            if kind == .surplus && !algorithm.isProsumerMarket {
                throw MatchJobError(path: kindNode!.path, message: "\(algorithm.rawValue) serves demand only; "
                                 + "\"surplus\" needs greedy or hungarian")
            }
            let energyWh = try r.required("energyWh").nonNegative()
            let window = algorithm.usesWindows ? try window(of: r, path: node.path) : nil
            if let window, let power = job.chargerPowerW, Self.exceeds(energyWh, 3600, power, window.upperBound - window.lowerBound) {
                throw MatchJobError(path: node.path, message: "draws \(energyWh) Wh over \(window.upperBound - window.lowerBound) s, "
                                 + "more than chargerPowerW (\(power) W) can deliver")
            }
            job.requests.append(Request(
                exchange: ExchangeID(try r.required("exchange").string()),
                consumer: ConsumerID(try r.required("consumer").string()),
                bid: try r.required("bid").nonNegative(),
                submittedAt: try r.required("submittedAt").integer(),
                energyWh: energyWh,
                kind: kind, window: window))
        }

        var firstEV: [EVID: String] = [:]
        for node in offerNodes {
            let o = try node.object(known: ["ev", "energyWh", "capacityWh", "start", "end", "ask"])
            let evNode = try o.required("ev")
            let ev = EVID(try evNode.string())
            if let first = firstEV[ev] {
                throw MatchJobError(path: evNode.path, message: "duplicate EV ID \"\(ev)\" (first at \(first))")
            }
            firstEV[ev] = evNode.path
            job.offers.append(Offer(
                ev: ev, energyWh: try o.required("energyWh").nonNegative(),
                capacityWh: try o.optional("capacityWh")?.nonNegative() ?? 0,
                window: algorithm.usesWindows ? try window(of: o, path: node.path) : nil,
                ask: algorithm == .doubleAuction ? try o.required("ask").nonNegative() : nil))
        }

        if let penaltiesNode = try top.optional("penalties") {
            job.penalties = try parsePenalties(penaltiesNode)
            if !algorithm.appliesPenalties && (!job.penalties.consumers.isEmpty || !job.penalties.exchanges.isEmpty) {
                throw MatchJobError(path: "penalties", message: "penalty lists apply to the ret and sret algorithms only")
            }
        }
        if algorithm.isProsumerMarket {
            var seen: [ConsumerKey: Int] = [:]
            for (i, r) in job.requests.enumerated() {
                let key = ConsumerKey(exchange: r.exchange, consumer: r.consumer)
                if let first = seen[key] {
                    throw MatchJobError(path: "requests[\(i)]", message: "prosumer \(key) already has requests[\(first)] "
                                     + "(one request per agent per period)")
                }
                seen[key] = i
            }
        }
        return job
    }

    /// The [start, end) window of a request or offer; end must come after start, by at most `Int64.max` s.
    private static func window(of object: JSONInputObject, path: String) throws(MatchJobError) -> Range<Int64> {
        let start = try object.required("start").integer()
        let endNode = try object.required("end")
        let end = try endNode.integer()
        guard end > start else {
            throw MatchJobError(path: path, message: "invalid window: end (\(end)) must be after start (\(start))")
        }
        guard !end.subtractingReportingOverflow(start).overflow else {
            throw MatchJobError(path: path, message: "invalid window: from \(start) to \(end) is longer than the 64-bit range")
        }
        return start..<end
    }

    /// Whether a × b > c × d, exactly (128-bit products) for non-negative operands.
    static func exceeds(_ a: Int64, _ b: Int64, _ c: Int64, _ d: Int64) -> Bool {
        let l = a.multipliedFullWidth(by: b), r = c.multipliedFullWidth(by: d)
        return l.high != r.high ? l.high > r.high : l.low > r.low
    }

    private static func parsePenalties(_ node: JSONInput) throws(MatchJobError) -> PenaltyBook {
        let p = try node.object(known: ["consumers", "exchanges"])
        var book = PenaltyBook()
        for entry in try p.optional("consumers")?.array() ?? [] {
            let c = try entry.object(known: ["exchange", "consumer", "values"])
            let key = ConsumerKey(exchange: ExchangeID(try c.required("exchange").string()),
                                  consumer: ConsumerID(try c.required("consumer").string()))
            guard book.consumers[key] == nil else {
                throw MatchJobError(path: entry.path, message: "consumer \(key) is listed twice")
            }
            book.consumers[key] = try c.required("values").array().map { (v) throws(MatchJobError) in try v.ratio() }
        }
        for entry in try p.optional("exchanges")?.array() ?? [] {
            let e = try entry.object(known: ["exchange", "values"])
            let id = ExchangeID(try e.required("exchange").string())
            guard book.exchanges[id] == nil else {
                throw MatchJobError(path: entry.path, message: "exchange \(id) is listed twice")
            }
            book.exchanges[id] = try e.required("values").array().map { (v) throws(MatchJobError) in try v.ratio() }
        }
        return book
    }
}

