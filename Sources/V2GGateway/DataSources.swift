import V2GLedger

// The seams a deployment plugs its own data into (docs/architecture.md, "Embedding a gateway"): where an
// exchange's consumer requests come from, what an EV gateway's vehicles offer, what the meters measured, and
// where allocations go. `SyntheticLoad` implements each for demos, tests and benchmarks; an OCPP charger
// bridge implements the vehicle, meter and setpoint sides against real chargers.

/// Where an exchange's consumers' requests for a round come from.
public protocol ConsumerRequestSource: Sendable {
    /// The requests the exchange uploads for `round` (the control system announced it; `deadline` is when it
    /// stops collecting, Unix milliseconds). An empty list uploads nothing.
    func requests(round: UInt64, deadline: Int64) throws -> [RequestListPayload.Entry]
}

/// What one vehicle may do in a round ([T] §6.1.2, [P] eq. 1).
public struct VehicleOffer: Hashable, Sendable {
    /// The energy it may give (RP), in Wh.
    public var energyWh: Int64
    /// The room it has to store surplus, in Wh.
    public var capacityWh: Int64
    /// When it is available, in seconds, for SRET; nil for RET.
    public var window: Range<Int64>?

    public init(energyWh: Int64, capacityWh: Int64 = 0, window: Range<Int64>? = nil) {
        self.energyWh = energyWh
        self.capacityWh = capacityWh
        self.window = window
    }
}

/// Which of an EV gateway's vehicles are present for a round, and what each may give.
public protocol VehicleSource: Sendable {
    /// The offers of `round`, by vehicle name, for vehicles among `vehicles` (the ones whose keys the gateway
    /// holds); a vehicle absent from the answer does not take part.
    func offers(round: UInt64, vehicles: [String]) throws -> [String: VehicleOffer]
}

/// One allocation as the meters see it: who was to get how much from whom.
public struct MeteredAllocation: Hashable, Sendable {
    public var round: UInt64
    public var exchange: String
    public var consumer: String
    public var ev: String
    public var allocatedWh: Int64

    public init(round: UInt64, exchange: String, consumer: String, ev: String, allocatedWh: Int64) {
        self.round = round
        self.exchange = exchange
        self.consumer = consumer
        self.ev = ev
        self.allocatedWh = allocatedWh
    }
}

/// What the meters measured: the energy actually delivered for an allocation, which settlement and the
/// penalty lists run on.
public protocol MeterReader: Sendable {
    /// The energy delivered for `allocation`, in Wh (the control system clamps it to 0...allocated).
    func delivered(_ allocation: MeteredAllocation) -> Int64
}

/// One allocation as a charger executes it: a vehicle discharges energy to a consumer.
public struct Setpoint: Hashable, Sendable {
    public var round: UInt64
    public var ev: String
    public var exchange: String
    public var consumer: String
    public var energyWh: Int64
    /// When (seconds), for SRET allocations that cover part of a window.
    public var interval: Range<Int64>?

    public init(round: UInt64, ev: String, exchange: String, consumer: String, energyWh: Int64, interval: Range<Int64>?) {
        self.round = round
        self.ev = ev
        self.exchange = exchange
        self.consumer = consumer
        self.energyWh = energyWh
        self.interval = interval
    }
}

/// Where an EV gateway sends its vehicles' allocations once the round's result is committed.
public protocol SetpointSink: Sendable {
    /// The setpoints of `round` for the gateway's vehicles (possibly none).
    func apply(_ setpoints: [Setpoint], round: UInt64)
}
