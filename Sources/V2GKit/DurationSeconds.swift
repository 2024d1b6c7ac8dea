extension Duration {
    /// The duration in seconds, as a real number (for timings and reports; not exact beyond 2^53 ns).
    public var inSeconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}
