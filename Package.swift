// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "V2GKit",
    products: [
        .library(name: "V2GKit", targets: ["V2GKit"]),
        .library(name: "V2GSim", targets: ["V2GSim"]),
        .library(name: "V2GLedger", targets: ["V2GLedger"]),
        .library(name: "V2GTransport", targets: ["V2GTransport"]),
        .library(name: "V2GNode", targets: ["V2GNode"]),
        .library(name: "V2GGateway", targets: ["V2GGateway"]),
        .library(name: "V2GOCPP", targets: ["V2GOCPP"]),
        .library(name: "V2GOCPPServer", targets: ["V2GOCPPServer"]),
        .executable(name: "v2g", targets: ["v2g"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.30.0"),
    ],
    targets: [
        // MARK: - Targets

        // The portable C core: matchers and fixed-point helpers, C11, no dependencies.
        // Its public headers live in the top-level include/ (CSources/CV2G/include links there).
        .target(
            name: "CV2G",
            path: "CSources/CV2G",
            linkerSettings: [.linkedLibrary("m")]
        ),
        .target(
            name: "V2GKit",
            dependencies: ["CV2G"]
        ),
        // libsodium (Ed25519, SHA-256) and SQLite from the system, found through pkg-config.
        .systemLibrary(
            name: "CSodium",
            path: "CSources/CSodium",
            pkgConfig: "libsodium",
            providers: [.apt(["libsodium-dev"])]
        ),
        .systemLibrary(
            name: "CSQLite",
            path: "CSources/CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .systemLibrary(
            name: "CZeroMQ",
            path: "CSources/CZeroMQ",
            pkgConfig: "libzmq",
            providers: [.apt(["libzmq3-dev"])]
        ),
        // Identities, transactions, blocks, canonical encoding, validation, the SQLite store.
        .target(
            name: "V2GLedger",
            dependencies: ["V2GKit", "CSodium", "CSQLite"]
        ),
        // ZeroMQ sockets, CurveZMQ, ZAP, frames and the peer event loop: the only libzmq user.
        .target(
            name: "V2GTransport",
            dependencies: [
                "V2GKit", "V2GLedger", "CZeroMQ",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Ledger peers: validation off the network loop, the transaction pool, announcements, catch-up.
        .target(
            name: "V2GNode",
            dependencies: [
                "V2GKit", "V2GLedger", "V2GTransport",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // OCPP-J, the chargers' protocol (docs/ocpp.md): framing, the official schemas, station sessions and the
        // mappings to offers, setpoints and metering; transport-free, nothing of the ledger.
        .target(
            name: "V2GOCPP",
            exclude: ["Schemas/generate.py"]
        ),
        // The chargers' WebSocket endpoint: the only SwiftNIO user.
        .target(
            name: "V2GOCPPServer",
            dependencies: [
                "V2GOCPP",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The roles a gateway runs, their data sources and sinks, config, metrics and the daemon.
        .target(
            name: "V2GGateway",
            dependencies: [
                "V2GKit", "V2GLedger", "V2GTransport", "V2GNode", "V2GOCPP",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Scenario generators, the experiment runner, and CSV/JSON/SVG reports.
        .target(
            name: "V2GSim",
            dependencies: ["V2GKit"]
        ),
        .executableTarget(
            name: "v2g",
            dependencies: [
                "V2GKit",
                "V2GLedger",
                "V2GGateway",
                "V2GOCPP",
                "V2GOCPPServer",
                "V2GSim",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // MARK: - Tests

        .testTarget(
            name: "V2GKitTests",
            dependencies: ["V2GKit", "CV2G"]
        ),
        .testTarget(
            name: "V2GLedgerTests",
            dependencies: ["V2GLedger", "V2GKit"],
            exclude: ["Vectors"]
        ),
        .testTarget(
            name: "V2GTransportTests",
            dependencies: ["V2GTransport", "V2GLedger", .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(
            name: "V2GNodeTests",
            dependencies: ["V2GNode", "V2GTransport", "V2GLedger", "V2GKit", .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(
            name: "V2GGatewayTests",
            dependencies: ["V2GGateway", "V2GNode", "V2GTransport", "V2GLedger", "V2GKit", "V2GOCPP",
                           .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(
            name: "V2GSimTests",
            dependencies: ["V2GSim", "V2GKit"]
        ),
        .testTarget(
            name: "V2GOCPPTests",
            dependencies: ["V2GOCPP"],
            exclude: ["Vectors"]
        ),
        .testTarget(
            name: "v2gTests",
            dependencies: ["v2g", "V2GLedger", "V2GGateway"]
        ),
    ]
)
