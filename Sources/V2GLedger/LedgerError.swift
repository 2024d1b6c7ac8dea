/// An error of the ledger: what went wrong and, where it applies, where.
public struct LedgerError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public enum Code: String, Sendable {
        case crypto              // libsodium failed or was unavailable
        case malformed           // bytes that do not decode
        case badSignature
        case notMember
        case roleNotAllowed
        case kindNotAllowed
        case endorsement
        case replay
        case chain               // height, previous hash, channel or orderer mismatch
        case merkle
        case reexecution         // a deterministic result differs from the recomputed one
        case unknownInput        // a referenced transaction is not on the ledger
        case store               // SQLite
        case keyFile
        case outOfWindow         // a round too far from the channel's current one to be endorsed or pooled
    }

    public let code: Code
    public let message: String
    /// The block height the error concerns, if any.
    public var height: UInt64?
    /// The transaction index in that block, if any.
    public var transaction: Int?

    public init(_ code: Code, _ message: String, height: UInt64? = nil, transaction: Int? = nil) {
        self.code = code
        self.message = message
        self.height = height
        self.transaction = transaction
    }

    /// The same error placed at a block (and transaction).
    func at(height: UInt64, transaction: Int? = nil) -> LedgerError {
        LedgerError(code, message, height: self.height ?? height, transaction: self.transaction ?? transaction)
    }

    public var description: String {
        var place = ""
        if let height { place += "block \(height)" }
        if let transaction { place += (place.isEmpty ? "" : ", ") + "transaction \(transaction)" }
        return (place.isEmpty ? "" : place + ": ") + "\(code.rawValue): \(message)"
    }
}
