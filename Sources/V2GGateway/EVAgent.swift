import FoundationEssentials
import V2GKit
import V2GLedger
import V2GNode

/// An EV's agent: submits its offer for a round, on BoEV.
public final class EVAgent: Sendable {
    public let name: String
    public var node: LedgerNode { author.node }
    let author: TransactionAuthor

    /// - Parameter firstNonce: as for `ExchangeAgent`: restart-safe by default.
    public convenience init(name: String, key: SigningKey, node: LedgerNode, endorsers: [PublicKey], endorsementsRequired: Int,
                timeout: Duration = .seconds(2), firstNonce: UInt64? = nil) {
        self.init(name: name, author: TransactionAuthor(key: key, node: node, endorsers: endorsers,
                                                        required: endorsementsRequired, timeout: timeout, firstNonce: firstNonce))
    }

    /// An agent that signs and has its transactions endorsed through `author` (whose key is the agent's).
    public init(name: String, author: TransactionAuthor) {
        self.name = name
        self.author = author
    }

    /// Signs the offer of `energyWh` for `round` (available in `window`, for SRET), has it endorsed and gossips it
    /// to the control system.
    @discardableResult
    public func submit(round: UInt64, energyWh: Int64, capacityWh: Int64 = 0, window: Range<Int64>? = nil) throws(NodeError)
        -> Transaction {
        try author.submit(.boev, .offer, payload: OfferPayload(ev: name, round: round, energyWh: energyWh, capacityWh: capacityWh,
                                                               window: window).encoded)
    }
}
