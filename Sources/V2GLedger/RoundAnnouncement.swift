/// A control system's call for a round's inputs ([T] §5.1: "CS announces the round"), gossiped to the campus.
/// Signed by the orderer of the channels it names, so an agent acts only on its own campus's CS.
public struct RoundAnnouncement: Hashable, Sendable {
    public var round: UInt64
    /// Unix milliseconds by which the CS stops collecting inputs.
    public var deadline: Int64
    public var author: PublicKey
    public var signature: Signature

    /// Signs round `round` with `key`.
    public init(round: UInt64, deadline: Int64, key: SigningKey) {
        self.round = round
        self.deadline = deadline
        author = key.publicKey
        signature = key.sign(Self.body(round: round, deadline: deadline, author: author))
    }

    /// An announcement as received; `verifies` tells whether it is genuine.
    public init(round: UInt64, deadline: Int64, author: PublicKey, signature: Signature) {
        self.round = round
        self.deadline = deadline
        self.author = author
        self.signature = signature
    }

    /// Whether the signature is the author's.
    public var verifies: Bool { author.verifies(signature, of: Self.body(round: round, deadline: deadline, author: author)) }

    static func body(round: UInt64, deadline: Int64, author: PublicKey) -> [UInt8] {
        var w = ByteWriter()
        w.tag("V2GANN01")
        w.u64(round)
        w.i64(deadline)
        w.key(author)
        return w.bytes
    }
}
