import FoundationEssentials
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An error from writing report artifacts: what kind of failure, and the path involved.
public struct ReportError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public struct Code: RawRepresentable, Hashable, Sendable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }

        /// The name is empty, absolute, or has an empty, "." or ".." component.
        public static let invalidName = Code(rawValue: 1)
        /// The path resolves (through a symbolic link) to a place outside the output directory.
        public static let outsideDirectory = Code(rawValue: 2)
        /// Two artifacts of one call have the same name.
        public static let duplicateName = Code(rawValue: 3)
        /// The file system refused (the message carries `strerror`).
        public static let io = Code(rawValue: 4)
    }

    public let code: Code
    /// The artifact name or file path concerned.
    public let path: String
    /// What went wrong, in words a user can act on.
    public let message: String

    public init(code: Code, path: String, message: String) {
        self.code = code
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}

/// One named file of an experiment's output: its name relative to the output directory, and its bytes.
public struct ReportArtifact: Sendable, Hashable {
    /// The path relative to the output directory, e.g. "fig4.svg" or "raw/rounds.csv".
    public let name: String
    /// The file's contents.
    public let contents: Data

    public init(name: String, contents: Data) {
        self.name = name
        self.contents = contents
    }

    /// A text artifact, stored as UTF-8.
    public init(name: String, text: String) {
        self.init(name: name, contents: Data(text.utf8))
    }

    /// A chart as an SVG file.
    public static func svg(_ name: String, _ chart: SVGChart) -> ReportArtifact { .init(name: name, text: chart.render()) }
    /// A multi-panel figure as an SVG file.
    public static func svg(_ name: String, _ figure: ChartPanel) -> ReportArtifact { .init(name: name, text: figure.render()) }
    /// A table as a CSV file.
    public static func csv(_ name: String, _ table: CSVTable) -> ReportArtifact { .init(name: name, text: table.render()) }
    /// A summary as a JSON file.
    public static func json(_ name: String, _ summary: JSONSummary) -> ReportArtifact { .init(name: name, text: summary.render()) }
    /// A report as a Markdown file.
    public static func markdown(_ name: String, _ report: MarkdownReport) -> ReportArtifact {
        .init(name: name, text: report.render())
    }
}

/// Writes named artifacts into one output directory, each file atomically, never outside the directory.
///
/// ```swift
/// let writer = try ReportWriter(directory: URL(fileURLWithPath: "out/fig4"))
/// let paths = try writer.write([.csv("rounds.csv", table), .json("summary.json", summary),
///                               .svg("fig4.svg", figure), .markdown("report.md", report)])
/// ```
///
/// Each file is written to a hidden temporary file beside it, flushed to disk, then renamed over the
/// target, so a reader sees either the old file or the whole new one, and a crash leaves no partial file.
public struct ReportWriter: Sendable {
    /// The output directory, with symbolic links resolved.
    public let directory: URL

    /// A writer for `directory`, which is created (with its parents) if needed.
    /// - Throws: ``ReportError/Code-swift.struct/io`` if the directory cannot be created.
    public init(directory: URL) throws(ReportError) {
        let path = directory.standardizedFileURL.path
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw ReportError(code: .io, path: path, message: "cannot create the output directory: \(error)")
        }
        self.directory = URL(fileURLWithPath: path, isDirectory: true).resolvingSymlinksInPath()
    }

    /// The file an artifact name stands for, after checking the name stays inside the directory.
    /// - Throws: ``ReportError/Code-swift.struct/invalidName`` for an empty or absolute name, or one with an
    ///   empty, "." or ".." component.
    public func url(for name: String) throws(ReportError) -> URL {
        if name.isEmpty || name.hasPrefix("/") || name.contains("\0") {
            throw ReportError(code: .invalidName, path: name, message: "an artifact name must be a non-empty relative path")
        }
        let components = name.split(separator: "/", omittingEmptySubsequences: false)
        if components.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) {
            throw ReportError(code: .invalidName, path: name,
                              message: "an artifact name must not have empty, \".\" or \"..\" components")
        }
        return components.reduce(directory) { $0.appendingPathComponent(String($1), isDirectory: false) }
    }

    /// Writes one text artifact as UTF-8.
    /// - Returns: The file written.
    @discardableResult
    public func write(_ text: String, to name: String) throws(ReportError) -> URL {
        try write([ReportArtifact(name: name, text: text)])[0]
    }

    /// Writes the artifacts, each atomically, after checking all their names.
    /// - Returns: The files written, in the order of `artifacts`.
    /// - Throws: ``ReportError`` before writing anything if a name is invalid or repeated; on a file system
    ///   error, the files written before it stay and no temporary file is left.
    @discardableResult
    public func write(_ artifacts: [ReportArtifact]) throws(ReportError) -> [URL] {
        var seen = Set<String>()
        var targets: [URL] = []
        for artifact in artifacts {
            let url = try url(for: artifact.name)
            guard seen.insert(url.path).inserted else {
                throw ReportError(code: .duplicateName, path: artifact.name, message: "two artifacts have this name")
            }
            targets.append(url)
        }
        for (artifact, target) in zip(artifacts, targets) {
            try writeAtomically(artifact.contents, to: target, name: artifact.name)
        }
        return targets
    }

    private func writeAtomically(_ contents: Data, to target: URL, name: String) throws(ReportError) {
        let parent = target.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        } catch {
            throw ReportError(code: .io, path: parent.path, message: "cannot create the directory: \(error)")
        }
        // A symbolic link among the parents could lead out of the directory.
        let resolvedParent = parent.resolvingSymlinksInPath().path
        guard resolvedParent == directory.path || resolvedParent.hasPrefix(directory.path + "/") else {
            throw ReportError(code: .outsideDirectory, path: name, message: "resolves to \(resolvedParent), outside \(directory.path)")
        }
        var isDirectory = false
        if FileManager.default.fileExists(atPath: target.path, isDirectory: &isDirectory), isDirectory {
            throw ReportError(code: .io, path: target.path, message: "a directory is in the way")
        }
        let temporary = parent.appendingPathComponent(".\(target.lastPathComponent).tmp-\(UUID().uuidString)").path
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw Self.ioError(temporary, "cannot create") }
        var failure: ReportError?
        contents.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in
            var offset = 0
            while offset < buffer.count {
                let written = systemWrite(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = Self.ioError(temporary, "cannot write")
                    return
                }
                offset += written
            }
        }
        if failure == nil && fsync(descriptor) != 0 { failure = Self.ioError(temporary, "cannot flush") }
        if close(descriptor) != 0 && failure == nil { failure = Self.ioError(temporary, "cannot close") }
        if failure == nil && rename(temporary, target.path) != 0 { failure = Self.ioError(target.path, "cannot rename into") }
        if let failure {
            unlink(temporary)
            throw failure
        }
    }

    private static func ioError(_ path: String, _ action: String) -> ReportError {
        ReportError(code: .io, path: path, message: "\(action) \(path): \(String(cString: strerror(errno)))")
    }
}

/// The C library's `write(2)`, which `ReportWriter.write` would shadow inside the type.
private func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, bytes, count)
}
