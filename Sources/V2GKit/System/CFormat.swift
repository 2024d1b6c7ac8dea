import Glibc

extension String {
    /// Formats like C's `printf` in the C locale (a decimal point whatever the environment's locale): what
    /// `String(cFormat:)` does, without Foundation. Pass `Int`, `Double` and `Int64` values, never `String`s
    /// (use `%@`-free formats; strings go through interpolation).
    public init(cFormat format: String, _ arguments: CVarArg...) {
        self.init(cFormat: format, arguments: arguments)
    }

    /// `String(cFormat:_:)` with the arguments in an array.
    public init(cFormat format: String, arguments: [CVarArg]) {
        self = withVaList(arguments) { list in
            var buffer = [CChar](repeating: 0, count: 128)
            let needed = Int(vsnprintf(&buffer, buffer.count, format, list))
            guard needed >= buffer.count else { return String(decoding: buffer.prefix(while: { $0 != 0 }).map(UInt8.init(bitPattern:)), as: UTF8.self) }
            return withVaList(arguments) { again in
                buffer = [CChar](repeating: 0, count: needed + 1)
                _ = vsnprintf(&buffer, buffer.count, format, again)
                return String(decoding: buffer.prefix(needed).map(UInt8.init(bitPattern:)), as: UTF8.self)
            }
        }
    }

    /// The string padded with spaces on the right to `width` characters (never cut).
    public func padded(to width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces, tabs and line breaks.
    public func trimmingWhitespace() -> String {
        guard let first = firstIndex(where: { !$0.isWhitespace }) else { return "" }
        let last = lastIndex(where: { !$0.isWhitespace })!
        return String(self[first...last])
    }
}
