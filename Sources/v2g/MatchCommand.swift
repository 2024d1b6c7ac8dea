import ArgumentParser
import Foundation
import V2GKit

/// `v2g match [FILE]`: one matching round from JSON to JSON.
struct MatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "match",
        abstract: "Match energy requests with EV offers from a JSON job (greedy, hungarian, ret, sret-double, "
            + "sret-single-energy, sret-single-count, double-auction).",
        discussion: """
            Reads the job from FILE, or from standard input when FILE is omitted or "-", and writes the
            allocations, per-request outcomes and totals as JSON to standard output. Bad input prints one
            line naming the field to standard error and exits with status 2. See the README for the format.
            """)

    @Argument(help: "The JSON job; standard input when omitted or \"-\".")
    var file: String?

    func run() throws {
        do {
            let data = try readInput()
            let job = try MatchJob.parse(data)
            let output = try MatchRunner.run(job)
            FileHandle.standardOutput.write(Data(output.rendered().utf8))
        } catch let error as InputError {
            throw CommandFailure.badInput(error.description)
        } catch let error as V2GError {
            throw CommandFailure.badInput(error.message)
        }
    }

    private func readInput() throws(InputError) -> Data {
        if let file, file != "-" {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw InputError(path: "", message: "cannot read \(file)")
            }
            return data
        }
        return FileHandle.standardInput.readDataToEndOfFile()
    }
}

/// Runs a parsed job and renders the result in the documented field order.
enum MatchRunner {
    static func run(_ job: MatchJob) throws(V2GError) -> JSONOutput {
        switch job.algorithm {
        case .ret:
            let requests = job.requests.map {
                EnergyRequest(exchange: $0.exchange, consumer: $0.consumer, bid: $0.bid,
                              submittedAt: $0.submittedAt, energyWh: $0.energyWh)
            }
            let offers = job.offers.map { EnergyOffer(ev: $0.ev, energyWh: $0.energyWh) }
            let result = try RETMatcher(chargerCapacityWh: job.chargerCapacityWh)
                .match(requests: requests, offers: offers, penalties: job.penalties)
            return try render(result, job: job)
        case .sretDouble, .sretSingleEnergy, .sretSingleCount:
            let requests = job.requests.map {
                WindowedRequest(EnergyRequest(exchange: $0.exchange, consumer: $0.consumer, bid: $0.bid,
                                              submittedAt: $0.submittedAt, energyWh: $0.energyWh),
                                start: $0.window!.lowerBound, end: $0.window!.upperBound)
            }
            let evs = job.offers.map {
                EVAvailability(ev: $0.ev, energyWh: $0.energyWh, start: $0.window!.lowerBound, end: $0.window!.upperBound)
            }
            let result = try SRETMatcher(strategy: job.algorithm.sretStrategy!, chargerPowerW: job.chargerPowerW!)
                .match(requests: requests, evs: evs, penalties: job.penalties)
            return try render(result, job: job)
        case .doubleAuction:
            let cap = job.chargerCapacityWh ?? Int64.max
            let bids = job.requests.map { AuctionOrder(price: $0.bid, energyWh: $0.energyWh) }
            let asks = job.offers.map { AuctionOrder(price: $0.ask!, energyWh: min($0.energyWh, cap)) }
            let outcome = try DoubleAuction().clear(bids: bids, asks: asks)
            return try render(outcome.matchResult(bids: bids), job: job)
        case .greedy, .hungarian:
            let requests = job.requests.map {
                ProsumerRequest(kind: $0.kind, energyWh: $0.energyWh, submittedAt: $0.submittedAt)
            }
            let cap = job.chargerCapacityWh ?? Int64.max
            let evs = job.offers.map {
                EVState(availableWh: min($0.energyWh, cap), freeCapacityWh: min($0.capacityWh, cap))
            }
            let result = job.algorithm == .greedy
                ? try GreedyMatcher().match(requests: requests, evs: evs)
                : try HungarianMatcher().match(requests: requests, evs: evs).result
            return try render(result, job: job)
        }
    }

    private static func render(_ result: MatchResult, job: MatchJob) throws(V2GError) -> JSONOutput {
        var profit: Int64 = 0
        var allocations: [JSONOutput] = []
        for a in result.allocations {
            let r = job.requests[a.requestIndex]
            let (sum, overflow) = profit.addingReportingOverflow(try money(pricePerKWh: r.bid, energyWh: a.energyWh))
            guard !overflow else { throw V2GError(code: .overflow, message: "totals.profit exceeds the 64-bit range") }
            profit = sum
            var fields: [(String, JSONOutput)] = [
                ("exchange", .string(r.exchange.rawValue)), ("consumer", .string(r.consumer.rawValue)),
                ("ev", .string(job.offers[a.offerIndex].ev.rawValue)), ("energyWh", .int(a.energyWh)),
            ]
            if let interval = a.interval { fields += [("start", .int(interval.lowerBound)), ("end", .int(interval.upperBound))] }
            allocations.append(.object(fields))
        }
        let requests: [JSONOutput] = result.outcomes.map { o in
            let r = job.requests[o.requestIndex]
            return .object([
                ("exchange", .string(r.exchange.rawValue)), ("consumer", .string(r.consumer.rawValue)),
                ("demandWh", .int(o.demandWh)), ("allocatedWh", .int(o.allocatedWh)), ("fulfilled", .bool(o.fulfilled)),
            ])
        }
        return .object([
            ("allocations", .array(allocations)),
            ("requests", .array(requests)),
            ("totals", .object([
                ("demandWh", .int(result.demandWh)), ("allocatedWh", .int(result.allocatedWh)),
                ("fulfilledRequests", .int(Int64(result.fulfilledCount))), ("profit", .int(profit)),
            ])),
        ])
    }
}
