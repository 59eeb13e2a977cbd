// swift-tools-version:6.1
import PackageDescription

// swift-cache: one package, one library product per backend, so a user
// depends only on the storage it needs. CacheCore depends on the toolchain
// and swift-log alone.

let package = Package(
    name: "swift-cache",
    platforms: [.macOS(.v15), .iOS(.v18), .tvOS(.v18), .watchOS(.v11), .visionOS(.v2)],
    products: [
        .library(name: "CacheCore", targets: ["CacheCore"]),
        .library(name: "CacheFunctools", targets: ["CacheFunctools"]),
        .library(name: "CacheTestKit", targets: ["CacheTestKit"]),
        .library(name: "CacheAsync", targets: ["CacheAsync"]),
        .library(name: "CacheRedis", targets: ["CacheRedis"]),
        .executable(name: "cachectl", targets: ["CacheCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        .target(
            name: "CacheCore",
            dependencies: [.product(name: "Logging", package: "swift-log")],
            path: "Modules/CacheCore"
        ),
        .target(name: "CacheFunctools", dependencies: ["CacheCore"], path: "Modules/CacheFunctools"),
        .target(name: "CacheTestKit", dependencies: ["CacheCore"], path: "Modules/CacheTestKit"),
        .executableTarget(
            name: "CacheCLI",
            dependencies: [
                "CacheCore", "CacheFunctools", "CacheAsync", "CacheRedis",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Modules/CacheCLI"
        ),
        // CacheAsync: the async store API, memory store, single-flight, refresh-ahead (CacheCore only).
        .target(name: "CacheAsync", dependencies: ["CacheCore"], path: "Modules/CacheAsync"),
        // CacheRESP: the Redis wire protocol alone (no dependencies, so the fuzzer builds it with swiftc).
        .target(name: "CacheRESP", path: "Modules/CacheRESP"),
        // CacheRedis: the only target that builds SwiftNIO.
        .target(
            name: "CacheRedis",
            dependencies: [
                "CacheCore", "CacheAsync", "CacheRESP",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Modules/CacheRedis"
        ),
        // A child process for the cross-process Redis tests.
        .executableTarget(name: "CacheRedisProbe", dependencies: ["CacheRedis", "CacheCore"], path: "Modules/CacheRedisProbe"),
        .testTarget(name: "CacheAsyncTests", dependencies: ["CacheAsync", "CacheTestKit"], path: "Tests/CacheAsyncTests"),
        .testTarget(
            name: "CacheRedisTests",
            dependencies: ["CacheRedis", "CacheRESP", "CacheAsync", "CacheCore", "CacheTestKit", "CacheRedisProbe"],
            path: "Tests/CacheRedisTests"
        ),
        .testTarget(name: "CacheCoreTests", dependencies: ["CacheCore", "CacheCLI"], path: "Tests/CacheCoreTests"),
        .testTarget(name: "CacheFunctoolsTests", dependencies: ["CacheFunctools", "CacheTestKit"], path: "Tests/CacheFunctoolsTests"),
    ]
)

// One settings loop for every target: Swift 6 mode is the tools-version default;
// strict memory safety stays off (it is an opt-in audit mode, not a correctness mode).
for target in package.targets where target.type != .system && target.type != .plugin {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    target.swiftSettings = settings
}
