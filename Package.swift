// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "V2GKit",
    products: [
        .library(name: "V2GKit", targets: ["V2GKit"]),
        .library(name: "V2GSim", targets: ["V2GSim"]),
        .executable(name: "v2g", targets: ["v2g"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // MARK: - Targets

        // The portable C core: matchers and fixed-point helpers, C11, no dependencies.
        // Its public headers live in the top-level include/ (CSources/CV2G/include links there).
        .target(
            name: "CV2G",
            path: "CSources/CV2G"
        ),
        .target(
            name: "V2GKit",
            dependencies: ["CV2G"]
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
                "V2GSim",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // MARK: - Tests

        .testTarget(
            name: "V2GKitTests",
            dependencies: ["V2GKit", "CV2G"]
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
