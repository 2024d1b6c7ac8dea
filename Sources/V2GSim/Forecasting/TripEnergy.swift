import FoundationEssentials
import V2GKit
import Glibc

/// A trip of [T] §6.3 described by the 13 features of Fig. 6.3, with the energy it really took.
public struct Trip: Sendable, Hashable {
    public var startHour: Double        // 0..<24
    public var weekday: Int             // 0 = Monday ... 6 = Sunday
    public var temperatureC: Double
    public var rainfallMmPerHour: Double
    public var humidityPercent: Double
    public var windSpeedMps: Double     // headwind component along the route
    public var latitude: Double         // destination
    public var longitude: Double
    public var gender: Int              // 0, 1 (the driver; [T] lists it)
    public var age: Int                 // the driver's
    public var durationMinutes: Double
    public var model: Int               // index into `EVModel.catalogue`
    public var evAgeYears: Double
    /// Energy drawn from the battery, Wh (what the forecast predicts).
    public var energyWh: Double

    public init(startHour: Double, weekday: Int, temperatureC: Double, rainfallMmPerHour: Double, humidityPercent: Double,
                windSpeedMps: Double, latitude: Double, longitude: Double, gender: Int, age: Int, durationMinutes: Double,
                model: Int, evAgeYears: Double, energyWh: Double) {
        self.startHour = startHour
        self.weekday = weekday
        self.temperatureC = temperatureC
        self.rainfallMmPerHour = rainfallMmPerHour
        self.humidityPercent = humidityPercent
        self.windSpeedMps = windSpeedMps
        self.latitude = latitude
        self.longitude = longitude
        self.gender = gender
        self.age = age
        self.durationMinutes = durationMinutes
        self.model = model
        self.evAgeYears = evAgeYears
        self.energyWh = energyWh
    }

    /// The 13 features, scaled to about [0, 1], in Fig. 6.3's order.
    public var features: [Double] {
        [startHour / 24, Double(weekday) / 6, (temperatureC + 10) / 45, rainfallMmPerHour / 20, humidityPercent / 100,
         windSpeedMps / 15, (latitude - TripGenerator.region.lat.lowerBound) / 1, (longitude - TripGenerator.region.lon.lowerBound) / 1,
         Double(gender), Double(age - 18) / 62, durationMinutes / 120, Double(model) / Double(max(1, EVModel.catalogue.count - 1)),
         evAgeYears / 12]
    }
}

/// The physical parameters of an EV model.
public struct EVModel: Sendable, Hashable {
    public var name: String
    public var massKg: Double
    /// Drag area C_d·A, m².
    public var dragAreaM2: Double
    public var rollingResistance: Double
    /// Battery-to-wheel efficiency when new.
    public var drivetrainEfficiency: Double

    public static let catalogue: [EVModel] = [
        EVModel(name: "compact", massKg: 1500, dragAreaM2: 0.62, rollingResistance: 0.009, drivetrainEfficiency: 0.90),
        EVModel(name: "sedan", massKg: 1850, dragAreaM2: 0.55, rollingResistance: 0.008, drivetrainEfficiency: 0.91),
        EVModel(name: "suv", massKg: 2300, dragAreaM2: 0.85, rollingResistance: 0.010, drivetrainEfficiency: 0.88),
        EVModel(name: "van", massKg: 2600, dragAreaM2: 1.10, rollingResistance: 0.011, drivetrainEfficiency: 0.87),
    ]
}

/// Seeded trips with a physically plausible consumption: a speed profile from the trip's length and the hour's
/// traffic, aerodynamic drag with the headwind, rolling resistance (more on wet roads), acceleration losses by
/// driving style, heating or cooling by temperature and humidity, drivetrain and battery losses that grow with
/// the EV's age and the cold.
public struct TripGenerator: Sendable {
    public static let region = (lat: 37.0...38.0, lon: 139.5...140.5)   // around Aizu, where [T] was written
    public var seed: UInt64

    public init(seed: UInt64) { self.seed = seed }

    /// `count` trips.
    public func trips(_ count: Int) -> [Trip] {
        var rng = SplitMix64(seed: seed)
        return (0..<count).map { _ in trip(&rng) }
    }

    func uniform(_ rng: inout SplitMix64, _ range: ClosedRange<Double>) -> Double {
        range.lowerBound + Double(rng.next() >> 11) / Double(1 << 53) * (range.upperBound - range.lowerBound)
    }

    func trip(_ rng: inout SplitMix64) -> Trip {
        let startHour = uniform(&rng, 5...23)
        let weekday = Int(rng.int(Int64(0)...6))
        let month = uniform(&rng, 0...12)
        let temperature = 11 - 12 * cos(2 * Double.pi * month / 12) + uniform(&rng, -4...4) - 3 * cos(2 * Double.pi * (startHour - 15) / 24)
        let rain = uniform(&rng, 0...1) < 0.25 ? uniform(&rng, 0.2...15) : 0
        let humidity = min(100, max(25, 55 + rain * 3 + uniform(&rng, -20...20)))
        let wind = uniform(&rng, 0...12) * (uniform(&rng, 0...1) < 0.5 ? 1 : -1)
        let latitude = uniform(&rng, Self.region.lat), longitude = uniform(&rng, Self.region.lon)
        let gender = Int(rng.int(Int64(0)...1))
        let age = Int(rng.int(Int64(18)...80))
        let duration = uniform(&rng, 8...120)
        let model = Int(rng.int(Int64(0)...Int64(EVModel.catalogue.count - 1)))
        let evAge = uniform(&rng, 0...12)
        var trip = Trip(startHour: startHour, weekday: weekday, temperatureC: temperature, rainfallMmPerHour: rain,
                        humidityPercent: humidity, windSpeedMps: wind, latitude: latitude, longitude: longitude, gender: gender,
                        age: age, durationMinutes: duration, model: model, evAgeYears: evAge, energyWh: 0)
        trip.energyWh = Self.energy(trip) * (1 + uniform(&rng, -0.04...0.04))
        return trip
    }

    /// The energy a trip takes, Wh, from its features (without the measurement noise).
    public static func energy(_ t: Trip) -> Double {
        let ev = EVModel.catalogue[t.model]
        // Longer trips reach the highway; rush hours and weekdays slow the city part.
        let rush = (t.weekday < 5 && (abs(t.startHour - 8) < 1.5 || abs(t.startHour - 18) < 1.5)) ? 0.65 : 1.0
        let highwayShare = min(0.8, max(0, (t.durationMinutes - 15) / 90))
        let cityKmh = 32 * rush, highwayKmh = 88.0
        let speed = ((1 - highwayShare) * cityKmh + highwayShare * highwayKmh) / 3.6          // m/s
        let airDensity = 1.225 * 288.15 / (273.15 + t.temperatureC)
        let relative = speed + t.windSpeedMps                                                 // headwind positive
        let drag = 0.5 * airDensity * ev.dragAreaM2 * relative * abs(relative)               // N
        let rolling = ev.massKg * 9.81 * ev.rollingResistance * (t.rainfallMmPerHour > 0 ? 1.2 + 0.01 * t.rainfallMmPerHour : 1)
        // Stop-and-go: kinetic energy lost per stop, stops per km falling with speed; brisker drivers lose more.
        let style = 1 + (t.age < 30 ? 0.12 : t.age > 65 ? -0.06 : 0) + (t.gender == 0 ? 0.03 : 0)
        let stopsPerMeter = (1 - highwayShare) * 1.5 / 1000
        let stopLoss = 0.5 * ev.massKg * (cityKmh / 3.6) * (cityKmh / 3.6) * 0.35 * stopsPerMeter * style   // N equivalent
        let traction = max(0, drag + rolling + stopLoss) * speed                              // W at the wheels
        // Cabin: heating below 18 °C, cooling above 24 °C, more with humidity.
        let hvac = max(0, 18 - t.temperatureC) * 180 + max(0, t.temperatureC - 24) * (120 + 3 * t.humidityPercent)
        let efficiency = ev.drivetrainEfficiency * (1 - 0.012 * t.evAgeYears) * (t.temperatureC < 5 ? 0.92 : 1)
        let watts = traction / efficiency + hvac + 250                                        // 250 W electronics
        return watts * t.durationMinutes / 60
    }
}

/// The trip-energy MLP of [T] §6.3: 13 features in, one output (energy, scaled), hidden layers configurable.
public struct TripEnergyForecast: Sendable {
    public static let scaleWh = 40_000.0
    public var hidden = [32, 16]
    public var epochs = 60
    public var learningRate = 3e-3
    public var seed: UInt64
    public private(set) var network: NeuralNetwork?

    public init(seed: UInt64) { self.seed = seed }

    public static func sample(_ t: Trip) -> TrainingSample {
        TrainingSample(input: t.features, target: [t.energyWh / scaleWh])
    }

    /// Trains on `trips`; `progress(epoch, loss)` after each epoch.
    public mutating func train(_ trips: [Trip], progress: (Int, Double) -> Void = { _, _ in }) throws {
        var net = try NeuralNetwork(.mlp(inputs: 13, hidden: hidden, outputs: 1), seed: seed)
        var trainer = NetworkTrainer(seed: seed &+ 1, learningRate: learningRate)
        try trainer.train(&net, on: trips.map(Self.sample), epochs: epochs, progress: progress)
        network = net
    }

    /// The predicted energy of a trip, Wh (≥ 0).
    public func predict(_ t: Trip) throws -> Double {
        guard let network else { throw SimulationError("the trip-energy model is not trained") }
        return max(0, try network.predict(t.features)[0] * Self.scaleWh)
    }
}
