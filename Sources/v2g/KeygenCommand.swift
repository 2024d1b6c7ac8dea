import ArgumentParser
import FoundationEssentials
import V2GLedger
import V2GKit

/// `v2g keygen --out DIR`: a new Ed25519 identity for the ledger.
struct KeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Create an Ed25519 key pair: writes DIR/NAME.key (mode 0600, never overwritten), prints the public key.")

    @Option(help: "Directory for the key file (created if missing).")
    var out: String

    @Option(help: "File name without extension.")
    var name = "identity"

    func run() throws {
        do {
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw CommandFailure.badInput("cannot create \(out): \(error)")
        }
        let path = Path.join(out, "\(name).key")
        do {
            let key = try SigningKey()
            try KeyFile.write(key, to: path)
            try (key.publicKey.description + "\n").write(toFile: Path.join(out, "\(name).pub"),
                                                         atomically: true, encoding: .utf8)
            print(key.publicKey)
        } catch let error as LedgerError {
            throw CommandFailure.badInput(error.message)
        }
    }
}
