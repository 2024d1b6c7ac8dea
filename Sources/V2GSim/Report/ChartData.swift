/// The extent of uncertainty drawn around a value: a ±σ whisker or an explicit min/max interval.
public enum ErrorBar: Sendable, Hashable {
    /// From `value − deviation` to `value + deviation` (e.g. ±1 standard deviation).
    case plusMinus(Double)
    /// From `low` to `high` in data units (e.g. the min and max over repeated runs).
    case interval(low: Double, high: Double)

    /// The whisker's ends for a point or bar at `value`, lower first; nil if they are not finite.
    public func bounds(around value: Double) -> (low: Double, high: Double)? {
        let low: Double, high: Double
        switch self {
        case .plusMinus(let deviation): (low, high) = (value - abs(deviation), value + abs(deviation))
        case .interval(let a, let b): (low, high) = (min(a, b), max(a, b))
        }
        return low.isFinite && high.isFinite ? (low, high) : nil
    }
}

/// One point of a line series, with an optional error bar.
public struct DataPoint: Sendable, Hashable {
    public var x: Double
    public var y: Double
    public var error: ErrorBar?

    public init(x: Double, y: Double, error: ErrorBar? = nil) {
        self.x = x
        self.y = y
        self.error = error
    }

    /// Whether the point can be drawn (both coordinates finite).
    var isDrawable: Bool { x.isFinite && y.isFinite }
}

/// A named series of a line chart: points joined in the order given, optionally with markers.
public struct LineSeries: Sendable, Hashable {
    /// The name shown in the legend.
    public var name: String
    /// The points, joined in this order; a non-finite point breaks the line.
    public var points: [DataPoint]
    /// Whether each point gets a circle marker (a series with a single point always gets one).
    public var showsMarkers: Bool

    public init(name: String, points: [DataPoint], showsMarkers: Bool = true) {
        self.name = name
        self.points = points
        self.showsMarkers = showsMarkers
    }

    /// A series from parallel arrays of x and y values (and optionally one error bar per point).
    /// - Precondition: `x`, `y` (and `errors`, if not empty) have the same length.
    public init(name: String, x: [Double], y: [Double], errors: [ErrorBar?] = [], showsMarkers: Bool = true) {
        precondition(x.count == y.count, "LineSeries \(name): \(x.count) x values but \(y.count) y values")
        precondition(errors.isEmpty || errors.count == y.count, "LineSeries \(name): \(errors.count) error bars for \(y.count) points")
        let points = x.indices.map { DataPoint(x: x[$0], y: y[$0], error: errors.isEmpty ? nil : errors[$0]) }
        self.init(name: name, points: points, showsMarkers: showsMarkers)
    }
}

/// A named series of a bar chart: one value per category (NaN for "no bar"), with optional error bars.
public struct BarSeries: Sendable, Hashable {
    /// The name shown in the legend.
    public var name: String
    /// One value per category of the chart; a non-finite value draws no bar.
    public var values: [Double]
    /// Empty, or one optional error bar per value (grouped bars only).
    public var errors: [ErrorBar?]

    /// - Precondition: `errors` is empty or as long as `values`.
    public init(name: String, values: [Double], errors: [ErrorBar?] = []) {
        precondition(errors.isEmpty || errors.count == values.count,
                     "BarSeries \(name): \(errors.count) error bars for \(values.count) values")
        self.name = name
        self.values = values
        self.errors = errors
    }

    func error(at index: Int) -> ErrorBar? { errors.isEmpty ? nil : errors[index] }
}
