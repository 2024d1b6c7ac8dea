import Foundation
import V2GKit

/// Bad input to a command: where it is (a JSON path such as `requests[3].energyWh`) and what is wrong.
struct InputError: Error, CustomStringConvertible {
    let path: String
    let message: String
    var description: String { path.isEmpty ? message : "\(path): \(message)" }
}

/// The matching algorithms `v2g match` runs.
enum MatchAlgorithm: String, CaseIterable {
    case greedy, hungarian, ret
    case sretDouble = "sret-double"
    case sretSingleEnergy = "sret-single-energy"
    case sretSingleCount = "sret-single-count"
    case doubleAuction = "double-auction"

    /// SRET's strategy, for the SRET algorithms.
    var sretStrategy: SRETMatcher.Strategy? { SRETMatcher.Strategy(rawValue: rawValue) }
    /// Whether the algorithm serves windows of time (requests and offers need start and end).
    var usesWindows: Bool { sretStrategy != nil }
    /// Whether penalty lists apply (RET and SRET).
    var appliesPenalties: Bool { self == .ret || usesWindows }
    /// Whether requests are prosumers of the [P] market (surplus allowed, one per agent).
    var isProsumerMarket: Bool { self == .greedy || self == .hungarian }
}

/// A `v2g match` job as read from JSON (field names as documented in the README).
struct MatchJob {
    struct Request {
        var exchange: ExchangeID
        var consumer: ConsumerID
        var bid: Int64
        var submittedAt: Int64
        var energyWh: Int64
        var kind: RequestKind
        /// The demand window, for SRET.
        var window: Range<Int64>?
    }
    struct Offer {
        var ev: EVID
        var energyWh: Int64
        var capacityWh: Int64
        /// The availability window, for SRET.
        var window: Range<Int64>?
        /// The ask price, for the double auction.
        var ask: Int64?
    }

    var algorithm: MatchAlgorithm
    var chargerCapacityWh: Int64?
    var chargerPowerW: Int64?
    var gamma1: Ratio
    var gamma2: Ratio
    var requests: [Request]
    var offers: [Offer]
    var penalties: PenaltyBook

    /// Parses and validates a job; every error names the offending field.
    static func parse(_ data: Data) throws(InputError) -> MatchJob {
        let root: Any
        do {
            root = try JSONSerialization.jsonObject(with: data, options: [])
        } catch {
            throw InputError(path: "", message: "input is not valid JSON (\(error.localizedDescription))")
        }
        let top = try JSONNode(root, path: "").object(known: [
            "algorithm", "chargerCapacityWh", "chargerPowerW", "gamma1Ppm", "gamma2Ppm", "requests", "offers", "penalties",
        ])
        let algorithmName = try top.required("algorithm").string()
        guard let algorithm = MatchAlgorithm(rawValue: algorithmName) else {
            throw InputError(path: "algorithm", message: "unknown algorithm \"\(algorithmName)\" (expected one of: "
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
            throw InputError(path: "chargerPowerW", message: "missing required field (\(algorithm.rawValue) needs P_c)")
        }

        for node in try top.required("requests").array() {
            let r = try node.object(known: ["exchange", "consumer", "bid", "submittedAt", "energyWh", "kind", "start", "end"])
            let kindNode = try r.optional("kind")
            var kind = RequestKind.demand
            if let kindNode {
                let name = try kindNode.string()
                guard let parsed = RequestKind(rawValue: name) else {
                    throw InputError(path: kindNode.path, message: "must be \"demand\" or \"surplus\", not \"\(name)\"")
                }
                kind = parsed
            }
            if kind == .surplus && !algorithm.isProsumerMarket {
                throw InputError(path: kindNode!.path, message: "\(algorithm.rawValue) serves demand only; "
                                 + "\"surplus\" needs greedy or hungarian")
            }
            let energyWh = try r.required("energyWh").nonNegative()
            let window = algorithm.usesWindows ? try window(of: r, path: node.path) : nil
            if let window, let power = job.chargerPowerW, energyWh * 3600 > power * (window.upperBound - window.lowerBound) {
                throw InputError(path: node.path, message: "draws \(energyWh) Wh over \(window.count) s, more than "
                                 + "chargerPowerW (\(power) W) can deliver")
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
        for node in try top.required("offers").array() {
            let o = try node.object(known: ["ev", "energyWh", "capacityWh", "start", "end", "ask"])
            let evNode = try o.required("ev")
            let ev = EVID(try evNode.string())
            if let first = firstEV[ev] {
                throw InputError(path: evNode.path, message: "duplicate EV ID \"\(ev)\" (first at \(first))")
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
                throw InputError(path: "penalties", message: "penalty lists apply to the ret and sret algorithms only")
            }
        }
        if algorithm.isProsumerMarket {
            var seen: [ConsumerKey: Int] = [:]
            for (i, r) in job.requests.enumerated() {
                let key = ConsumerKey(exchange: r.exchange, consumer: r.consumer)
                if let first = seen[key] {
                    throw InputError(path: "requests[\(i)]", message: "prosumer \(key) already has requests[\(first)] "
                                     + "(one request per agent per period)")
                }
                seen[key] = i
            }
        }
        return job
    }

    /// The [start, end) window of a request or offer; end must come after start.
    private static func window(of object: JSONObject, path: String) throws(InputError) -> Range<Int64> {
        let start = try object.required("start").integer()
        let endNode = try object.required("end")
        let end = try endNode.integer()
        guard end > start else {
            throw InputError(path: path, message: "invalid window: end (\(end)) must be after start (\(start))")
        }
        return start..<end
    }

    private static func parsePenalties(_ node: JSONNode) throws(InputError) -> PenaltyBook {
        let p = try node.object(known: ["consumers", "exchanges"])
        var book = PenaltyBook()
        for entry in try p.optional("consumers")?.array() ?? [] {
            let c = try entry.object(known: ["exchange", "consumer", "values"])
            let key = ConsumerKey(exchange: ExchangeID(try c.required("exchange").string()),
                                  consumer: ConsumerID(try c.required("consumer").string()))
            guard book.consumers[key] == nil else {
                throw InputError(path: entry.path, message: "consumer \(key) is listed twice")
            }
            book.consumers[key] = try c.required("values").array().map { (v) throws(InputError) in try v.ratio() }
        }
        for entry in try p.optional("exchanges")?.array() ?? [] {
            let e = try entry.object(known: ["exchange", "values"])
            let id = ExchangeID(try e.required("exchange").string())
            guard book.exchanges[id] == nil else {
                throw InputError(path: entry.path, message: "exchange \(id) is listed twice")
            }
            book.exchanges[id] = try e.required("values").array().map { (v) throws(InputError) in try v.ratio() }
        }
        return book
    }
}

/// A value inside the parsed JSON, with the path that names it in error messages.
struct JSONNode {
    let value: Any
    let path: String

    init(_ value: Any, path: String) {
        self.value = value
        self.path = path
    }

    /// An object, refusing keys outside `known` so that a misspelt field is an error, not a silent default.
    func object(known: Set<String>) throws(InputError) -> JSONObject {
        guard let dict = value as? [String: Any] else { throw InputError(path: path, message: "must be an object") }
        if let unknown = dict.keys.sorted().first(where: { !known.contains($0) }) {
            throw InputError(path: path.isEmpty ? unknown : "\(path).\(unknown)", message: "unknown field")
        }
        return JSONObject(fields: dict, path: path)
    }

    func array() throws(InputError) -> [JSONNode] {
        guard let items = value as? [Any] else { throw InputError(path: path, message: "must be an array") }
        return items.enumerated().map { JSONNode($1, path: "\(path)[\($0)]") }
    }

    func string() throws(InputError) -> String {
        guard let s = value as? String else { throw InputError(path: path, message: "must be a string") }
        return s
    }

    /// An integer that fits in Int64; JSON booleans, fractions and out-of-range numbers are refused.
    func integer() throws(InputError) -> Int64 {
        guard let number = value as? NSNumber, !(value is NSDecimalNumber) else {
            throw InputError(path: path, message: value is NSDecimalNumber
                             ? "must be an integer within the 64-bit range" : "must be an integer")
        }
        // Foundation reports the JSON literal's type: "c" for true/false, "d" for a fraction or exponent.
        switch String(cString: number.objCType) {
        case "c":
            throw InputError(path: path, message: "must be an integer, not a boolean")
        case "d", "f":
            let d = number.doubleValue
            guard d.rounded() == d, abs(d) <= 9_007_199_254_740_992 else {
                throw InputError(path: path, message: "must be an integer (got \(number))")
            }
            return Int64(d)
        case "q", "l", "i", "s":
            return number.int64Value
        default:
            throw InputError(path: path, message: "must be an integer within the 64-bit range")
        }
    }

    func nonNegative() throws(InputError) -> Int64 {
        let n = try integer()
        guard n >= 0 else { throw InputError(path: path, message: "must not be negative (got \(n))") }
        return n
    }

    /// A ratio in parts per million, within [0, 1 000 000].
    func ratio() throws(InputError) -> Ratio {
        let n = try integer()
        guard n >= 0 && n <= 1_000_000 else {
            throw InputError(path: path, message: "must be a ratio in ppm within [0, 1000000] (got \(n))")
        }
        return Ratio(ppm: Int32(n))
    }
}

/// An object inside the parsed JSON.
struct JSONObject {
    let fields: [String: Any]
    let path: String

    private func childPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func required(_ key: String) throws(InputError) -> JSONNode {
        guard let value = fields[key], !(value is NSNull) else {
            throw InputError(path: childPath(key), message: "missing required field")
        }
        return JSONNode(value, path: childPath(key))
    }

    func optional(_ key: String) throws(InputError) -> JSONNode? {
        guard let value = fields[key], !(value is NSNull) else { return nil }
        return JSONNode(value, path: childPath(key))
    }
}
