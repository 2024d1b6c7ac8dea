import FoundationEssentials
import V2GKit
import V2GLedger

/// A committed chain as read back from a node's store after it stopped.
public struct ChainSnapshot: Equatable, Sendable {
    public var heads: [Channel: ChannelHeadValue]
    public var balances: [String: Int64]
    public var penalties: PenaltyBook
    public var verified: String?      // nil when the store verified, else the failure

    public struct ChannelHeadValue: Equatable, Sendable {
        public var height: UInt64
        public var hash: Digest
    }

    /// Verifies the store from genesis and replays it.
    public static func read(_ path: String) -> ChainSnapshot {
        do {
            let store = try LedgerStore(path: path)
            let report = store.verify()
            let ledger = Ledger()
            try store.forEachBlock { (b) throws(LedgerError) in try ledger.append(b) }
            var heads: [Channel: ChannelHeadValue] = [:]
            for (c, chain) in ledger.chains { if let h = chain.height { heads[c] = .init(height: h, hash: chain.head) } }
            return ChainSnapshot(heads: heads, balances: ledger.balances, penalties: ledger.penalties,
                                 verified: report.isValid ? nil : report.description)
        } catch {
            return ChainSnapshot(heads: [:], balances: [:], penalties: PenaltyBook(), verified: "\(error)")
        }
    }

    public func describe(_ channels: [Channel]) -> String {
        channels.compactMap { c in heads[c].map { "\(c) h=\($0.height) \($0.hash.description.prefix(12))" } }.joined(separator: ", ")
    }
}
