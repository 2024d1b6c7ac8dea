import V2GKit

extension MatchJob {
    /// Runs the job's matcher and returns its output in the documented field order (README, `v2g match`).
    public func run() throws(V2GError) -> JSONValue {
        let job = self
        switch job.algorithm {
        case .ret:
            let requests = job.requests.map {
                EnergyRequest(exchange: $0.exchange, consumer: $0.consumer, bid: $0.bid,
                              submittedAt: $0.submittedAt, energyWh: $0.energyWh)
            }
            let offers = job.offers.map { EnergyOffer(ev: $0.ev, energyWh: $0.energyWh) }
            let result = try RETMatcher(chargerCapacityWh: job.chargerCapacityWh)
                .match(requests: requests, offers: offers, penalties: job.penalties)
            return try Self.output(result, job: job)
        case .sretDouble, .sretDoubleBestFit, .sretSingleEnergy, .sretSingleCount:
            let requests = job.requests.map {
                WindowedRequest(EnergyRequest(exchange: $0.exchange, consumer: $0.consumer, bid: $0.bid,
                                              submittedAt: $0.submittedAt, energyWh: $0.energyWh),
                                start: $0.window!.lowerBound, end: $0.window!.upperBound)
            }
            let evs = job.offers.map {
                EVAvailability(ev: $0.ev, energyWh: $0.energyWh, start: $0.window!.lowerBound, end: $0.window!.upperBound)
            }
            let result = try SRETMatcher(strategy: job.algorithm.sretStrategy!, chargerPowerW: job.chargerPowerW!)
                .match(requests: requests, evs: evs, penalties: job.penalties)
            return try Self.output(result, job: job)
        case .doubleAuction:
            let cap = job.chargerCapacityWh ?? Int64.max
            let bids = job.requests.map { AuctionOrder(price: $0.bid, energyWh: $0.energyWh) }
            let asks = job.offers.map { AuctionOrder(price: $0.ask!, energyWh: min($0.energyWh, cap)) }
            let outcome = try DoubleAuction().clear(bids: bids, asks: asks)
            return try Self.output(outcome.matchResult(bids: bids), job: job)
        case .greedy, .hungarian:
            let requests = job.requests.map {
                ProsumerRequest(kind: $0.kind, energyWh: $0.energyWh, submittedAt: $0.submittedAt)
            }
            let cap = job.chargerCapacityWh ?? Int64.max
            let evs = job.offers.map {
                EVState(availableWh: min($0.energyWh, cap), freeCapacityWh: min($0.capacityWh, cap))
            }
            let result = job.algorithm == .greedy
                ? try GreedyMatcher().match(requests: requests, evs: evs)
                : try HungarianMatcher().match(requests: requests, evs: evs).result
            return try Self.output(result, job: job)
        }
    }

    private static func output(_ result: MatchResult, job: MatchJob) throws(V2GError) -> JSONValue {
        var profit: Int64 = 0
        var allocations: [JSONValue] = []
        for a in result.allocations {
            let r = job.requests[a.requestIndex]
            let (sum, overflow) = profit.addingReportingOverflow(try money(pricePerKWh: r.bid, energyWh: a.energyWh))
            guard !overflow else { throw V2GError(code: .overflow, message: "totals.profitMicro exceeds the 64-bit range") }
            profit = sum
            var fields: [(String, JSONValue)] = [
                ("exchange", .string(r.exchange.rawValue)), ("consumer", .string(r.consumer.rawValue)),
                ("ev", .string(job.offers[a.offerIndex].ev.rawValue)), ("energyWh", .int(Int(a.energyWh))),
            ]
            if let interval = a.interval { fields += [("start", .int(Int(interval.lowerBound))), ("end", .int(Int(interval.upperBound)))] }
            allocations.append(.object(JSONObject(fields)))
        }
        let requests: [JSONValue] = result.outcomes.map { o in
            let r = job.requests[o.requestIndex]
            return .object(JSONObject([
                ("exchange", .string(r.exchange.rawValue)), ("consumer", .string(r.consumer.rawValue)),
                ("demandWh", .int(Int(o.demandWh))), ("allocatedWh", .int(Int(o.allocatedWh))), ("fulfilled", .bool(o.fulfilled)),
            ]))
        }
        let demand: Int64, allocated: Int64
        do {
            demand = try result.checkedDemandWh()
            allocated = try result.checkedAllocatedWh()
        } catch {
            throw V2GError(code: error.code, message: "totals: \(error.message)")
        }
        return .object(JSONObject([
            ("allocations", .array(allocations)),
            ("requests", .array(requests)),
            ("totals", .object(JSONObject([
                ("demandWh", .int(Int(demand))), ("allocatedWh", .int(Int(allocated))),
                ("fulfilledRequests", .int(result.fulfilledCount)), ("profitMicro", .int(Int(profit))),
            ]))),
        ]))
    }
}
