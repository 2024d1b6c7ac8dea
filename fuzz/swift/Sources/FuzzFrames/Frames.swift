import V2GLedger
import V2GTransport

/// A frame from a member: the gossip decoder must refuse it or decode it to a message that encodes back to the
/// same bytes (the encoding is canonical), and the gossip ID read from the raw frame must equal the decoded one's.
/// The bytes are also tried as a bare transaction and a bare block.
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
    return 0
}
