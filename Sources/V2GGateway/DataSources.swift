import V2GLedger
import V2GKit

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
    /// The allocation result's tx_id and the allocation's index in it.
    public var allocation: Digest
    public var index: UInt32

    public init(round: UInt64, exchange: String, consumer: String, ev: String, allocatedWh: Int64,
                allocation: Digest = .zero, index: UInt32 = 0) {
        self.round = round
        self.exchange = exchange
        self.consumer = consumer
        self.ev = ev
        self.allocatedWh = allocatedWh
        self.allocation = allocation
        self.index = index
    }
}

/// What the meters measured: the energy actually delivered for an allocation, which settlement and the
/// penalty lists run on.
public protocol MeterReader: Sendable {
    /// The energy delivered for `allocation`, in Wh (the control system clamps it to 0...allocated), or
    /// `MeteringPayload.Reading.notCarriedOut` if the EV's side did not carry it out; nil while it is not
    /// measured yet: the control system meters the round once every reading is in, or after
    /// `RoundSettings.meteringWaitSeconds` with what is missing counted as not carried out.
    func delivered(_ allocation: MeteredAllocation) -> Int64?
}

/// One allocation as a charger executes it: a vehicle discharges energy to a consumer.
public struct Setpoint: Hashable, Sendable {
    public var round: UInt64
    public var ev: String
    public var exchange: String
    public var consumer: String
    public var energyWh: Int64
    /// When (Unix seconds), for SRET allocations; nil for RET, whose delivery starts when the sink gets it.
    public var interval: Range<Int64>?
    /// The allocation result's tx_id and the allocation's index in it (what a meter report names).
    public var allocation: Digest
    public var index: UInt32
    /// Demand: the vehicle gives `energyWh`; surplus: it takes it (a prosumer's PV).
    public var kind: RequestKind

    public init(round: UInt64, ev: String, exchange: String, consumer: String, energyWh: Int64, interval: Range<Int64>?,
                allocation: Digest = .zero, index: UInt32 = 0, kind: RequestKind = .demand) {
        self.kind = kind
        self.round = round
        self.ev = ev
        self.exchange = exchange
        self.consumer = consumer
        self.energyWh = energyWh
        self.interval = interval
        self.allocation = allocation
        self.index = index
    }
}

/// Where an EV gateway sends its vehicles' allocations once the round's result is committed.
public protocol SetpointSink: Sendable {
    /// The setpoints of `round` for the gateway's vehicles (possibly none).
    func apply(_ setpoints: [Setpoint], round: UInt64)
}

/// What an EV gateway's chargers measured for its vehicles' allocations, once each delivery's interval is over:
/// the EV gateway files them on BoEV as meter reports (kind 10), from which the control system meters the round.
public protocol DeliveryMeter: Sendable {
    /// The reports ready to file (deliveries over and read), by vehicle; each report is handed out until
    /// `filed` says it is committed.
    func reports() -> [String: [MeterReportPayload]]
    /// The EV's report of `allocation` is on the ledger: it need not be filed again.
    func filed(ev: String, allocation: Digest)
}
