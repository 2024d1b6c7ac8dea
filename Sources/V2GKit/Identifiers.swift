/// A byte-string identifier ordered byte-wise over its UTF-8 encoding, as the C core orders IDs.
public protocol ByteOrderedID: RawRepresentable, Hashable, Comparable, Sendable,
    ExpressibleByStringLiteral, CustomStringConvertible where RawValue == String {}

extension ByteOrderedID {
    public static func < (lhs: Self, rhs: Self) -> Bool {
        lhs.rawValue.utf8.lexicographicallyPrecedes(rhs.rawValue.utf8)
    }
    public var description: String { rawValue }
}

/// An energy exchange, which uploads its consumers' requests each round.
public struct ExchangeID: ByteOrderedID {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
}

/// A consumer (or prosumer), unique within its exchange.
public struct ConsumerID: ByteOrderedID {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
}

/// An electric vehicle offering energy.
public struct EVID: ByteOrderedID {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
}

/// A consumer as the market knows it: its exchange and its ID there.
public struct ConsumerKey: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var exchange: ExchangeID
    public var consumer: ConsumerID
    public init(exchange: ExchangeID, consumer: ConsumerID) {
        self.exchange = exchange
        self.consumer = consumer
    }
    public static func < (lhs: Self, rhs: Self) -> Bool {
        lhs.exchange != rhs.exchange ? lhs.exchange < rhs.exchange : lhs.consumer < rhs.consumer
    }
    public var description: String { "\(exchange)/\(consumer)" }
}
