import FoundationEssentials
import V2GKit
import V2GLedger
import V2GNode

/// An exchange's agent: submits the request list of its consumers for a round, on BoE.
public final class ExchangeAgent: Sendable {
    public let name: String
    public var node: LedgerNode { author.node }
    let author: TransactionAuthor

    /// - Parameters:
    ///   - name: the exchange's name, as the BoE config lists it.
    ///   - key: the exchange's key (the node's).
    ///   - node: its ledger node, linked to the endorsers and the control system.
    ///   - endorsers: whom to ask for endorsements; `endorsementsRequired` of them must answer within `timeout`.
    ///   - firstNonce: the nonce of its first transaction; nil (the default) is restart-safe (`TransactionAuthor`).
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

    /// Signs the request list for `round`, has it endorsed and gossips it to the control system.
    /// - Returns: the endorsed transaction.
    /// - Throws: `NodeError.tooFewEndorsements` if the endorsers did not answer in time.
    @discardableResult
    public func submit(round: UInt64, requests: [RequestListPayload.Entry]) throws(NodeError) -> Transaction {
        try author.submit(.boe, .requestList, payload: RequestListPayload(exchange: name, round: round, requests: requests).encoded)
    }
}
