import V2GKit

// MARK: - Kind 9

/// What a campus's control system leaves for the cross-campus round on the BoCS ([T] §5.3): the requests its
/// own round left unfulfilled and the offers of the EVs it did not use. The cross-campus allocation result names
/// these transactions as its inputs; their exchanges and EVs are qualified by campus (`campus/name`) there.
public struct CampusSurplusPayload: Payload {
    public static let kind = TransactionKind.campusSurplus

    /// A request of one of the campus's exchanges.
    public struct Request: Hashable, Sendable {
        public var exchange: String
        public var entry: RequestListPayload.Entry
        public init(exchange: String, entry: RequestListPayload.Entry) {
            self.exchange = exchange
            self.entry = entry
        }
    }

    public var campus: String
    public var round: UInt64
    /// The campus's own allocation result of the round, on its BoE (zero if it allocated nothing).
    public var allocation: Digest
    public var requests: [Request]
    public var offers: [OfferPayload]

    public init(campus: String, round: UInt64, allocation: Digest, requests: [Request], offers: [OfferPayload]) {
        self.campus = campus
        self.round = round
        self.allocation = allocation
        self.requests = requests
        self.offers = offers
    }

    /// `campus/name`: an exchange or EV as the cross-campus round names it.
    public static func qualified(_ campus: String, _ name: String) -> String { "\(campus)/\(name)" }

    public func encode(into w: inout ByteWriter) {
        w.string(campus)
        w.u64(round)
        w.hash(allocation)
        w.list(requests) { w, q in
            w.string(q.exchange)
            q.entry.encode(into: &w)
        }
        w.list(offers) { w, o in o.encode(into: &w) }
    }

    public init(from r: inout ByteReader) throws(LedgerError) {
        campus = try r.string("campus")
        guard !campus.isEmpty, !campus.utf8.contains(UInt8(ascii: "/")) else { throw LedgerError(.malformed, "a campus name is non-empty, without '/'") }
        round = try r.u64("round")
        allocation = try r.hash("allocation")
        requests = try r.list("requests") { (r) throws(LedgerError) in
            Request(exchange: try r.string("exchange"), entry: try RequestListPayload.Entry(from: &r))
        }
        offers = try r.list("offers") { (r) throws(LedgerError) in try OfferPayload(from: &r) }
    }
}
