import ArgumentParser
import FoundationEssentials
import V2GKit
import V2GSim
import Glibc

/// `v2g match [FILE]`: one matching round from JSON to JSON.
struct MatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "match",
        abstract: "Match energy requests with EV offers from a JSON job (greedy, hungarian, ret, sret-double, "
            + "sret-double-best-fit, sret-single-energy, sret-single-count, double-auction).",
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
            print(output.rendered(scalarObjectsInline: true))
        } catch let error as MatchJobError {
            throw CommandFailure.badInput(error.description)
        } catch let error as V2GError {
            throw CommandFailure.badInput(error.message)
        }
    }

    /// The job's bytes, refused past `MatchJob.maxBytes` before they are parsed.
    private func readInput() throws(MatchJobError) -> Data {
        let tooLarge = MatchJobError(path: "", message: "the job is larger than \(MatchJob.maxBytes >> 20) MiB")
        if let file, file != "-" {
            guard let handle = FileDescriptorHandle(forReadingAtPath: file) else {
                throw MatchJobError(path: "", message: "cannot read \(file): \(String(cString: strerror(errno)))")
            }
            return try read(handle, tooLarge)
        }
        return try read(.standardInput, tooLarge)
    }

    private func read(_ handle: FileDescriptorHandle, _ tooLarge: MatchJobError) throws(MatchJobError) -> Data {
        do {
            return try Data(handle.readToEnd(limit: MatchJob.maxBytes))
        } catch .longerThan {
            throw tooLarge
        } catch {
            throw MatchJobError(path: "", message: "cannot read the job: \(error)")
        }
    }
}
