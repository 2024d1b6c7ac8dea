import V2GKit

// docs/wire-format.md, kind 4.

/// Who was told of an allocation.
public struct NotificationPayload: Payload {
    public static let kind = TransactionKind.notification
    public var round: UInt64
    public var allocation: Digest
    public var recipients: [String]

    public init(round: UInt64, allocation: Digest, recipients: [String]) {
        self.round = round
        self.allocation = allocation
        self.recipients = recipients
    }

    public func encode(into w: inout ByteWriter) {
        w.u64(round)
        w.hash(allocation)
        w.list(recipients) { w, s in w.string(s) }
    }

    public init(from r: inout ByteReader) throws(LedgerError) {
        round = try r.u64("round")
        allocation = try r.hash("allocation")
        recipients = try r.list("recipients") { (r) throws(LedgerError) in try r.string("recipient") }
    }
}
