// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "V2GKit",
    products: [
        .library(name: "V2GKit", targets: ["V2GKit"]),
        .library(name: "V2GSim", targets: ["V2GSim"]),
        .library(name: "V2GLedger", targets: ["V2GLedger"]),
        .library(name: "V2GNode", targets: ["V2GNode"]),
        .executable(name: "v2g", targets: ["v2g"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
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
        // ZeroMQ transport with CurveZMQ and ZAP, gossip between ledger peers.
        .target(
            name: "V2GNode",
            dependencies: ["V2GLedger", "CZeroMQ", "CSodium"]
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
                "V2GNode",
                "V2GSim",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "TOMLKit", package: "TOMLKit"),
            ]
        ),

        // MARK: - Tests

        .testTarget(
            name: "V2GKitTests",
            dependencies: ["V2GKit", "CV2G"]
        ),
        .testTarget(
            name: "V2GLedgerTests",
            dependencies: ["V2GLedger", "V2GKit"]
        ),
        .testTarget(
            name: "V2GNodeTests",
            dependencies: ["V2GNode", "V2GLedger"]
        ),
        .testTarget(
            name: "V2GSimTests",
            dependencies: ["V2GSim", "V2GKit"]
        ),
        .testTarget(
            name: "v2gTests",
            dependencies: ["v2g"]
        ),
    ]
)
