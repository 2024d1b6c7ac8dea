extension Collection where Element: BinaryFloatingPoint {
    /// The median: the middle value, or the mean of the two middle values of an even count; 0 when empty.
    /// Every benchmark reports this one (the machine is shared and its speed drifts, so no mean or minimum).
    public func median() -> Element {
        let s = sorted()
        guard !s.isEmpty else { return 0 }
        let mid = s.count / 2
        return s.count % 2 == 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2
    }
}
