import FoundationEssentials
import V2GKit

/// The grid's record of its global forecasting models: a BoEV chain in a SQLite store where the grid (the
/// channel's orderer and control system) posts a model-update transaction per global model, the SHA-256 of the
/// model's bytes (v2g_nn.h's format) as its digest ([P] §IV.A, SPEC §8).
public final class ModelLedger: @unchecked Sendable {  // used from one thread at a time
    private let store: LedgerStore
    private let ledger = Ledger()
    private let grid: SigningKey
    private let lock = Lock()

    /// Creates the store (replacing an earlier run's) with the channel's genesis block.
    public init(path: String) throws {
        try? FileManager.default.removeItem(atPath: path)
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        store = try LedgerStore(path: path)
        grid = try SigningKey()
        let config = ChannelConfig(name: "BoEV", orderer: grid.publicKey,
                                   members: [.init(key: grid.publicKey, role: .orderer, name: "grid"),
                                             .init(key: grid.publicKey, role: .controlSystem, name: "grid")],
                                   endorsementsRequired: 0, endorsers: [])
        try seal([Transaction(channel: .boev, kind: .config, author: grid, nonce: 1, timestamp: Self.now(), payload: config.encoded)])
    }

    static func now() -> Int64 { Int64(Date().timeIntervalSince1970) }

    private func seal(_ txs: [Transaction]) throws {
        let chain = ledger.chain(.boev)
        let block = Block(channel: .boev, height: chain.height.map { $0 + 1 } ?? 0, previous: chain.head, timestamp: Self.now(),
                          orderer: grid, transactions: txs)
        try ledger.append(block)
        _ = try store.append(block)
    }

    /// Records global model `round` and returns its digest in hex.
    public func anchor(round: Int, bytes: [UInt8]) throws -> String {
        try lock.withLock {
            let digest = Digest.of(bytes)
            let payload = ModelUpdatePayload(round: UInt64(round), model: "p-load-lstm", weightsDigest: digest)
            try seal([Transaction(channel: .boev, kind: .modelUpdate, author: grid, nonce: UInt64(round) + 1,
                                  timestamp: Self.now(), payload: payload.encoded)])
            return digest.description
        }
    }
}
