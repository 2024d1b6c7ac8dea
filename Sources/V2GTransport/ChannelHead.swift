import V2GLedger

/// A channel's head as a peer sees it: the height of its last block and that block's hash.
public struct ChannelHead: Hashable, Sendable {
    public var channel: Channel
    public var height: UInt64
    public var head: Digest
    public init(channel: Channel, height: UInt64, head: Digest) {
        self.channel = channel
        self.height = height
        self.head = head
    }
}
