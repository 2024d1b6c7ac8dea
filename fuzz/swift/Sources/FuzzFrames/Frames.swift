import V2GLedger
import V2GTransport

/// A frame from a member: the gossip decoder must refuse it or decode it to a message that encodes back to the
/// same bytes (the encoding is canonical), and the gossip ID read from the raw frame must equal the decoded one's.
/// The bytes are also tried as a bare transaction, a bare block and every kind's payload (a payload that decodes
/// must encode back to its bytes too).
@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let m = try? GossipMessage(decoding: bytes) {
        precondition(m.encoded == bytes, "a decoded frame does not encode back to its bytes")
        precondition(GossipMessage.gossipID(ofFrame: bytes) == m.gossipID, "the raw gossip ID differs")
    } else {
        _ = GossipMessage.gossipID(ofFrame: bytes)
    }
    if let tx = try? Transaction(decoding: bytes) {
        precondition(tx.encoded == bytes, "a decoded transaction does not encode back to its bytes")
        _ = tx.id
    }
    if let block = try? Block(decoding: bytes) {
        precondition(block.encoded == bytes, "a decoded block does not encode back to its bytes")
        _ = Merkle.root(block.transactions.map(\.id))
    }
    _ = everyKindCovered
    for type in payloadTypes { roundTrip(type, bytes) }
    return 0
}

let payloadTypes: [any Payload.Type] = [
    ChannelConfig.self, RequestListPayload.self, OfferPayload.self, AllocationResultPayload.self, NotificationPayload.self,
    MeteringPayload.self, SettlementPayload.self, PenaltyUpdatePayload.self, ModelUpdatePayload.self,
    CampusSurplusPayload.self, MeterReportPayload.self,
]

let everyKindCovered: Void = precondition(Set(payloadTypes.map { $0.kind }) == Set(TransactionKind.allCases),
                                          "a transaction kind's payload is not fuzzed")

func roundTrip<P: Payload>(_ type: P.Type, _ bytes: [UInt8]) {
    guard let p = try? P.decode(bytes) else { return }
    precondition(p.encoded == bytes, "a decoded \(P.kind) payload does not encode back to its bytes")
}
