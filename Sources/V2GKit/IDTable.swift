internal import CV2G

/// IDs packed into one byte buffer, so the C core can see them as `v2g_id` values.
///
/// The pointers handed to `body` are valid only inside it.
struct IDTable {
    private var bytes: [UInt8] = []
    private var spans: [(offset: Int, length: Int)] = []

    init() {}

    /// Appends an ID and returns its index in the table.
    @discardableResult
    mutating func append(_ id: String) -> Int {
        let offset = bytes.count
        bytes.append(contentsOf: id.utf8)
        spans.append((offset, bytes.count - offset))
        return spans.count - 1
    }

    /// Calls `body` with a function that turns a table index into a `v2g_id`.
    func withIDs<R, E: Error>(_ body: ((Int) -> v2g_id) throws(E) -> R) throws(E) -> R {
        let spans = self.spans
        // A non-empty buffer keeps the base pointer non-NULL even when every ID is empty.
        let storage = bytes.isEmpty ? [0] : bytes
        let result: Result<R, E> = storage.withUnsafeBufferPointer { buffer in
            let base = buffer.baseAddress!
            do throws(E) {
                return .success(try body { index in
                    v2g_id(bytes: base + spans[index].offset, length: spans[index].length)
                })
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }
}

/// A buffer of raw bytes sized by a C `*_workspace_size()` query.
func withWorkspace<R, E: Error>(size: Int, _ body: (UnsafeMutableRawPointer, Int) throws(E) -> R) throws(E) -> R {
    let buffer = UnsafeMutableRawPointer.allocate(byteCount: max(size, 1), alignment: 64)
    defer { buffer.deallocate() }
    return try body(buffer, size)
}
