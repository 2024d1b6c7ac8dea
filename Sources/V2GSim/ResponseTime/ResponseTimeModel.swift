/// The response-time model of a V2GFTN trading round ([T] §5.4, eq. 5.10–5.47):
/// the time from the first consumer's request until the last consumer is
/// notified, over three ledgers per campus (BoE, BoEV) and one across campuses
/// (BoCS).
///
/// A round runs in six phases per campus CS_k:
/// 1. request collection and list preparation in the BoE (T_1^k, eq. 5.15);
/// 2. energy allocation with SRET on CS_k (T_2^k, eq. 5.20);
/// 3. energy trading diversion: 3-1 fulfilled requests get their first-time
///    notification through the BoE (T_{3-1}^k, eq. 5.26); 3-2 unfulfilled
///    requests and unused EVs are uploaded to the BoCS (T_{3-2}^k, eq. 5.29);
/// 4. cross-campus allocation in the BoCS (T_4, eq. 5.38);
/// 5. second-time notification in the BoE (T_5, eq. 5.42).
///
/// ```swift
/// let model = try ResponseTimeModel(.table5_1)
/// let b = model.breakdown()
/// print(b.round.seconds, b.round.ledgerShare)
/// ```
///
/// This is a report model: it computes in `Double` seconds and never feeds the ledger.
/// The equations, the reading of the OCR and the values chosen where [T] is
/// silent are in `docs/response-time-model.md`.
public struct ResponseTimeModel: Hashable, Sendable {
    /// The validated parameters.
    public let parameters: Parameters

    /// A model over validated parameters.
    /// - Parameter parameters: the configuration of the round.
    /// - Throws: `ResponseTimeParameterError` if a time is negative or not
    ///   finite, a probability lies outside [0, 1], there is no campus or a
    ///   campus has no exchange, or the transaction capacity is not positive.
    public init(_ parameters: Parameters) throws(ResponseTimeParameterError) {
        try parameters.validate()
        self.parameters = parameters
    }
}

// MARK: - Parameters

extension ResponseTimeModel {
    /// The configuration of one V2GFTN trading round. Every property names its
    /// thesis symbol ([T] §5.4, Table 5.1) and its unit.
    public struct Parameters: Hashable, Sendable {
        /// One energy exchange E_i of a BoE.
        public struct Exchange: Hashable, Sendable {
            /// t_c_e^{ij}, seconds: the transmission time (transfer plus latency) of
            /// consumer C_ij's request to E_i, one entry per active consumer
            /// (so the exchange's N_req^i is `consumerDelays.count`). The same
            /// time is used for the notification back (eq. 5.25, 5.40).
            public var consumerDelays: [Double]

            /// An exchange whose consumers have the given transmission times.
            public init(consumerDelays: [Double]) { self.consumerDelays = consumerDelays }

            /// An exchange of `requestCount` consumers that all take `consumerDelay` seconds.
            public init(requestCount: Int, consumerDelay: Double) {
                self.consumerDelays = Array(repeating: consumerDelay, count: max(0, requestCount))
            }

            /// N_req^i: the number of active consumers (= requests) of this exchange.
            public var requestCount: Int { consumerDelays.count }
        }

        /// The per-block and per-transaction times of one ledger as seen by CS_k.
        public struct LedgerTimes: Hashable, Sendable {
            /// t_endo^{boe,k} or t_endo^{bocs,k}, seconds per transaction: average endorsement time.
            public var endorsementPerTransaction: Double
            /// t_o^{boe,k} or t_o^{bocs,k}, seconds: sending the transactions to the
            /// ordering organisation, ordering and block packing.
            public var ordering: Double
            /// t_bcst^{boe,k} or t_bcst^{bocs,k}, seconds: broadcasting the block.
            public var broadcast: Double
            /// t_ver^{boe,k} or t_ver^{bocs,k}, seconds: verifying the block.
            public var verification: Double
            /// t_rec^{boe,k} or t_rec^{bocs,k}, seconds: recording the block in all nodes.
            public var recording: Double

            public init(endorsementPerTransaction: Double, ordering: Double, broadcast: Double,
                        verification: Double, recording: Double) {
                self.endorsementPerTransaction = endorsementPerTransaction
                self.ordering = ordering
                self.broadcast = broadcast
                self.verification = verification
                self.recording = recording
            }

            /// t_o + t_bcst + t_ver + t_rec: the per-upload part of eq. 5.13, 5.24, 5.29, 5.36, 5.39.
            var blockCost: ResponseTimeCost { .ledger(ordering + broadcast + verification + recording) }
        }

        /// One campus: a control system CS_k with its BoE and BoEV.
        public struct Campus: Hashable, Sendable {
            /// {E_i}, i ∈ N_ex: the exchanges of the BoE of CS_k (N_ex = `exchanges.count`).
            public var exchanges: [Exchange]
            /// N_ev^k: the number of EVs in the BoEV of CS_k.
            public var evCount: Int
            /// c_1^k, seconds: average time for CS_k to process (pick) one EV of the EV
            /// list for one request in SRET (eq. 5.17, 5.32).
            public var traverseTimePerEV: Double
            /// c_2^k, seconds: average time for CS_k to check one EV against a
            /// request's time boundaries (eq. 5.18, 5.33).
            public var filterTimePerEV: Double
            /// c_3^k, seconds: average time for CS_k to allocate a V2G task to one EV
            /// (eq. 5.19, 5.34).
            public var allocateTimePerEV: Double
            /// p_k, in [0, 1]: the expectation of fulfilling a request in one round of CS_k.
            public var fulfilmentProbability: Double
            /// q_k, EVs: the average number of EVs needed to fulfil a request in CS_k.
            public var evsPerFulfilledRequest: Double
            /// The BoE times of CS_k (t_endo^{boe,k}, t_o^{boe,k}, t_bcst^{boe,k},
            /// t_ver^{boe,k}, t_rec^{boe,k}).
            public var boe: LedgerTimes
            /// The BoCS times of CS_k (t_endo^{bocs,k}, t_o^{bocs,k}, t_bcst^{bocs,k},
            /// t_ver^{bocs,k}, t_rec^{bocs,k}).
            public var bocs: LedgerTimes

            public init(exchanges: [Exchange], evCount: Int, traverseTimePerEV: Double,
                        filterTimePerEV: Double, allocateTimePerEV: Double,
                        fulfilmentProbability: Double, evsPerFulfilledRequest: Double,
                        boe: LedgerTimes, bocs: LedgerTimes) {
                self.exchanges = exchanges
                self.evCount = evCount
                self.traverseTimePerEV = traverseTimePerEV
                self.filterTimePerEV = filterTimePerEV
                self.allocateTimePerEV = allocateTimePerEV
                self.fulfilmentProbability = fulfilmentProbability
                self.evsPerFulfilledRequest = evsPerFulfilledRequest
                self.boe = boe
                self.bocs = bocs
            }
        }

        /// {CS_k}, k ∈ N_cs: the campuses (N_cs = `campuses.count`).
        public var campuses: [Campus]
        /// t_prcs^req, seconds: average time for a node to process one request.
        public var requestProcessingTime: Double
        /// t_prcs^ev, seconds: average time for a node to process the data of one EV.
        public var evProcessingTime: Double
        /// t_prcs^blk, seconds: time for a node to process (extract the data of) one block.
        public var blockProcessingTime: Double
        /// S_req, in the unit of `transactionCapacity` (Table 5.1: kb): size of one request.
        public var requestSize: Double
        /// S_ev, in the unit of `transactionCapacity`: size of one EV's data.
        public var evSize: Double
        /// S_allocate, in the unit of `transactionCapacity`: size of one allocation result.
        public var allocationResultSize: Double
        /// C_tx (Table 5.1: kb): the variable transaction capacity, > 0.
        public var transactionCapacity: Double
        /// p', in [0, 1]: the expectation of fulfilling a request in the BoCS.
        public var bocsFulfilmentProbability: Double
        /// q', EVs: the average number of EVs needed to fulfil a request in the BoCS.
        public var bocsEVsPerFulfilledRequest: Double

        public init(campuses: [Campus], requestProcessingTime: Double, evProcessingTime: Double,
                    blockProcessingTime: Double, requestSize: Double, evSize: Double,
                    allocationResultSize: Double, transactionCapacity: Double,
                    bocsFulfilmentProbability: Double, bocsEVsPerFulfilledRequest: Double) {
            self.campuses = campuses
            self.requestProcessingTime = requestProcessingTime
            self.evProcessingTime = evProcessingTime
            self.blockProcessingTime = blockProcessingTime
            self.requestSize = requestSize
            self.evSize = evSize
            self.allocationResultSize = allocationResultSize
            self.transactionCapacity = transactionCapacity
            self.bocsFulfilmentProbability = bocsFulfilmentProbability
            self.bocsEVsPerFulfilledRequest = bocsEVsPerFulfilledRequest
        }

        func validate() throws(ResponseTimeParameterError) {
            guard !campuses.isEmpty else { throw ResponseTimeParameterError("campuses (N_cs) must not be empty") }
            try checkTime(requestProcessingTime, "requestProcessingTime (t_prcs^req)")
            try checkTime(evProcessingTime, "evProcessingTime (t_prcs^ev)")
            try checkTime(blockProcessingTime, "blockProcessingTime (t_prcs^blk)")
            try checkTime(requestSize, "requestSize (S_req)")
            try checkTime(evSize, "evSize (S_ev)")
            try checkTime(allocationResultSize, "allocationResultSize (S_allocate)")
            guard transactionCapacity.isFinite, transactionCapacity > 0 else {
                throw ResponseTimeParameterError("transactionCapacity (C_tx) must be finite and > 0, got \(transactionCapacity)")
            }
            try checkProbability(bocsFulfilmentProbability, "bocsFulfilmentProbability (p')")
            try checkTime(bocsEVsPerFulfilledRequest, "bocsEVsPerFulfilledRequest (q')")
            for (k, campus) in campuses.enumerated() {
                let at = "campuses[\(k)]"
                guard !campus.exchanges.isEmpty else {
                    throw ResponseTimeParameterError("\(at).exchanges (N_ex) must not be empty")
                }
                guard campus.evCount >= 0 else {
                    throw ResponseTimeParameterError("\(at).evCount (N_ev^k) must be ≥ 0, got \(campus.evCount)")
                }
                for (i, exchange) in campus.exchanges.enumerated() {
                    for (j, delay) in exchange.consumerDelays.enumerated() {
                        try checkTime(delay, "\(at).exchanges[\(i)].consumerDelays[\(j)] (t_c_e^ij)")
                    }
                }
                try checkTime(campus.traverseTimePerEV, "\(at).traverseTimePerEV (c_1^k)")
                try checkTime(campus.filterTimePerEV, "\(at).filterTimePerEV (c_2^k)")
                try checkTime(campus.allocateTimePerEV, "\(at).allocateTimePerEV (c_3^k)")
                try checkProbability(campus.fulfilmentProbability, "\(at).fulfilmentProbability (p_k)")
                try checkTime(campus.evsPerFulfilledRequest, "\(at).evsPerFulfilledRequest (q_k)")
                for (name, ledger) in [("boe", campus.boe), ("bocs", campus.bocs)] {
                    try checkTime(ledger.endorsementPerTransaction, "\(at).\(name).endorsementPerTransaction (t_endo^{\(name),k})")
                    try checkTime(ledger.ordering, "\(at).\(name).ordering (t_o^{\(name),k})")
                    try checkTime(ledger.broadcast, "\(at).\(name).broadcast (t_bcst^{\(name),k})")
                    try checkTime(ledger.verification, "\(at).\(name).verification (t_ver^{\(name),k})")
                    try checkTime(ledger.recording, "\(at).\(name).recording (t_rec^{\(name),k})")
                }
            }
        }
    }
}

// MARK: - Table 5.1

extension ResponseTimeModel.Parameters {
    /// Table 5.1 of [T], "Configuration for the Time Analysis Simulation", read
    /// as one configuration.
    ///
    /// From the table: N_cs = 3; t_prcs^req = 0.1 ms; t_prcs^ev = 0.2 ms;
    /// t_prcs^blk = 2 s; S_req = S_ev = 0.2 kb; S_allocate = 0.5 kb; C_tx = 256 kb;
    /// p' = 0.7; q' = 1.2. The per-campus ranges (superscript k) are spread over
    /// the three CSs, low/middle/high: N_ex = 3/4/5, c_1^k = 0.45/0.50/0.55 ms,
    /// c_2^k = 0.36/0.40/0.44 ms, c_3^k = 0.23/0.255/0.28 ms, p_k = 0.6/0.7/0.8,
    /// q_k = 1.0/1.1/1.2. The swept sizes take their midpoints: N_req^i = 90
    /// (30–150), N_ev^k = 488 (75–900, rounded up).
    ///
    /// Not in [T], chosen (see `docs/response-time-model.md`): t_c_e^ij = 50 ms;
    /// BoE t_endo = 0.1 s per transaction, t_o = 2 s (Hyperledger Fabric's
    /// default BatchTimeout), t_bcst = 0.1 s, t_ver = 0.2 s, t_rec = 0.1 s;
    /// BoCS (between campuses) t_endo = 0.2 s, t_o = 2 s, t_bcst = 0.2 s,
    /// t_ver = 0.2 s, t_rec = 0.1 s.
    public static let table5_1: Self = {
        let ms = 1e-3
        let boe = LedgerTimes(endorsementPerTransaction: 0.1, ordering: 2.0, broadcast: 0.1,
                              verification: 0.2, recording: 0.1)
        let bocs = LedgerTimes(endorsementPerTransaction: 0.2, ordering: 2.0, broadcast: 0.2,
                               verification: 0.2, recording: 0.1)
        let exchange = Exchange(requestCount: 90, consumerDelay: 50 * ms)
        // (N_ex, c_1^k, c_2^k, c_3^k, p_k, q_k) for k = 1, 2, 3.
        let spread: [(Int, Double, Double, Double, Double, Double)] = [
            (3, 0.45, 0.36, 0.23, 0.6, 1.0),
            (4, 0.50, 0.40, 0.255, 0.7, 1.1),
            (5, 0.55, 0.44, 0.28, 0.8, 1.2),
        ]
        let campuses = spread.map { nEx, c1, c2, c3, p, q in
            Campus(exchanges: Array(repeating: exchange, count: nEx), evCount: 488,
                   traverseTimePerEV: c1 * ms, filterTimePerEV: c2 * ms, allocateTimePerEV: c3 * ms,
                   fulfilmentProbability: p, evsPerFulfilledRequest: q, boe: boe, bocs: bocs)
        }
        return Self(campuses: campuses, requestProcessingTime: 0.1 * ms, evProcessingTime: 0.2 * ms,
                    blockProcessingTime: 2.0, requestSize: 0.2, evSize: 0.2, allocationResultSize: 0.5,
                    transactionCapacity: 256, bocsFulfilmentProbability: 0.7, bocsEVsPerFulfilledRequest: 1.2)
    }()

    /// These parameters with every campus given `exchangeCount` exchanges (N_ex)
    /// and `evCount` EVs (N_ev^k). Exchanges are copied from the campus's own,
    /// cycling through them in order.
    public func resized(exchangeCount: Int, evCount: Int) -> Self {
        var copy = self
        copy.campuses = campuses.map { campus in
            var campus = campus
            let template = campus.exchanges
            campus.exchanges = template.isEmpty ? [] : (0..<max(0, exchangeCount)).map { template[$0 % template.count] }
            campus.evCount = evCount
            return campus
        }
        return copy
    }
}

// MARK: - Breakdown

extension ResponseTimeModel {
    /// Every phase of one campus CS_k, with the counts the equations derive.
    public struct CampusBreakdown: Hashable, Sendable {
        /// t_c_e^i (eq. 5.10), per exchange: the slowest consumer's transmission.
        public var exchangeCollection: [ResponseTimeCost]
        /// N_tx^{boe,i} (eq. 5.12), per exchange: transactions of its request list.
        public var requestTransactions: [Int]
        /// t_1^i (eq. 5.14), per exchange: its time in Phase 1.
        public var exchangePhase1: [ResponseTimeCost]
        /// T_1^k (eq. 5.15): request collection and list preparation in the BoE.
        public var requestCollection: ResponseTimeCost

        /// N_req^{total,k} (eq. 5.16).
        public var totalRequests: Int
        /// t_traverse^k (eq. 5.17), seconds.
        public var traverse: Double
        /// t_filter^k (eq. 5.18), seconds.
        public var filter: Double
        /// t_allocate^k (eq. 5.19), seconds.
        public var allocate: Double
        /// T_2^k (eq. 5.20): energy allocation with SRET in CS_k.
        public var allocation: ResponseTimeCost

        /// N_req^{s,k} (eq. 5.21): requests fulfilled in the BoE (expected value).
        public var fulfilledRequests: Double
        /// N_req^{r,k} (eq. 5.22): requests left for the BoCS.
        public var remainingRequests: Double
        /// N_tx^{cs_ex} (eq. 5.23): transactions of the allocation result.
        public var resultTransactions: Int
        /// t_u_cs^k (eq. 5.24): uploading the allocation result to the BoE.
        public var resultUpload: ResponseTimeCost
        /// T_{3-1}^k (eq. 5.26): the last first-time notification in the BoE.
        public var firstNotification: ResponseTimeCost

        /// N_ev^{r,k} (eq. 5.27, clamped at 0): EVs left for the BoCS.
        public var remainingEVs: Double
        /// N_tx^{bocs,k} (eq. 5.28): transactions of the remaining requests and EVs.
        public var bocsTransactions: Int
        /// T_{3-2}^k (eq. 5.29): uploading the remaining requests and EVs to the BoCS.
        public var bocsUpload: ResponseTimeCost

        /// t_traverse^{r,k} (eq. 5.32), seconds.
        public var bocsTraverse: Double
        /// t_filter^{r,k} (eq. 5.33), seconds.
        public var bocsFilter: Double
        /// t_allocate^{r,k} (eq. 5.34), seconds.
        public var bocsAllocate: Double
        /// t_u_bocs^k (eq. 5.36): uploading CS_k's cross-campus result to the BoCS.
        public var bocsResultUpload: ResponseTimeCost
        /// t_4^k (eq. 5.37): CS_k's time to finish the cross-campus allocation.
        public var bocsAllocation: ResponseTimeCost

        /// t_5^k (eq. 5.39): moving the BoCS result into the BoE of CS_k.
        public var secondNotificationUpload: ResponseTimeCost
        /// t_c_e^k (eq. 5.41): the slowest consumer–exchange transmission in the BoE of CS_k.
        public var slowestConsumer: ResponseTimeCost

        /// T_1st^{resp,k} (eq. 5.43) = T_1^k + T_2^k + T_{3-1}^k.
        public var firstResponse: ResponseTimeCost
        /// T_1^k + T_2^k + T_{3-2}^k: when CS_k's leftovers are on the BoCS (the operand of eq. 5.45).
        public var readyForBoCS: ResponseTimeCost
    }

    /// Which response ends the round (the operand chosen by eq. 5.47).
    public enum CriticalPath: Hashable, Sendable {
        /// The first-time notification of campus `campus` (T_1st^{resp,k}, index from 0).
        case firstNotification(campus: Int)
        /// The second-time notification through the BoCS (T_2nd^resp).
        case secondNotification
    }

    /// Each phase's time, the totals, and the shares of a round.
    public struct Breakdown: Hashable, Sendable {
        /// Per campus, in the order of `Parameters.campuses`.
        public var campuses: [CampusBreakdown]
        /// N_total_req^r (eq. 5.30): remaining requests over all campuses.
        public var remainingRequests: Double
        /// N_total_ev^r (eq. 5.31): remaining EVs over all campuses.
        public var remainingEVs: Double
        /// N_tx^cs (eq. 5.35): transactions of the cross-campus allocation result.
        public var bocsResultTransactions: Int
        /// T_4 (eq. 5.38): the BoCS finishes the cross-campus allocation (first CS to finish).
        public var bocsAllocation: ResponseTimeCost
        /// The index of the CS whose t_4^k is T_4 (first on a tie).
        public var bocsWinner: Int
        /// T_5 (eq. 5.42): the last second-time notification.
        public var secondNotification: ResponseTimeCost
        /// The index of the campus that attains `max(T_1^k + T_2^k + T_{3-2}^k)` in eq. 5.45.
        public var lastToBoCS: Int
        /// T_2nd^resp (eq. 5.45).
        public var secondResponse: ResponseTimeCost
        /// T_r (eq. 5.47): the round's response time.
        public var round: ResponseTimeCost
        /// The response that attains T_r.
        public var criticalPath: CriticalPath

        /// The ledger (blockchain) part of the round time T_r, in [0, 1]: [T] reports 0.738.
        public var ledgerShare: Double { round.ledgerShare }
        /// The off-ledger computation part of T_r, in [0, 1].
        public var computationShare: Double { round.computationShare }
        /// The off-ledger communication part of T_r, in [0, 1].
        public var communicationShare: Double { round.communicationShare }

        /// The shares of Phase 1, 2 and 3-1 in campus `campus`'s T_1st^{resp,k}
        /// (Fig. 5.5b; [T] reports 48.2 %, 3.5 %, 48.3 %). Defaults to the
        /// campus with the longest first response.
        public func firstResponseShares(campus: Int? = nil) -> (phase1: Double, phase2: Double, phase3_1: Double) {
            let k = campus ?? campuses.indices.max { campuses[$0].firstResponse.seconds < campuses[$1].firstResponse.seconds } ?? 0
            let c = campuses[k]
            let total = c.firstResponse.seconds
            guard total > 0 else { return (0, 0, 0) }
            return (c.requestCollection.seconds / total, c.allocation.seconds / total,
                    c.firstNotification.seconds / total)
        }

        /// The shares of Phase 1, 2, 3-2 (of the campus attaining eq. 5.45's max),
        /// 4 and 5 in T_2nd^resp (Fig. 5.5c; [T] reports 36.6 %, 2.6 %, 16.6 %,
        /// 19.1 %, 25.1 %).
        public var secondResponseShares: (phase1: Double, phase2: Double, phase3_2: Double, phase4: Double, phase5: Double) {
            let total = secondResponse.seconds
            guard total > 0 else { return (0, 0, 0, 0, 0) }
            let c = campuses[lastToBoCS]
            return (c.requestCollection.seconds / total, c.allocation.seconds / total,
                    c.bocsUpload.seconds / total, bocsAllocation.seconds / total,
                    secondNotification.seconds / total)
        }
    }

    /// Each phase's time for these parameters (eq. 5.10–5.47).
    public func breakdown() -> Breakdown {
        let P = parameters
        let tBlk = ResponseTimeCost.ledger(P.blockProcessingTime)            // t_prcs^blk
        let Ncs = Double(P.campuses.count)                                    // N_cs
        let Ctx = P.transactionCapacity                                       // C_tx

        var campuses: [CampusBreakdown] = []
        campuses.reserveCapacity(P.campuses.count)
        for campus in P.campuses {
            let boe = campus.boe
            let Nex = Double(campus.exchanges.count)                          // N_ex
            let Nev = Double(campus.evCount)                                  // N_ev^k
            let pk = campus.fulfilmentProbability, qk = campus.evsPerFulfilledRequest

            // Phase 1: request collection and list preparation in the BoE.
            var tCE: [ResponseTimeCost] = [], nTxBoE: [Int] = [], t1: [ResponseTimeCost] = []
            for exchange in campus.exchanges {
                let Nreq = Double(exchange.requestCount)                      // N_req^i
                // (5.10) t_c_e^i = max(t_c_e^{i1}, …, t_c_e^{iN_req^i})
                let tce = ResponseTimeCost.longest(exchange.consumerDelays.map(ResponseTimeCost.communication))
                // (5.11) t_l^i = t_prcs^req × N_req^i
                let tl = ResponseTimeCost.computation(P.requestProcessingTime * Nreq)
                // (5.12) N_tx^{boe,i} = ⌈N_req^i × S_req / C_tx⌉
                let nTx = transactions(Nreq * P.requestSize, Ctx)
                // (5.13) t_u_ex^i = N_tx^{boe,i} × t_endo^{boe,k} + t_o^{boe,k} + t_bcst^{boe,k} + t_ver^{boe,k} + t_rec^{boe,k}
                let tuex = ResponseTimeCost.ledger(Double(nTx) * boe.endorsementPerTransaction) + boe.blockCost
                // (5.14) t_1^i = t_c_e^i + t_l^i + t_u_ex^i
                tCE.append(tce); nTxBoE.append(nTx); t1.append(tce + tl + tuex)
            }
            // (5.15) T_1^k = max(t_1^1, …, t_1^{N_ex})
            let T1 = ResponseTimeCost.longest(t1)

            // Phase 2: energy allocation in the BoE (SRET on CS_k).
            // (5.16) N_req^{total,k} = Σ_{i=1}^{N_ex} N_req^i
            let totalInt = campus.exchanges.reduce(0) { $0 + $1.requestCount }
            let Ntotal = Double(totalInt)
            // (5.17) t_traverse^k = c_1^k p_k × N_req^{total,k} × N_ev^k
            let traverse = campus.traverseTimePerEV * pk * Ntotal * Nev
            // (5.18) t_filter^k = c_2^k p_k × N_req^{total,k} × N_ev^k
            let filter = campus.filterTimePerEV * pk * Ntotal * Nev
            // (5.19) t_allocate^k = c_3^k p_k q_k × N_req^{total,k}
            let allocate = campus.allocateTimePerEV * pk * qk * Ntotal
            // (5.20) T_2^k = t_prcs^blk × N_ex + t_traverse^k + t_filter^k + t_allocate^k
            let T2 = Nex * tBlk + .computation(traverse + filter + allocate)

            // Phase 3-1: first-time notification in the BoE.
            // (5.21) N_req^{s,k} = N_req^{total,k} × p_k
            let Ns = Ntotal * pk
            // (5.22) N_req^{r,k} = N_req^{total,k} − N_req^{s,k}
            let Nr = Ntotal - Ns
            // (5.23) N_tx^{cs_ex} = ⌈N_req^{s,k} × S_allocate / C_tx⌉
            let nTxCsEx = transactions(Ns * P.allocationResultSize, Ctx)
            // (5.24) t_u_cs^k = N_tx^{cs_ex} × t_endo^{boe,k} + t_o^{boe,k} + t_bcst^{boe,k} + t_ver^{boe,k} + t_rec^{boe,k}
            let tucs = ResponseTimeCost.ledger(Double(nTxCsEx) * boe.endorsementPerTransaction) + boe.blockCost
            // (5.25) t_n^{ij} = t_u_cs^k + t_prcs^blk + t_c_e^{ij}
            // (5.26) T_{3-1}^k = max over all i, j of t_n^{ij}
            let T31 = ResponseTimeCost.longest(campus.exchanges.lazy.flatMap(\.consumerDelays).map {
                tucs + tBlk + .communication($0)
            })

            // Phase 3-2: consensus processing of the BoCS.
            // (5.27) N_ev^{r,k} = N_ev^k − p_k q_k × N_req^{total,k}   (clamped at 0, see docs)
            let Nevr = max(0, Nev - pk * qk * Ntotal)
            // (5.28) N_tx^{bocs,k} = ⌈(N_req^{r,k} × S_req + N_ev^{r,k} × S_ev) / C_tx⌉
            let nTxBoCS = transactions(Nr * P.requestSize + Nevr * P.evSize, Ctx)
            // (5.29) T_{3-2}^k = t_prcs^req × N_req^{r,k} + t_prcs^ev × N_ev^{r,k}
            //                  + N_tx^{bocs,k} × t_endo^{bocs} + t_o^{bocs} + t_bcst^{bocs} + t_ver^{bocs} + t_rec^{bocs}
            let T32 = ResponseTimeCost.computation(P.requestProcessingTime * Nr + P.evProcessingTime * Nevr)
                + .ledger(Double(nTxBoCS) * campus.bocs.endorsementPerTransaction) + campus.bocs.blockCost

            // (5.41) t_c_e^k = max over all i, j of t_c_e^{ij}
            let tceK = ResponseTimeCost.longest(tCE)
            campuses.append(CampusBreakdown(
                exchangeCollection: tCE, requestTransactions: nTxBoE, exchangePhase1: t1, requestCollection: T1,
                totalRequests: totalInt, traverse: traverse, filter: filter, allocate: allocate, allocation: T2,
                fulfilledRequests: Ns, remainingRequests: Nr, resultTransactions: nTxCsEx, resultUpload: tucs,
                firstNotification: T31, remainingEVs: Nevr, bocsTransactions: nTxBoCS, bocsUpload: T32,
                bocsTraverse: 0, bocsFilter: 0, bocsAllocate: 0, bocsResultUpload: .zero, bocsAllocation: .zero,
                secondNotificationUpload: .zero, slowestConsumer: tceK,
                // (5.43) T_1st^{resp,k} = T_1^k + T_2^k + T_{3-1}^k
                firstResponse: T1 + T2 + T31,
                readyForBoCS: T1 + T2 + T32))
        }

        // Phase 4: energy allocation in the BoCS.
        // (5.30) N_total_req^r = Σ_{k=1}^{N_cs} N_req^{r,k}
        let NrTotal = campuses.reduce(0) { $0 + $1.remainingRequests }
        // (5.31) N_total_ev^r = Σ_{k=1}^{N_cs} N_ev^{r,k}
        let NevrTotal = campuses.reduce(0) { $0 + $1.remainingEVs }
        let pPrime = P.bocsFulfilmentProbability, qPrime = P.bocsEVsPerFulfilledRequest
        // (5.35) N_tx^cs = ⌈p' × N_total_req^r × S_allocate / C_tx⌉
        let nTxCs = transactions(pPrime * NrTotal * P.allocationResultSize, Ctx)
        for k in campuses.indices {
            let campus = P.campuses[k]
            // (5.32) t_traverse^{r,k} = c_1^k p' × N_total_req^r × N_total_ev^r
            campuses[k].bocsTraverse = campus.traverseTimePerEV * pPrime * NrTotal * NevrTotal
            // (5.33) t_filter^{r,k} = c_2^k p' × N_total_req^r × N_total_ev^r
            campuses[k].bocsFilter = campus.filterTimePerEV * pPrime * NrTotal * NevrTotal
            // (5.34) t_allocate^{r,k} = c_3^k p' q' × N_total_req^r
            campuses[k].bocsAllocate = campus.allocateTimePerEV * pPrime * qPrime * NrTotal
            // (5.36) t_u_bocs^k = N_tx^cs × t_endo^{bocs,k} + t_o^{bocs,k} + t_bcst^{bocs,k} + t_ver^{bocs,k} + t_rec^{bocs,k}
            let tubocs = ResponseTimeCost.ledger(Double(nTxCs) * campus.bocs.endorsementPerTransaction)
                + campus.bocs.blockCost
            campuses[k].bocsResultUpload = tubocs
            // (5.37) t_4^k = t_prcs^blk × N_cs + t_traverse^{r,k} + t_filter^{r,k} + t_allocate^{r,k} + t_u_bocs^k
            campuses[k].bocsAllocation = Ncs * tBlk
                + .computation(campuses[k].bocsTraverse + campuses[k].bocsFilter + campuses[k].bocsAllocate)
                + tubocs
            // (5.39) t_5^k = t_prcs^blk + N_tx^cs t_endo^{boe,k} / N_cs + t_o^{boe,k} + t_bcst^{boe,k} + t_ver^{boe,k} + t_rec^{boe,k}
            campuses[k].secondNotificationUpload = tBlk
                + .ledger(Double(nTxCs) * campus.boe.endorsementPerTransaction / Ncs) + campus.boe.blockCost
        }
        // (5.38) T_4 = min(t_4^1, …, t_4^{N_cs})
        let bocsWinner = argBest(campuses.map(\.bocsAllocation.seconds), <)
        let T4 = campuses[bocsWinner].bocsAllocation

        // Phase 5: second-time notification in the BoE.
        // (5.40) t_5^{ij} = t_5^k + t_prcs^blk + t_c_e^{ij}
        // (5.42) T_5 = t_prcs^blk + max(t_c_e^1 + t_5^1, …, t_c_e^{N_cs} + t_5^{N_cs})
        let T5 = tBlk + ResponseTimeCost.longest(campuses.map { $0.slowestConsumer + $0.secondNotificationUpload })

        // (5.45) T_2nd^resp = max_k(T_1^k + T_2^k + T_{3-2}^k) + T_4 + T_5
        let lastToBoCS = argBest(campuses.map(\.readyForBoCS.seconds), >)
        let T2nd = campuses[lastToBoCS].readyForBoCS + T4 + T5

        // (5.47) T_r = max(T_1st^{resp,1}, …, T_1st^{resp,N_cs}, T_2nd^resp)
        let firstLongest = argBest(campuses.map(\.firstResponse.seconds), >)
        let firstWins = campuses[firstLongest].firstResponse.seconds >= T2nd.seconds
        let round = firstWins ? campuses[firstLongest].firstResponse : T2nd

        return Breakdown(
            campuses: campuses, remainingRequests: NrTotal, remainingEVs: NevrTotal,
            bocsResultTransactions: nTxCs, bocsAllocation: T4, bocsWinner: bocsWinner,
            secondNotification: T5, lastToBoCS: lastToBoCS, secondResponse: T2nd, round: round,
            criticalPath: firstWins ? .firstNotification(campus: firstLongest) : .secondNotification)
    }

    /// The two response times of one consumer C_ij.
    /// - Parameters:
    ///   - campus: k, index into `parameters.campuses`.
    ///   - exchange: i, index into that campus's exchanges.
    ///   - consumer: j, index into that exchange's `consumerDelays`.
    /// - Returns: T_1st^{resp,k,ij} (eq. 5.44) and T_2nd^{resp,k,ij} (eq. 5.46).
    ///   A consumer receives one of the two, depending on whether its request
    ///   was fulfilled in its own campus.
    public func consumerResponse(campus k: Int, exchange i: Int, consumer j: Int)
        -> (first: ResponseTimeCost, second: ResponseTimeCost)
    {
        let b = breakdown()
        let c = b.campuses[k]
        let tce = ResponseTimeCost.communication(parameters.campuses[k].exchanges[i].consumerDelays[j])
        let tBlk = ResponseTimeCost.ledger(parameters.blockProcessingTime)
        // (5.25) t_n^{ij} = t_u_cs^k + t_prcs^blk + t_c_e^{ij}
        let tn = c.resultUpload + tBlk + tce
        // (5.44) T_1st^{resp,k,ij} = T_1^k + T_2^k + t_n^{ij}
        let first = c.requestCollection + c.allocation + tn
        // (5.40) t_5^{ij} = t_5^k + t_prcs^blk + t_c_e^{ij}
        let t5ij = c.secondNotificationUpload + tBlk + tce
        // (5.46) T_2nd^{resp,k,ij} = max(T_1^k + T_2^k + T_{3-2}^k) + T_4 + t_5^{ij}
        let second = b.campuses[b.lastToBoCS].readyForBoCS + b.bocsAllocation + t5ij
        return (first, second)
    }
}

// MARK: - Sweep

extension ResponseTimeModel {
    /// One point of a sweep: every campus with `exchangeCount` exchanges and `evCount` EVs.
    public struct SweepPoint: Hashable, Sendable {
        /// N_ex of every BoE.
        public var exchangeCount: Int
        /// N_ev^k of every BoEV.
        public var evCount: Int
        /// The model's breakdown at this point.
        public var breakdown: Breakdown
    }

    /// The sweep of SPEC §9 ([T] Table 5.1 / Fig. 5.5): 3 CSs, 3–5 exchanges, 75–900 EVs.
    /// - Parameters:
    ///   - base: the configuration to resize (see `Parameters.resized`); Table 5.1 by default.
    ///   - exchangeCounts: the N_ex values, 3, 4, 5 by default.
    ///   - evCounts: the N_ev^k values, 75 to 900 in steps of 75 by default.
    /// - Returns: one point per (N_ex, N_ev) pair, N_ex outer, in the order given.
    /// - Throws: `ResponseTimeParameterError` if a resized configuration is invalid
    ///   (e.g. a count < 1 exchange or < 0 EVs).
    public static func sweep(base: Parameters = .table5_1,
                             exchangeCounts: [Int] = [3, 4, 5],
                             evCounts: [Int] = Array(stride(from: 75, through: 900, by: 75)))
        throws(ResponseTimeParameterError) -> [SweepPoint]
    {
        var points: [SweepPoint] = []
        points.reserveCapacity(exchangeCounts.count * evCounts.count)
        for nEx in exchangeCounts {
            for nEV in evCounts {
                let model = try ResponseTimeModel(base.resized(exchangeCount: nEx, evCount: nEV))
                points.append(SweepPoint(exchangeCount: nEx, evCount: nEV, breakdown: model.breakdown()))
            }
        }
        return points
    }
}

// MARK: - Helpers

/// ⌈size / capacity⌉ as a transaction count (eq. 5.12, 5.23, 5.28, 5.35).
@inline(__always)
private func transactions(_ size: Double, _ capacity: Double) -> Int {
    Int((size / capacity).rounded(.up))
}

/// The index of the best value under `better` (first on a tie); 0 for an empty array.
private func argBest(_ values: [Double], _ better: (Double, Double) -> Bool) -> Int {
    var best = 0
    for i in values.indices.dropFirst() where better(values[i], values[best]) { best = i }
    return best
}
