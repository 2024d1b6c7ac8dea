import Foundation
import Testing
@testable import V2GLedger

@Suite("Ed25519 identities")
struct IdentityTests {
    /// RFC 8032 §7.1, tests 1-3: secret key (seed), public key, message, signature.
    static let vectors: [(seed: String, publicKey: String, message: String, signature: String)] = [
        ("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
         "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
         "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"),
        ("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
         "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
         "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"),
        ("c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
         "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
         "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"),
    ]

    @Test func rfc8032Vectors() throws {
        for v in Self.vectors {
            let key = try SigningKey(seed: unhex(v.seed)!)
            #expect(key.publicKey.description == v.publicKey)
            let message = unhex(v.message)!
            let signature = key.sign(message)
            #expect(hex(signature.bytes) == v.signature)
            #expect(key.publicKey.verifies(signature, of: message))
            var flipped = signature.bytes
            flipped[0] ^= 1
            #expect(!key.publicKey.verifies(try Signature(bytes: flipped), of: message))
            #expect(!key.publicKey.verifies(signature, of: message + [0]))
        }
    }

    @Test func sha256KnownAnswer() {
        // FIPS 180-2 example: SHA-256("abc").
        #expect(Digest.of(Array("abc".utf8)).description == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func keyFilesAreOwnerOnlyAndNeverOverwritten() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("v2g-keys-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("a.key").path
        let key = try SigningKey()
        try KeyFile.write(key, to: path)
        let mode = (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? -1
        #expect(mode == 0o600)
        #expect(try KeyFile.read(from: path).publicKey == key.publicKey)
        do {
            try KeyFile.write(try SigningKey(), to: path)
            Issue.record("an existing key was overwritten")
        } catch {
            #expect(error.message.contains("refusing to overwrite"))
        }
        #expect(try KeyFile.read(from: path).publicKey == key.publicKey)
        chmod(path, 0o644)
        #expect(throws: LedgerError.self) { try KeyFile.read(from: path) }
    }
}

@Suite("Ledger: rejected transactions and blocks")
struct RejectionTests {
    /// Seals `txs` into the next BoE block and returns the rejection, if any.
    func rejection(_ campus: CampusNetwork, _ txs: [Transaction], channel: Channel = .boe) -> LedgerError? {
        do {
            try campus.seal(channel, txs)
            return nil
        } catch {
            return error
        }
    }

    func requestList(_ campus: CampusNetwork, exchange: String = "E1") -> [UInt8] {
        RequestListPayload(exchange: exchange, round: 1, requests: roundRequests(1)[exchange]!).encoded
    }

    @Test func unendorsedUnauthorisedReplayedAndWrongChain() throws {
        let campus = try makeCampus()
        let e1 = campus.exchanges["E1"]!

        // Unendorsed: the policy needs 2 of 3.
        let bare = campus.transaction(.boe, .requestList, author: e1, payload: requestList(campus), endorse: false)
        #expect(rejection(campus, [bare])?.code == .endorsement)
        var one = bare
        one.endorse(by: campus.endorsers[0])
        #expect(rejection(campus, [one])?.code == .endorsement)

        // Endorsed by a key that is no endorser.
        var stranger = campus.transaction(.boe, .requestList, author: e1, payload: requestList(campus))
        stranger.endorse(by: try SigningKey())
        #expect(rejection(campus, [stranger])?.code == .endorsement)

        // Unauthorised: a stranger's key, and an EV (member of BoEV only) writing on BoE.
        let outsider = campus.transaction(.boe, .requestList, author: try SigningKey(), payload: requestList(campus))
        #expect(rejection(campus, [outsider])?.code == .notMember)
        let ev = campus.transaction(.boe, .requestList, author: campus.evs["EV1"]!, payload: requestList(campus))
        #expect(rejection(campus, [ev])?.code == .notMember)
        // A member whose role may not author the kind: the CS writing a request list.
        let cs = campus.transaction(.boe, .requestList, author: campus.orderer, payload: requestList(campus))
        #expect(rejection(campus, [cs])?.code == .roleNotAllowed)

        // Wrong chain: a BoEV offer sealed into a BoE block, and a request list on BoEV.
        let offer = campus.transaction(.boev, .offer, author: campus.evs["EV1"]!, payload: roundOffers(1)[0].encoded)
        #expect(rejection(campus, [offer], channel: .boe)?.code == .chain)
        let misplaced = campus.transaction(.boev, .requestList, author: e1, payload: requestList(campus))
        #expect(rejection(campus, [misplaced], channel: .boev)?.code == .kindNotAllowed)

        // Replay: the same transaction twice, and an old nonce.
        let good = campus.transaction(.boe, .requestList, author: e1, payload: requestList(campus))
        #expect(rejection(campus, [good]) == nil)
        #expect(rejection(campus, [good])?.code == .replay)
        var stale = Transaction(channel: .boe, kind: .requestList, author: e1, nonce: good.nonce, timestamp: 5,
                                payload: requestList(campus))
        for e in campus.endorsers.prefix(2) { stale.endorse(by: e) }
        #expect(rejection(campus, [stale])?.code == .replay)

        // A forged author signature and malformed payload.
        var forged = campus.transaction(.boe, .requestList, author: e1, payload: requestList(campus))
        forged.payload[forged.payload.count - 1] ^= 1
        #expect(rejection(campus, [forged])?.code == .badSignature)
        let garbage = campus.transaction(.boe, .requestList, author: e1, payload: [1, 2, 3])
        #expect(rejection(campus, [garbage])?.code == .malformed)
    }

    @Test func badBlocksAreRejectedWhole() throws {
        let campus = try makeCampus()
        let chain = campus.ledger.chain(.boe)
        let tx = campus.transaction(.boe, .requestList, author: campus.exchanges["E1"]!, payload: requestList(campus))
        var block = Block(channel: .boe, height: chain.height! + 1, previous: chain.head, timestamp: 1, orderer: campus.orderer,
                          transactions: [tx])
        // Signed by someone other than the orderer.
        let impostor = Block(channel: .boe, height: chain.height! + 1, previous: chain.head, timestamp: 1,
                             orderer: try SigningKey(), transactions: [tx])
        #expect(throws: LedgerError.self) { try campus.ledger.append(impostor) }
        // Wrong height, wrong previous hash, tampered Merkle root (re-signed, so only the root is wrong).
        let skipped = Block(channel: .boe, height: chain.height! + 2, previous: chain.head, timestamp: 1,
                            orderer: campus.orderer, transactions: [tx])
        #expect(throwsCode(.chain) { () throws(LedgerError) in try campus.ledger.append(skipped) })
        let orphan = Block(channel: .boe, height: chain.height! + 1, previous: .zero, timestamp: 1,
                           orderer: campus.orderer, transactions: [tx])
        #expect(throwsCode(.chain) { () throws(LedgerError) in try campus.ledger.append(orphan) })
        block.merkleRoot = Digest.of([9])
        block.signature = campus.orderer.sign(block.hash.bytes)
        #expect(throwsCode(.merkle) { () throws(LedgerError) in try campus.ledger.append(block) })
        // Nothing was committed by the failures.
        #expect(campus.ledger.chain(.boe).height == chain.height)
        #expect(campus.ledger.retainedInput(tx.id) == nil)
        #expect(campus.ledger.chain(.boe).lastNonce(of: tx.author) < tx.nonce)
    }

    func throwsCode(_ code: LedgerError.Code, _ body: () throws(LedgerError) -> Void) -> Bool {
        do {
            try body()
            return false
        } catch {
            return error.code == code
        }
    }
}

@Suite("X25519 halves of ledger keys")
struct CurveHalvesTests {
    /// The X25519 key derived from the secret half matches the one derived from the public half: what lets a
    /// CurveZMQ link authenticate a ledger member.
    @Test func secretAndPublicHalvesAgree() throws {
        for _ in 0..<20 {
            let key = try SigningKey()
            #expect(SigningKey.curve25519Public(ofSecret: key.curveSecretKey()) == (try key.publicKey.curve25519()))
        }
    }
}

