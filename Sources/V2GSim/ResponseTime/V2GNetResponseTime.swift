extension ResponseTimeModel {
    /// The response-time model of a single-campus V2GNet round ([T] §5.2,
    /// eq. 5.1–5.9): N exchanges with their consumers on a BoE, K EVs on a
    /// BoEV, one CS running RET.
    ///
    /// Five phases: T_1 request list preparation (eq. 5.3), T_2 consensus of
    /// request lists (5.4), T_3 consensus of the offer list (5.5), T_4 energy
    /// allocation (RET), T_5 notification (5.7); the round is their sum (5.8).
    public struct V2GNet: Hashable, Sendable {
        /// The validated parameters.
        public let parameters: Parameters

        /// A model over validated parameters.
        /// - Throws: `ResponseTimeParameterError` if a time is negative or not
        ///   finite, or there is no exchange or no EV.
        public init(_ parameters: Parameters) throws(ResponseTimeParameterError) {
            try parameters.validate()
            self.parameters = parameters
        }
    }
}

// MARK: - Parameters

extension ResponseTimeModel.V2GNet {
    /// The configuration of one V2GNet round. Every time is in seconds; every
    /// property names its thesis symbol ([T] §5.2).
    public struct Parameters: Hashable, Sendable {
        /// One energy exchange E_i, i ∈ N.
        public struct Exchange: Hashable, Sendable {
            /// t_ij^r, seconds: consumer C_ij sending its request to E_i, one entry per
            /// active consumer (M_i = `requestTimes.count`).
            public var requestTimes: [Double]
            /// t_i^c, seconds: E_i collecting its requests into a list (transaction TX_i).
            public var listing: Double
            /// t_i^s, seconds: E_i collecting the BoE nodes' lists in its transaction pool.
            public var poolCollection: Double
            /// t_i^{e1}, seconds: endorsement of E_i's transactions.
            public var endorsement: Double
            /// t_i^{b1}, seconds: broadcasting the request-list block to E_i.
            public var requestBlockBroadcast: Double
            /// t_i^{v1}, seconds: E_i verifying the request-list block.
            public var requestBlockVerification: Double
            /// t_i^{b3}, seconds: broadcasting the result block to E_i.
            public var resultBlockBroadcast: Double
            /// t_i^{v3}, seconds: E_i verifying the result block.
            public var resultBlockVerification: Double
            /// t_i^{d3}, seconds: E_i downloading the result block.
            public var resultBlockDownload: Double
            /// t_ij^n, seconds: E_i notifying consumer C_ij, one entry per active consumer.
            public var notificationTimes: [Double]

            public init(requestTimes: [Double], listing: Double, poolCollection: Double, endorsement: Double,
                        requestBlockBroadcast: Double, requestBlockVerification: Double,
                        resultBlockBroadcast: Double, resultBlockVerification: Double,
                        resultBlockDownload: Double, notificationTimes: [Double]) {
                self.requestTimes = requestTimes
                self.listing = listing
                self.poolCollection = poolCollection
                self.endorsement = endorsement
                self.requestBlockBroadcast = requestBlockBroadcast
                self.requestBlockVerification = requestBlockVerification
                self.resultBlockBroadcast = resultBlockBroadcast
                self.resultBlockVerification = resultBlockVerification
                self.resultBlockDownload = resultBlockDownload
                self.notificationTimes = notificationTimes
            }
        }

        /// One EV EV_i, i ∈ K.
        public struct EV: Hashable, Sendable {
            /// t_i^inf, seconds: the CS announcing the new round to EV_i (off-chain).
            public var roundNotification: Double
            /// t_i^{e2}, seconds: endorsement of EV_i's offer transaction.
            public var endorsement: Double
            /// t_i^{b2}, seconds: broadcasting the offer block to EV_i.
            public var blockBroadcast: Double
            /// t_i^{v2}, seconds: EV_i verifying the offer block.
            public var blockVerification: Double

            public init(roundNotification: Double, endorsement: Double, blockBroadcast: Double,
                        blockVerification: Double) {
                self.roundNotification = roundNotification
                self.endorsement = endorsement
                self.blockBroadcast = blockBroadcast
                self.blockVerification = blockVerification
            }
        }

        /// {E_i}, i ∈ N (N = `exchanges.count`).
        public var exchanges: [Exchange]
        /// {EV_i}, i ∈ K (K = `evs.count`).
        public var evs: [EV]
        /// t^{o1}, seconds: ordering the request lists into a BoE block.
        public var requestOrdering: Double
        /// t^{r1}, seconds: recording the request-list block in the BoE nodes.
        public var requestRecording: Double
        /// t^{d1}, seconds: the CS downloading the request-list block.
        public var requestDownload: Double
        /// t^{o2}, seconds: ordering the offers into a BoEV block.
        public var offerOrdering: Double
        /// t^{r2}, seconds: recording the offer block in the BoEV nodes.
        public var offerRecording: Double
        /// t^{d2}, seconds: the CS downloading the offer block.
        public var offerDownload: Double
        /// t^{RET}, seconds: the CS running RET (T_4).
        public var allocation: Double
        /// t^{e3}, seconds: endorsement of the CS's result transaction.
        public var resultEndorsement: Double
        /// t^{r3}, seconds: recording the result block in the exchanges' ledgers.
        public var resultRecording: Double

        public init(exchanges: [Exchange], evs: [EV], requestOrdering: Double, requestRecording: Double,
                    requestDownload: Double, offerOrdering: Double, offerRecording: Double,
                    offerDownload: Double, allocation: Double, resultEndorsement: Double,
                    resultRecording: Double) {
            self.exchanges = exchanges
            self.evs = evs
            self.requestOrdering = requestOrdering
            self.requestRecording = requestRecording
            self.requestDownload = requestDownload
            self.offerOrdering = offerOrdering
            self.offerRecording = offerRecording
            self.offerDownload = offerDownload
            self.allocation = allocation
            self.resultEndorsement = resultEndorsement
            self.resultRecording = resultRecording
        }

        func validate() throws(ResponseTimeParameterError) {
            guard !exchanges.isEmpty else { throw ResponseTimeParameterError("exchanges (N) must not be empty") }
            guard !evs.isEmpty else { throw ResponseTimeParameterError("evs (K) must not be empty") }
            for (i, e) in exchanges.enumerated() {
                let at = "exchanges[\(i)]"
                for (j, t) in e.requestTimes.enumerated() { try checkTime(t, "\(at).requestTimes[\(j)] (t_ij^r)") }
                for (j, t) in e.notificationTimes.enumerated() { try checkTime(t, "\(at).notificationTimes[\(j)] (t_ij^n)") }
                try checkTime(e.listing, "\(at).listing (t_i^c)")
                try checkTime(e.poolCollection, "\(at).poolCollection (t_i^s)")
                try checkTime(e.endorsement, "\(at).endorsement (t_i^e1)")
                try checkTime(e.requestBlockBroadcast, "\(at).requestBlockBroadcast (t_i^b1)")
                try checkTime(e.requestBlockVerification, "\(at).requestBlockVerification (t_i^v1)")
                try checkTime(e.resultBlockBroadcast, "\(at).resultBlockBroadcast (t_i^b3)")
                try checkTime(e.resultBlockVerification, "\(at).resultBlockVerification (t_i^v3)")
                try checkTime(e.resultBlockDownload, "\(at).resultBlockDownload (t_i^d3)")
            }
            for (i, ev) in evs.enumerated() {
                let at = "evs[\(i)]"
                try checkTime(ev.roundNotification, "\(at).roundNotification (t_i^inf)")
                try checkTime(ev.endorsement, "\(at).endorsement (t_i^e2)")
                try checkTime(ev.blockBroadcast, "\(at).blockBroadcast (t_i^b2)")
                try checkTime(ev.blockVerification, "\(at).blockVerification (t_i^v2)")
            }
            try checkTime(requestOrdering, "requestOrdering (t^o1)")
            try checkTime(requestRecording, "requestRecording (t^r1)")
            try checkTime(requestDownload, "requestDownload (t^d1)")
            try checkTime(offerOrdering, "offerOrdering (t^o2)")
            try checkTime(offerRecording, "offerRecording (t^r2)")
            try checkTime(offerDownload, "offerDownload (t^d2)")
            try checkTime(allocation, "allocation (t^RET)")
            try checkTime(resultEndorsement, "resultEndorsement (t^e3)")
            try checkTime(resultRecording, "resultRecording (t^r3)")
        }
    }
}

// MARK: - Breakdown

extension ResponseTimeModel.V2GNet {
    /// Each phase's time and the round total of a V2GNet round.
    public struct Breakdown: Hashable, Sendable {
        /// t_i^r (eq. 5.1), per exchange: its slowest consumer's request.
        public var exchangeCollection: [ResponseTimeCost]
        /// t_i (eq. 5.2), per exchange: its time in Phase I.
        public var exchangePhase1: [ResponseTimeCost]
        /// T_1 (eq. 5.3): request list preparation.
        public var requestListPreparation: ResponseTimeCost
        /// T_2 (eq. 5.4): consensus of request lists.
        public var requestConsensus: ResponseTimeCost
        /// T_3 (eq. 5.5): consensus of the offer list.
        public var offerConsensus: ResponseTimeCost
        /// T_4 = t^RET: energy allocation scheduling.
        public var allocation: ResponseTimeCost
        /// t_i^n (eq. 5.6), per exchange: its slowest consumer notification.
        public var exchangeNotification: [ResponseTimeCost]
        /// T_5 (eq. 5.7): notification.
        public var notification: ResponseTimeCost
        /// T^response (eq. 5.8) = T_1 + T_2 + T_3 + T_4 + T_5.
        public var round: ResponseTimeCost

        /// The ledger (blockchain) part of the round time, in [0, 1].
        public var ledgerShare: Double { round.ledgerShare }
        /// The off-ledger computation part of the round time, in [0, 1].
        public var computationShare: Double { round.computationShare }
        /// The off-ledger communication part of the round time, in [0, 1].
        public var communicationShare: Double { round.communicationShare }
    }

    /// Each phase's time for these parameters (eq. 5.1–5.8).
    public func breakdown() -> Breakdown {
        let P = parameters
        // (5.1) t_i^r = max(t_{i1}^r, …, t_{iM_i}^r)
        let tr = P.exchanges.map { e in ResponseTimeCost.longest(e.requestTimes.map(ResponseTimeCost.communication)) }
        // (5.2) t_i = t_i^r + t_i^c + t_i^s + t_i^{e1}
        let ti = zip(P.exchanges, tr).map { e, r in
            r + .computation(e.listing) + .ledger(e.poolCollection + e.endorsement)
        }
        // (5.3) T_1 = min(t_1, …, t_N)
        let T1 = ResponseTimeCost.shortest(ti)
        // (5.4) T_2 = t^{o1} + max(t_1^{b1} + t_1^{v1}, …, t_N^{b1} + t_N^{v1}) + t^{r1} + t^{d1}
        let T2 = ResponseTimeCost.ledger(P.requestOrdering)
            + .longest(P.exchanges.map { .ledger($0.requestBlockBroadcast + $0.requestBlockVerification) })
            + .ledger(P.requestRecording + P.requestDownload)
        // (5.5) T_3 = min(t_1^{inf} + t_1^{e2}, …, t_K^{inf} + t_K^{e2}) + t^{o2}
        //           + max(t_1^{b2} + t_1^{v2}, …, t_K^{b2} + t_K^{v2}) + t^{r2} + t^{d2}
        let T3 = ResponseTimeCost.shortest(P.evs.map { .communication($0.roundNotification) + .ledger($0.endorsement) })
            + .ledger(P.offerOrdering)
            + .longest(P.evs.map { .ledger($0.blockBroadcast + $0.blockVerification) })
            + .ledger(P.offerRecording + P.offerDownload)
        // T_4 = t^{RET}
        let T4 = ResponseTimeCost.computation(P.allocation)
        // (5.6) t_i^n = max(t_{i1}^n, …, t_{iM_i}^n)
        let tn = P.exchanges.map { e in ResponseTimeCost.longest(e.notificationTimes.map(ResponseTimeCost.communication)) }
        // (5.7) T_5 = t^{e3} + max(t_1^{b3} + t_1^{v3}, …, t_N^{b3} + t_N^{v3}) + t^{r3}
        //           + max(t_1^{d3} + t_1^n, …, t_N^{d3} + t_N^n)
        let T5 = ResponseTimeCost.ledger(P.resultEndorsement)
            + .longest(P.exchanges.map { .ledger($0.resultBlockBroadcast + $0.resultBlockVerification) })
            + .ledger(P.resultRecording)
            + .longest(zip(P.exchanges, tn).map { e, n in .ledger(e.resultBlockDownload) + n })
        // (5.8) T^response = T_1 + T_2 + T_3 + T_4 + T_5
        return Breakdown(exchangeCollection: tr, exchangePhase1: ti, requestListPreparation: T1,
                         requestConsensus: T2, offerConsensus: T3, allocation: T4,
                         exchangeNotification: tn, notification: T5, round: T1 + T2 + T3 + T4 + T5)
    }

    /// The response time of consumer C_ij (eq. 5.9).
    /// - Parameters:
    ///   - exchange: i, index into `parameters.exchanges`.
    ///   - consumer: j, index into that exchange's `notificationTimes`.
    /// - Returns: T_1 + T_2 + T_3 + T_4 + t^{e3} + max_i(t_i^{b3} + t_i^{v3}) + t^{r3} + t_i^{d3} + t_ij^n.
    public func consumerResponse(exchange i: Int, consumer j: Int) -> ResponseTimeCost {
        let b = breakdown()
        let P = parameters
        let e = P.exchanges[i]
        // (5.9) T^response = T_1 + T_2 + T_3 + T_4 + t^{e3} + max(t_1^{b3} + t_1^{v3}, …, t_N^{b3} + t_N^{v3})
        //                  + t^{r3} + t_i^{d3} + t_ij^n   (the OCR's last term reads t_ij^{d3}; see docs)
        return b.requestListPreparation + b.requestConsensus + b.offerConsensus + b.allocation
            + .ledger(P.resultEndorsement)
            + .longest(P.exchanges.map { .ledger($0.resultBlockBroadcast + $0.resultBlockVerification) })
            + .ledger(P.resultRecording + e.resultBlockDownload)
            + .communication(e.notificationTimes[j])
    }
}
