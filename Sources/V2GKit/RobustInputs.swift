internal import CV2G

/// What RET and SRET both hand to the C core: IDs, consumer penalty factors and the exchange penalty table.
struct RobustInputs {
    private var table = IDTable()
    private var consumerFactors: [Int32] = []
    private var exchangeFactors: [Int32] = []
    private let requests: [EnergyRequest]
    private let evBase: Int
    private let exchangeBase: Int
    private let evCount: Int
    /// Exchanges with a penalty list, in ID order.
    let penalisedExchanges: [ExchangeID]

    init(requests: [EnergyRequest], evs: [EVID], penalties: PenaltyBook) throws(V2GError) {
        self.requests = requests
        for request in requests {
            table.append(request.exchange.rawValue)
            table.append(request.consumer.rawValue)
            consumerFactors.append(try penalties.consumerFactor(request.consumerKey).rawValue)
        }
        evBase = 2 * requests.count
        evCount = evs.count
        for ev in evs { table.append(ev.rawValue) }
        exchangeBase = evBase + evs.count
        penalisedExchanges = penalties.exchanges.keys.sorted()
        for exchange in penalisedExchanges {
            table.append(exchange.rawValue)
            exchangeFactors.append(try penalties.exchangeFactor(exchange).rawValue)
        }
    }

    /// Calls `body` with the C request heads, the EVs' IDs, and the exchange table;
    /// the bytes they point at live only during the call.
    func withC<R>(_ body: ([v2g_ret_request], [v2g_id], [v2g_ret_exchange]) throws(V2GError) -> R)
        throws(V2GError) -> R {
        try table.withIDs { (id) throws(V2GError) -> R in
            let heads = requests.indices.map { i in
                v2g_ret_request(exchange: id(2 * i), consumer: id(2 * i + 1), bid: requests[i].bid,
                                submitted_at: requests[i].submittedAt, energy_wh: requests[i].energyWh,
                                penalty_ppm: consumerFactors[i], reserved: 0)
            }
            let exchanges = penalisedExchanges.indices.map { x in
                v2g_ret_exchange(exchange: id(exchangeBase + x), penalty_ppm: exchangeFactors[x], reserved: 0)
            }
            return try body(heads, (0..<evCount).map { id(evBase + $0) }, exchanges)
        }
    }
}
