import Glibc

/// Writing to the process's standard streams without Foundation's `FileHandle`.
public enum StandardStreams {
    /// Writes `text` to standard error at once (unbuffered; a short write or EINTR is retried).
    public static func writeError(_ text: String) { writeAll(text, to: STDERR_FILENO) }

    /// Writes `text` to standard output after whatever `print` has buffered.
    public static func writeOutput(_ text: String) {
        fflush(nil)   // every stream: `print` buffers stdout
        writeAll(text, to: STDOUT_FILENO)
    }

    private static func writeAll(_ text: String, to fd: Int32) {
        var text = text
        text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let n = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                if n > 0 { offset += n } else if n < 0 && errno == EINTR { continue } else { return }
            }
        }
    }
}
