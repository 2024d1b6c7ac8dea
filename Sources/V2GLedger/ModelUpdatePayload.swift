import V2GKit

// docs/wire-format.md, kind 8.

/// A forecasting model's weights, by digest ([P] federated learning).
public struct ModelUpdatePayload: Payload {
    public static let kind = TransactionKind.modelUpdate
    public var round: UInt64
    public var model: String
    public var weightsDigest: Digest

    public init(round: UInt64, model: String, weightsDigest: Digest) {
        self.round = round
        self.model = model
        self.weightsDigest = weightsDigest
    }

    public func encode(into w: inout ByteWriter) {
        w.u64(round)
        w.string(model)
        w.hash(weightsDigest)
    }

    public init(from r: inout ByteReader) throws(LedgerError) {
        round = try r.u64("round")
        model = try r.string("model")
        weightsDigest = try r.hash("weights digest")
    }
}
