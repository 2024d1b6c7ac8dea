import ArgumentParser
import Foundation
import V2GKit
import V2GSim

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
            let output = try job.run()
            FileHandle.standardOutput.write(Data((output.rendered(scalarObjectsInline: true) + "\n").utf8))
        } catch let error as MatchJobError {
            throw CommandFailure.badInput(error.description)
        } catch let error as V2GError {
            throw CommandFailure.badInput(error.message)
        }
    }

    private func readInput() throws(MatchJobError) -> Data {
        if let file, file != "-" {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw MatchJobError(path: "", message: "cannot read \(file)")
            }
            return data
        }
        return FileHandle.standardInput.readDataToEndOfFile()
    }
}
