// swift-tools-version:6.0
// Module graph: RESP (pure codec) <- HearsayCore (pure core) <- HearsayServer (libuv driver)
//                                                            <- HearsaySim (simulated driver)
//                       HearsayAuth (the frame MAC, on OpenSSL's libcrypto) <- HearsayServer
// Only HearsayServer may import CLibUV. The executables sit on top. HearsayInspect (the
// inspector's library) stands alone: it speaks RESP to nodes and imports no Hearsay module.
import PackageDescription

/// Release builds drop Swift's dynamic exclusivity checks: they cost a quarter of the
/// instructions per request on the hot path (measured with callgrind), and the core
/// is single-threaded by construction. Debug builds and tests keep them.
let hotPath: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

let package = Package(
    name: "Hearsay",
    products: [
        .executable(name: "hearsay", targets: ["hearsay"]),
        .executable(name: "hearsay-inspect", targets: ["hearsay-inspect"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CLibUV",
            pkgConfig: "libuv",
            providers: [.apt(["libuv1-dev"])]
        ),
        // The system's OpenSSL for HMAC-SHA256: swift-crypto's Swift layer would bring
        // Foundation into the node (several MiB resident) and BoringSSL into the build.
        .systemLibrary(
            name: "CLibCrypto",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        .target(name: "RESP", swiftSettings: hotPath),
        .target(
            name: "HearsayCore",
            dependencies: ["RESP"],
            swiftSettings: hotPath
        ),
        // The frame MAC, apart from the core so that the core and the simulator stay pure.
        .target(name: "HearsayAuth", dependencies: ["HearsayCore", "CLibCrypto"]),
        .target(
            name: "HearsayServer",
            dependencies: [
                "CLibUV", "HearsayAuth", "HearsayCore", "RESP",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: hotPath
        ),
        .target(name: "HearsaySim", dependencies: ["HearsayCore", "RESP"]),
        // The inspector's library: a RESP reply parser, clients, discovery and the snapshot. It
        // talks to nodes only over RESP, so it depends on no Hearsay module.
        .target(name: "HearsayInspect"),
        .executableTarget(
            name: "hearsay",
            dependencies: [
                "HearsayServer", "HearsaySim", "HearsayCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "hearsay-inspect",
            dependencies: ["HearsayInspect", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "tools/inspector"
        ),
        // Helpers several test targets share (test targets cannot share sources).
        .target(name: "HearsayTestSupport", path: "Tests/Support"),
        .testTarget(name: "RESPTests", dependencies: ["RESP"]),
        .testTarget(
            name: "HearsayCoreTests",
            dependencies: [
                "HearsayAuth", "HearsayCore", "HearsayTestSupport", "RESP",
            ]),
        .testTarget(name: "HearsayServerTests", dependencies: ["HearsayServer", "HearsayAuth", "HearsayCore"]),
        .testTarget(name: "HearsaySimTests", dependencies: ["HearsaySim", "HearsayCore", "HearsayTestSupport"]),
        .testTarget(name: "HearsayInspectTests", dependencies: ["HearsayInspect", "HearsaySim", "HearsayCore"]),
    ]
)
