// swift-tools-version:6.0
// libFuzzer harnesses for what V2GKit's Swift layers read from the network, files and the command line.
// Built only with `make fuzz-swift-build` (swift build -Xswiftc -sanitize=fuzzer,address): each executable's
// main hands control to libFuzzer, so a plain `swift build` here cannot link them.
import PackageDescription

let flags: [SwiftSetting] = [.unsafeFlags(["-parse-as-library"])]

let package = Package(
    name: "V2GKitFuzz",
    dependencies: [.package(name: "V2GKit", path: "../..")],
    targets: [
        .executableTarget(name: "FuzzFrames", dependencies: [
            .product(name: "V2GTransport", package: "V2GKit"), .product(name: "V2GLedger", package: "V2GKit"),
        ], swiftSettings: flags),
        .executableTarget(name: "FuzzMatchJob", dependencies: [.product(name: "V2GSim", package: "V2GKit")],
                          swiftSettings: flags),
        .executableTarget(name: "FuzzConfig", dependencies: [
            .product(name: "V2GGateway", package: "V2GKit"), .product(name: "V2GLedger", package: "V2GKit"),
        ], swiftSettings: flags),
        .executableTarget(name: "FuzzCSV", dependencies: [.product(name: "V2GSim", package: "V2GKit")],
                          swiftSettings: flags),
        .executableTarget(name: "FuzzOCPP", dependencies: [.product(name: "V2GOCPP", package: "V2GKit")],
                          swiftSettings: flags),
    ]
)
