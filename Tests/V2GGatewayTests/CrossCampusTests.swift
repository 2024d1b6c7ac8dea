import Foundation
import Testing
import V2GKit
import V2GLedger
import V2GGateway
import V2GNode
import V2GTransport

/// Three campuses, each a `NetworkedCampus`, whose control systems also sit on a shared BoCS, each through a
/// second node of its own.
final class ThreeCampuses {
    let names = ["A", "B", "C"]
    let campuses: [NetworkedCampus]
    let seats: [CrossCampusSeat]
    let bocsNodes: [LedgerNode]

    /// Campus A's EVs offer little, so its round leaves requests over; B's and C's offer much.
    init() throws {
        let small = ["EV1": 1000, "EV2": 1000, "EV3": 500, "EV4": 500] as [String: Int64]
        let large = ["EV1": 30_000, "EV2": 30_000, "EV3": 30_000, "EV4": 30_000, "EV5": 30_000, "EV6": 30_000] as [String: Int64]
        campuses = try [small, large, large].map { try NetworkedCampus(endorsers: 2, required: 2, offers: $0) }
        let keys = campuses.map(\.csKey)
        let roster = BoCSRoster(orderer: keys[0].publicKey,
                                campuses: Dictionary(uniqueKeysWithValues: zip(names, keys.map(\.publicKey))))
        let members = keys.map(\.publicKey).sorted()
        bocsNodes = try keys.map { try startNode($0, members: members) }
        seats = try zip(names, zip(keys, bocsNodes)).map { name, kn in
            let seat = try CrossCampusSeat(campus: name, key: kn.0, node: kn.1, roster: roster, chargerPowerW: 7000)
            seat.now = { 1_700_000_000 }
            return seat
        }
    }

    var allNodes: [LedgerNode] { campuses.flatMap(\.nodes) + bocsNodes }

    func stop() { for n in allNodes { n.stop() } }

    func open() throws -> Bool {
        guard try campuses.allSatisfy({ try $0.open() }), mesh(bocsNodes) else { return false }
        try seats[0].start()
        return eventually(.seconds(10)) { self.bocsNodes.allSatisfy { $0.heads[.bocs] != nil } }
    }

    /// Every campus's round, then the cross-campus step: each CS posts its surplus, A's CS (the BoCS orderer)
    /// allocates with SRET, and B and C wait until the result is committed on their BoCS node.
    func runRound(_ round: UInt64) throws -> (reports: [RoundReport], cross: CrossCampusReport, waited: [AllocationResultPayload?]) {
        let reports = try campuses.map { try $0.runRound(round) }
        let surplusErrors = Locked<[String]>([])
        let seats = self.seats, names = self.names
        DispatchQueue.concurrentPerform(iterations: 3) { i in
            do {
                try seats[i].submitSurplus(CrossCampusSeat.surplus(campus: names[i], report: reports[i]))
            } catch {
                surplusErrors.update { $0.append("\(names[i]): \(error)") }
            }
        }
        #expect(surplusErrors.value.isEmpty, "\(surplusErrors.value)")
        let cross = try seats[0].allocate(round: round, campuses: Set(names), deadline: .seconds(10), meter: TestMeter { $0.allocatedWh })
        let waited = seats.dropFirst().map { $0.waitForResult(round: round, timeout: .seconds(10)) }
        return (reports, cross, waited)
    }
}

@Suite("Cross-campus rounds on the BoCS", .serialized)
struct CrossCampusTests {
    @Test func everyControlSystemReexecutesAndHoldsTheSameBoCS() throws {
        let net = try ThreeCampuses()
        defer { net.stop() }
        #expect(try net.open())
        for round in UInt64(1)...2 {
            let (reports, cross, waited) = try net.runRound(round)
            #expect(reports.allSatisfy { $0.missingExchanges.isEmpty && $0.missingEVs.isEmpty })
            #expect(cross.missing.isEmpty && cross.campuses == ["A", "B", "C"])
            // A's round leaves requests unfulfilled; B and C leave EVs unused; SRET serves some of A's requests.
            let surplusA = CrossCampusSeat.surplus(campus: "A", report: reports[0])
            #expect(!surplusA.requests.isEmpty)
            #expect(cross.requests >= surplusA.requests.count && cross.offers > 0)
            let result = try #require(cross.result)
            #expect(!result.allocations.isEmpty)
            let inputs = try #require(cross.inputs)
            #expect(result.allocations.allSatisfy { inputs.requests[$0.requestIndex].exchange.hasPrefix("A/") })
            #expect(result.allocations.allSatisfy { !inputs.offers[$0.offerIndex].ev.hasPrefix("A/") })
            #expect(waited.allSatisfy { $0?.round == round })
            #expect(cross.blocks.count == 2)
        }
        // Same BoCS everywhere, and every control system endorsed (re-executed) every cross-campus result.
        let head = net.bocsNodes[0].heads
        #expect(head[.bocs]?.height == 4)
        #expect(eventually(.seconds(10)) { net.bocsNodes.allSatisfy { $0.heads == head } })
        let balances = net.bocsNodes[0].withLedger { $0.balances }
        #expect(!balances.isEmpty && balances.values.reduce(0, +) == 0)
        #expect(balances.keys.contains { $0.hasPrefix("consumer:A/") })
        for node in net.bocsNodes {
            #expect(node.withLedger { $0.balances } == balances)
            #expect(node.rejections.isEmpty)
            #expect(node.counters.endorsementsGiven >= 2 * 8)   // 3 surpluses and 5 results per round
            #expect(node.counters.endorsementRefusals.isEmpty)
        }
    }

    @Test func aControlSystemRefusesToEndorseAResultOnAnAllocatedRoundsInputs() throws {
        let net = try ThreeCampuses()
        defer { net.stop() }
        #expect(try net.open())
        _ = try net.runRound(1)
        // Round 1's result again, as round 2's, with one Wh moved: its inputs are of an allocated round, which no
        // later result may name (docs/wire-format.md §6.1), whatever its allocations.
        let honest = try #require(net.bocsNodes[0].withLedger { CrossCampusSeat.result(round: 1, in: $0) })
        var forged = honest
        forged.round = 2
        forged.allocations[0].energyWh -= 1
        let tx = net.seats[0].author.sign(.bocs, .allocationResult, payload: forged.encoded)
        let before = net.bocsNodes[1].counters.endorsementRefusals
        #expect(throws: NodeError.self) { try net.seats[0].author.endorse(tx) }
        // The endorser waits a moment for inputs that might still arrive, then refuses.
        let code = LedgerError.Code.unknownInput.rawValue
        #expect(eventually(.seconds(10)) {
            net.bocsNodes[1].counters.endorsementRefusals[code, default: 0] > before[code, default: 0]
        })
    }
}
