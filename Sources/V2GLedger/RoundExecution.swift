import V2GKit

/// What an allocation result ran on, rebuilt from the request lists and offers it names.
public struct RoundInputs: Sendable {
    public struct Request: Hashable, Sendable {
        public var exchange: String
        public var entry: RequestListPayload.Entry
    }

    public var requests: [Request]
    public var offers: [OfferPayload]

    /// The requests as RET/SRET see them.
    var energyRequests: [EnergyRequest] {
        requests.map {
            EnergyRequest(exchange: ExchangeID($0.exchange), consumer: ConsumerID($0.entry.consumer), bid: $0.entry.bid,
                          submittedAt: $0.entry.submittedAt, energyWh: $0.entry.energyWh)
        }
    }

    /// Collects the inputs named by an allocation result, in its order, and checks their digest.
    static func collect(_ result: AllocationResultPayload, lookup: (Digest) -> Transaction?) throws(LedgerError) -> RoundInputs {
        var inputs = RoundInputs(requests: [], offers: [])
        // The digest is taken over the bodies streamed, not gathered (a round's bodies are megabytes).
        var bodies = SHA256Stream()
        for id in result.inputs {
            guard let tx = lookup(id) else { throw LedgerError(.unknownInput, "input \(id) is not on the ledger") }
            bodies.update(tx.body)
            switch tx.kind {
            case .requestList:
                let list = try RequestListPayload.decode(tx.payload)
                inputs.requests += list.requests.map { Request(exchange: list.exchange, entry: $0) }
            case .offer:
                inputs.offers.append(try OfferPayload.decode(tx.payload))
            case .campusSurplus:
                let surplus = try CampusSurplusPayload.decode(tx.payload)
                inputs.requests += surplus.requests.map {
                    Request(exchange: CampusSurplusPayload.qualified(surplus.campus, $0.exchange), entry: $0.entry)
                }
                inputs.offers += surplus.offers.map {
                    var offer = $0
                    offer.ev = CampusSurplusPayload.qualified(surplus.campus, offer.ev)
                    return offer
                }
            default:
                throw LedgerError(.unknownInput, "input \(id) is a \(tx.kind), not a request list, an offer or a campus surplus")
            }
        }
        guard bodies.finish() == result.inputsDigest else {
            throw LedgerError(.reexecution, "inputs digest does not match the named inputs")
        }
        return inputs
    }
}

/// Runs, or checks, the matcher an allocation result names; the ledger's deterministic re-execution.
enum RoundExecution {
    /// The allocations and outcomes the matcher produces on these inputs, as the payload would record them.
    static func expected(_ result: AllocationResultPayload, inputs: RoundInputs, penalties: PenaltyBook)
        throws(LedgerError) -> (allocations: [AllocationResultPayload.Entry], outcomes: [AllocationResultPayload.Outcome]) {
        do {
            let match: MatchResult
            let capacity: Int64? = result.chargerCapacityWh >= 0 ? result.chargerCapacityWh : nil
            switch result.algorithm {
            case .ret:
                match = try RETMatcher(chargerCapacityWh: capacity).match(
                    requests: inputs.energyRequests, offers: inputs.offers.map { EnergyOffer(ev: EVID($0.ev), energyWh: $0.energyWh) },
                    penalties: penalties)
            case .sretDouble, .sretDoubleBestFit, .sretSingleEnergy, .sretSingleCount:
                guard let strategy = result.algorithm.sretStrategy else { throw LedgerError(.malformed, "not an SRET result") }
                guard result.chargerPowerW >= 0 else { throw LedgerError(.malformed, "SRET needs a charger power") }
                var requests: [WindowedRequest] = []
                for (r, e) in zip(inputs.requests, inputs.energyRequests) {
                    guard let w = r.entry.window else { throw LedgerError(.malformed, "an SRET request has no window") }
                    requests.append(WindowedRequest(e, start: w.lowerBound, end: w.upperBound))
                }
                var evs: [EVAvailability] = []
                for o in inputs.offers {
                    guard let w = o.window else { throw LedgerError(.malformed, "an SRET offer has no window") }
                    evs.append(EVAvailability(ev: EVID(o.ev), energyWh: o.energyWh, start: w.lowerBound, end: w.upperBound))
                }
                match = try SRETMatcher(strategy: strategy, chargerPowerW: result.chargerPowerW)
                    .match(requests: requests, evs: evs, penalties: penalties)
            case .greedy:
                match = try GreedyMatcher().match(requests: prosumerRequests(inputs), evs: evStates(inputs, capacity))
            case .hungarian:
                match = try checkCertificate(result, inputs: inputs, capacity: capacity)
            case .doubleAuction:
                // Prices decide an auction's trades, and no transaction carries asks: nothing to re-execute.
                throw LedgerError(.reexecution, "double-auction results are not recorded on the ledger")
            }
            return (match.allocations.map {
                        AllocationResultPayload.Entry(request: UInt32($0.requestIndex), offer: UInt32($0.offerIndex),
                                                      energyWh: $0.energyWh, interval: $0.interval)
                    },
                    match.outcomes.map {
                        AllocationResultPayload.Outcome(request: UInt32($0.requestIndex), demandWh: $0.demandWh,
                                                        allocatedWh: $0.allocatedWh, fulfilled: $0.fulfilled)
                    })
        } catch let error as V2GError {
            throw LedgerError(.reexecution, "the matcher refuses the inputs: \(error.message)")
        } catch let error as LedgerError {
            throw error
        } catch {
            throw LedgerError(.reexecution, "\(error)")
        }
    }

    private static func prosumerRequests(_ inputs: RoundInputs) -> [ProsumerRequest] {
        inputs.requests.map { ProsumerRequest(kind: $0.entry.kind, energyWh: $0.entry.energyWh, submittedAt: $0.entry.submittedAt) }
    }

    private static func evStates(_ inputs: RoundInputs, _ capacity: Int64?) -> [EVState] {
        let cap = capacity ?? Int64.max
        return inputs.offers.map { EVState(availableWh: min($0.energyWh, cap), freeCapacityWh: min($0.capacityWh, cap)) }
    }

    /// An LSAP result is accepted on its certificate, without solving again; returns the result it proves.
    private static func checkCertificate(_ result: AllocationResultPayload, inputs: RoundInputs, capacity: Int64?)
        throws -> MatchResult {
        guard let c = result.certificate else { throw LedgerError(.reexecution, "a hungarian result needs its certificate") }
        let requests = prosumerRequests(inputs)
        let benefit = try HungarianMatcher.benefitMatrix(requests: requests, evs: evStates(inputs, capacity))
        guard c.assignment.count == requests.count, c.assignment.allSatisfy({ $0 >= -1 && $0 < Int64(benefit.columns) }) else {
            throw LedgerError(.reexecution, "the certificate's assignment does not fit the inputs")
        }
        let solution = LinearAssignment.Solution<Int64>(
            rowToColumn: c.assignment.map { $0 >= 0 ? Int($0) : nil }, total: 0, u: c.u, v: c.v)
        do {
            try LinearAssignment.verify(solution, costs: benefit, maximize: true)
        } catch {
            throw LedgerError(.reexecution, "the LSAP certificate does not prove optimality: \(error.message)")
        }
        var allocations: [Allocation] = []
        var outcomes: [RequestOutcome] = []
        for (i, j) in c.assignment.enumerated() {
            let energy = j >= 0 ? benefit[i, Int(j)] : 0
            if energy > 0 { allocations.append(Allocation(requestIndex: i, offerIndex: Int(j), energyWh: energy)) }
            outcomes.append(RequestOutcome(requestIndex: i, demandWh: requests[i].energyWh, allocatedWh: energy,
                                           fulfilled: energy > 0 && energy == requests[i].energyWh))
        }
        return MatchResult(allocations: allocations, outcomes: outcomes)
    }
}
