import Foundation
import Logging
import Testing
import V2GGateway
import V2GKit
import V2GLedger
import V2GNode
import V2GTransport

/// Stopping a control system while its seat waits for the cross-campus result ends the round unreported: a
/// stopped round is not a failed one (found in review: the seat woke first and logged a failure).
@Suite("Stopping during the cross-campus step", .serialized)
struct StopMidStepTests {
    @Test func aRoundStoppedWhileWaitingForTheCrossCampusResultIsNotReported() throws {
        let a = try SigningKey(), b = try SigningKey()
        let bocsRoster = BoCSRoster(orderer: a.publicKey, campuses: ["A": a.publicKey, "B": b.publicKey])
        let bocsMembers = [a.publicKey, b.publicKey].sorted()
        let bocsA = try startNode(a, members: bocsMembers), bocsB = try startNode(b, members: bocsMembers)
        defer { bocsA.stop(); bocsB.stop() }
        #expect(mesh([bocsA, bocsB]))
        let seatA = try CrossCampusSeat(campus: "A", key: a, node: bocsA, roster: bocsRoster, chargerPowerW: 7000)
        try seatA.start()                       // the BoCS genesis; A then never allocates
        let seatB = try CrossCampusSeat(campus: "B", key: b, node: bocsB, roster: bocsRoster, chargerPowerW: 7000)
        #expect(eventually { bocsB.heads[.bocs] != nil })

        // Campus B: a control system alone (no exchanges, vehicles or endorsers).
        let roster = CampusRoster(orderer: b.publicKey, endorsers: [], endorsementsRequired: 0, exchanges: [:], evs: [:])
        let csNode = try startNode(b, members: roster.members)
        let lines = Locked<[RoundLine]>([])
        let schedule = RoundSettings(count: 1, interval: .seconds(30), collect: .seconds(3), startAfter: .zero,
                                     startAt: nil, shortfallPPM: 0, seed: 1)
        let service = ControlSystemService(cs: ControlSystem(key: b, node: csNode, roster: roster), campus: "B",
                                           schedule: schedule, seat: seatB, meter: TestMeter { $0.allocatedWh }, log: nil) { l in
            lines.update { $0.append(l) }
        }
        service.start()
        // B's surplus reaches A's pool: B is now in waitForResult (up to 8 s).
        #expect(eventually(.seconds(10)) { !bocsA.pooled(.bocs).isEmpty })
        Thread.sleep(forTimeInterval: 0.3)
        let t0 = ContinuousClock.now
        service.stop()
        #expect(ContinuousClock.now - t0 < .seconds(1))
        #expect(lines.value.isEmpty, "a stopped round was reported as a failed round: \(lines.value.map { $0.error ?? "ok" })")
    }
}
