import V2GLedger

// What the orderer's pool and an endorser check before a transaction gets near a block (SPEC §6 flow: endorse,
// then order), against a channel's committed config, as `Ledger.append` will: the pool admits only what would
// pass the ledger's admission step, so a block sealed from it fails only on what needs the chain (nonces,
// re-execution); the endorser signs only what its author may write and what decodes. Signatures are checked
// through the signature cache and never under a lock.
enum Admission {
    /// The checks both sides make: a kind allowed on the channel (never `config`), the author's signature, the
    /// author a member with a role that may write the kind.
    static func authorError(_ tx: Transaction, id: Digest, config: ChannelConfig, signatures: SignatureCache) -> LedgerError? {
        guard tx.kind != .config, tx.kind.channels.contains(tx.channel) else {
            return LedgerError(.kindNotAllowed, "\(tx.kind) is not allowed on \(tx.channel)")
        }
        let roles = Set(config.members.filter { $0.key == tx.author }.map(\.role))
        guard !roles.isEmpty else { return LedgerError(.notMember, "author \(tx.author) is not a member of \(tx.channel)") }
        guard !roles.isDisjoint(with: tx.kind.authors) else {
            return LedgerError(.roleNotAllowed, "\(tx.kind) may not be authored by \(tx.author)'s roles")
        }
        guard signatures.verify(tx.author, tx.signature, of: id.bytes) else {
            return LedgerError(.badSignature, "author signature does not verify")
        }
        return nil
    }

    /// The endorsements a pooled transaction must carry: sorted, distinct, by the channel's endorsers, each
    /// verifying, as many as the policy needs.
    static func endorsementError(_ tx: Transaction, id: Digest, config: ChannelConfig, signatures: SignatureCache) -> LedgerError? {
        var last: PublicKey?
        for e in tx.endorsements {
            if let last, !(last < e.endorser) { return LedgerError(.endorsement, "endorsements not sorted or repeated") }
            last = e.endorser
            guard config.endorsers.contains(e.endorser) else { return LedgerError(.endorsement, "\(e.endorser) is not an endorser") }
        }
        guard tx.endorsements.count >= Int(config.endorsementsRequired) else {
            return LedgerError(.endorsement, "\(tx.endorsements.count) endorsements, the policy needs \(config.endorsementsRequired)")
        }
        for e in tx.endorsements where !signatures.verify(e.endorser, e.signature, of: id.bytes) {
            return LedgerError(.badSignature, "endorsement by \(e.endorser) does not verify")
        }
        return nil
    }

    /// How far from its channel's current round a transaction's round may be to be endorsed or pooled: one
    /// round behind (a late input), two ahead (the next round's, announced early). Anything else cannot be
    /// used and would only take room.
    static let roundsBehind: UInt64 = 1
    static let roundsAhead: UInt64 = 2

    /// The round a transaction's payload names; nil for a config (and for a payload that does not decode).
    static func round(of tx: Transaction) -> UInt64? {
        switch tx.kind {
        case .config: return nil
        case .requestList: return try? RequestListPayload.decode(tx.payload).round
        case .offer: return try? OfferPayload.decode(tx.payload).round
        case .allocationResult: return try? AllocationResultPayload.decode(tx.payload).round
        case .notification: return try? NotificationPayload.decode(tx.payload).round
        case .meteringRecord: return try? MeteringPayload.decode(tx.payload).round
        case .settlement: return try? SettlementPayload.decode(tx.payload).round
        case .penaltyUpdate: return try? PenaltyUpdatePayload.decode(tx.payload).round
        case .modelUpdate: return try? ModelUpdatePayload.decode(tx.payload).round
        case .campusSurplus: return try? CampusSurplusPayload.decode(tx.payload).round
        case .meterReport: return try? MeterReportPayload.decode(tx.payload).round
        }
    }

    /// The round a channel is at: its latest committed allocation result, or the latest round its orderer
    /// announced, whichever is later.
    static func currentRound(_ channel: Channel, ledger: Ledger, announced: RoundAnnouncement?, orderer: PublicKey) -> UInt64 {
        let round = announced.flatMap { $0.author == orderer ? $0.round : nil } ?? 0
        return max(ledger.chain(channel).lastAllocatedRound, round)
    }

    /// Why `tx` is no use now, if it is not: a nonce not above its author's last committed on the channel (so
    /// committed already, or replayed), or a round outside the window around the channel's current round. Under
    /// the ledger's lock.
    static func usabilityError(_ tx: Transaction, id: Digest, ledger: Ledger, announced: RoundAnnouncement?,
                               orderer: PublicKey) -> LedgerError? {
        let last = ledger.chain(tx.channel).lastNonce(of: tx.author)
        guard tx.nonce > last else { return LedgerError(.replay, "nonce \(tx.nonce) does not exceed the author's last, \(last)") }
        guard tx.kind != .config, let round = round(of: tx) else { return nil }   // configs, and payload errors, elsewhere
        let current = currentRound(tx.channel, ledger: ledger, announced: announced, orderer: orderer)
        let earliest = current > roundsBehind ? current - roundsBehind : 0
        let (latest, overflow) = current.addingReportingOverflow(roundsAhead)
        guard round >= earliest, overflow || round <= latest else {
            return LedgerError(.outOfWindow, "round \(round) is outside \(earliest)...\(latest) (the current round is \(current))")
        }
        return nil
    }

    /// Decodes the payload strictly, as the ledger's execution step will.
    static func payloadError(_ tx: Transaction) -> LedgerError? {
        do {
            switch tx.kind {
            case .config: _ = try ChannelConfig.decode(tx.payload)
            case .requestList: _ = try RequestListPayload.decode(tx.payload)
            case .offer: _ = try OfferPayload.decode(tx.payload)
            case .allocationResult: _ = try AllocationResultPayload.decode(tx.payload)
            case .notification: _ = try NotificationPayload.decode(tx.payload)
            case .meteringRecord: _ = try MeteringPayload.decode(tx.payload)
            case .settlement: _ = try SettlementPayload.decode(tx.payload)
            case .penaltyUpdate: _ = try PenaltyUpdatePayload.decode(tx.payload)
            case .modelUpdate: _ = try ModelUpdatePayload.decode(tx.payload)
            case .campusSurplus: _ = try CampusSurplusPayload.decode(tx.payload)
            case .meterReport: _ = try MeterReportPayload.decode(tx.payload)
            }
        } catch {
            return error
        }
        return nil
    }
}
