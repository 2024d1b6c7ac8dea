import FoundationEssentials
import V2GKit

/// The demo's data directory: created, or replaced if an earlier demo made it; anything else is refused.
public enum DemoDirectory {
    public static let marker = ".v2g-demo"

    /// The absolute path, emptied (or created) for a new demo.
    public static func prepare(_ path: String) throws -> String {
        let fm = FileManager.default
        let absolute = path.hasPrefix("/") ? path : Path.join(fm.currentDirectoryPath, path)
        if fm.fileExists(atPath: absolute) {
            let contents = (try? fm.contentsOfDirectory(atPath: absolute)) ?? []
            guard contents.isEmpty || contents.contains(marker) else {
                throw LocalNetworkError("--data-dir \(absolute) exists and was not made by v2g demo; choose another")
            }
            try fm.removeItem(atPath: absolute)
        }
        try fm.createDirectory(atPath: absolute, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        fm.createFile(atPath: Path.join(absolute, marker), contents: Data())
        return absolute
    }
}
