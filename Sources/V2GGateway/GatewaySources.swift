import Logging

/// The data a gateway's role runs on: an exchange's consumers, an EV gateway's vehicles and where their
/// allocations go, a control system's meters. Nil takes the synthetic source the config describes.
public struct GatewaySources: Sendable {
    public var consumers: (any ConsumerRequestSource)?
    public var vehicles: (any VehicleSource)?
    public var setpoints: (any SetpointSink)?
    public var meter: (any MeterReader)?
    /// What an EV gateway's chargers measured, filed as meter reports; nil files none.
    public var deliveries: (any DeliveryMeter)?

    public init(consumers: (any ConsumerRequestSource)? = nil, vehicles: (any VehicleSource)? = nil,
                setpoints: (any SetpointSink)? = nil, meter: (any MeterReader)? = nil, deliveries: (any DeliveryMeter)? = nil) {
        self.deliveries = deliveries
        self.consumers = consumers
        self.vehicles = vehicles
        self.setpoints = setpoints
        self.meter = meter
    }

    /// Each source not given, taken from the config's synthetic sections (`[exchange]`, `[ev]`, `[rounds]`); a
    /// control system metering from reports reads them from its node (`ReportedMeters`).
    func filled(from config: GatewayConfig, logger: Logger) -> GatewaySources {
        var s = self
        if s.consumers == nil, let x = config.roles.exchange {
            s.consumers = SyntheticConsumers(exchange: x.name, consumers: x.consumers, seed: x.seed)
        }
        if s.vehicles == nil, let ev = config.roles.ev { s.vehicles = SyntheticVehicles(seed: ev.seed) }
        if s.setpoints == nil { s.setpoints = LoggedSetpoints(logger: logger) }
        if s.meter == nil, let r = config.roles.rounds, r.metering == .synthetic { s.meter = SyntheticMeters(shortfallPPM: r.shortfallPPM, seed: r.seed) }
        return s
    }
}
