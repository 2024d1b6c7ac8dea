import FoundationEssentials
import V2GKit
import Glibc

/// The ledger's throughput, measured (`v2g bench ledger`): Ed25519 sign and verify rates on one core, and how
/// fast a peer validates (`Ledger.append`) and durably commits (`LedgerStore.append`) blocks of endorsed
/// transactions.
public enum LedgerThroughput {
    /// Block sizes timed by `commitBlocks`, in transactions.
    public static let blockSizes = [100, 250, 500, 1000]
    /// Endorsements per transaction (each costs a verification beside the author's).
    public static let endorsements = 2

    /// Seconds on the monotonic clock.
    static func now() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }

    /// Median signatures and verifications per second over 5 batches of 32-byte messages.
    public static func signAndVerifyRates(operations: Int) throws -> (sign: Double, verify: Double) {
        let key = try SigningKey()
        var rng = SplitMix64(seed: 1)
        let messages = (0..<operations).map { _ in (0..<32).map { _ in UInt8(truncatingIfNeeded: rng.next()) } }
        var signatures: [Signature] = []
        signatures.reserveCapacity(operations)
        var signRates: [Double] = [], verifyRates: [Double] = []
        for _ in 0..<5 {
            signatures.removeAll(keepingCapacity: true)
            let t0 = now()
            for m in messages { signatures.append(key.sign(m)) }
            let t1 = now()
            var good = 0
            for (m, s) in zip(messages, signatures) where key.publicKey.verifies(s, of: m) { good += 1 }
            let t2 = now()
            guard good == operations else { throw LedgerError(.crypto, "a fresh signature did not verify") }
            signRates.append(Double(operations) / (t1 - t0))
            verifyRates.append(Double(operations) / (t2 - t1))
        }
        return (signRates.median(), verifyRates.median())
    }

    public struct Cell: Sendable {
        public var size: Int
        /// Median seconds per block: validate and store, each, and the fastest block.
        public var total: Double, validate: Double, store: Double, minimum: Double
        /// The median, over blocks, of committed verifications/s over the verification rate measured just before
        /// and just after that block (their mean): a fair ratio on a machine whose speed drifts (a shared VM).
        public var pairedRatio: Double
    }

    /// Verifications per second over `signatures`, timed now.
    static func verifyRate(_ probe: [(PublicKey, Signature, [UInt8])]) -> Double {
        let t0 = now()
        var good = 0
        for (key, signature, message) in probe where key.verifies(signature, of: message) { good += 1 }
        precondition(good == probe.count, "a probe signature did not verify")
        return Double(probe.count) / (now() - t0)
    }

    /// Builds blocks of signed, endorsed offers (BoEV) and request lists (BoE), alternating, and times validating
    /// and committing each; building and signing is not timed.
    public static func commitBlocks(repetitions: Int, path: String) throws -> [Cell] {
        let exchanges = (1...10).map { "E\($0)" }, evs = (1...100).map { "EV\($0)" }
        let campus = try CampusNetwork(exchanges: exchanges, evs: evs, endorsers: 3, endorsementsRequired: endorsements)
        let store = try LedgerStore(path: path)
        let peer = Ledger()
        for block in try campus.start() {
            try peer.append(block)
            try store.append(block)
        }
        var rng = SplitMix64(seed: 9)
        var round: UInt64 = 0
        let probe = (0..<400).map { i -> (PublicKey, Signature, [UInt8]) in
            let message = (0..<32).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            return (campus.orderer.publicKey, campus.orderer.sign(message), message)
        }
        var cells: [Cell] = []
        for size in blockSizes {
            var totals: [Double] = [], validations: [Double] = [], stores: [Double] = [], ratios: [Double] = []
            // One untimed warm-up block per size, then the timed ones.
            for repetition in -1..<repetitions {
                round += 1
                let channel: Channel = repetition & 1 == 0 ? .boev : .boe
                var transactions: [Transaction] = []
                transactions.reserveCapacity(size)
                for i in 0..<size {
                    if channel == .boev {
                        let ev = evs[i % evs.count]
                        transactions.append(campus.transaction(.boev, .offer, author: campus.evs[ev]!, payload:
                            OfferPayload(ev: ev, round: round, energyWh: rng.int(1_000...60_000)).encoded))
                    } else {
                        let exchange = exchanges[i % exchanges.count]
                        let requests = (1...3).map { c in
                            RequestListPayload.Entry(consumer: "C\(c)", bid: rng.int(100_000...500_000), submittedAt: Int64(c),
                                                     energyWh: rng.int(1_000...9_000))
                        }
                        transactions.append(campus.transaction(.boe, .requestList, author: campus.exchanges[exchange]!, payload:
                            RequestListPayload(exchange: exchange, round: round, requests: requests).encoded))
                    }
                }
                let chain = peer.chain(channel)
                let block = Block(channel: channel, height: chain.height! + 1, previous: chain.head, timestamp: campus.now(),
                                  orderer: campus.orderer, transactions: transactions)
                let before = verifyRate(probe)
                let t0 = now()
                try peer.append(block)
                let t1 = now()
                try store.append(block)
                let t2 = now()
                let ceiling = (before + verifyRate(probe)) / 2  // the machine's speed drifts: bracket the block
                guard repetition >= 0 else { continue }
                totals.append(t2 - t0)
                validations.append(t1 - t0)
                stores.append(t2 - t1)
                ratios.append(Double(size * (1 + endorsements)) / (t2 - t0) / ceiling)
            }
            cells.append(Cell(size: size, total: totals.median(), validate: validations.median(), store: stores.median(),
                              minimum: totals.min()!, pairedRatio: ratios.median()))
        }
        return cells
    }
}
