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
        .library(name: "CacheTools", targets: ["CacheTools"]),
        .library(name: "CacheTestKit", targets: ["CacheTestKit"]),
        .library(name: "CacheAsync", targets: ["CacheAsync"]),
        .library(name: "CacheRedis", targets: ["CacheRedis"]),
        .library(name: "CacheSQLite", targets: ["CacheSQLite"]),
        .library(name: "CacheDisk", targets: ["CacheDisk"]),
        .library(name: "CacheJoblib", targets: ["CacheJoblib"]),
        .library(name: "CacheAutoSelect", targets: ["CacheAutoSelect"]),
        .library(name: "CacheMetrics", targets: ["CacheMetrics"]),
        .library(name: "CacheBox", targets: ["CacheBox"]),
        .library(name: "CacheKlepto", targets: ["CacheKlepto"]),
        .executable(name: "cachectl", targets: ["cachectl"]),
        .plugin(name: "CacheCommand", targets: ["CacheCommand"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
    ],
    targets: [
        .target(
            name: "CacheCore",
            dependencies: [.product(name: "Logging", package: "swift-log")],
            path: "Modules/CacheCore"
        ),
        .target(name: "CacheFunctools", dependencies: ["CacheCore"], path: "Modules/CacheFunctools"),
        // CachePolicies: the eviction policy states and slot table CacheTools' caches are built
        // on, shared (not a product) so other backends can build caches on them too.
        .target(name: "CachePolicies", dependencies: ["CacheCore"], path: "Modules/CachePolicies"),
        .target(name: "CacheTools", dependencies: ["CacheCore", "CachePolicies"], path: "Modules/CacheTools"),
        .target(name: "CacheTestKit", dependencies: ["CacheCore", .product(name: "Logging", package: "swift-log")], path: "Modules/CacheTestKit"),
        .systemLibrary(
            name: "CCacheSQLite", path: "Modules/CCacheSQLite",
            providers: [.apt(["libsqlite3-dev"]), .brew(["sqlite"])]
        ),
        .target(name: "CacheSQLite", dependencies: ["CCacheSQLite"], path: "Modules/CacheSQLite"),
        .target(
            name: "CacheDisk",
            dependencies: ["CacheCore", "CacheSQLite", .product(name: "Logging", package: "swift-log")],
            path: "Modules/CacheDisk", exclude: ["README.md"]
        ),
        .systemLibrary(
            name: "CZlib", path: "Modules/CZlib",
            providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]),
        // zlib for the backends that compress (CacheJoblib's arrays, CacheRedis's values).
        .target(name: "CacheCompression", dependencies: ["CacheCore", "CZlib"], path: "Modules/CacheCompression"),
        // glibc's mallinfo2() for `cachectl bench memory` (a header only; nothing is linked).
        .systemLibrary(name: "CMallocInfo", path: "Modules/CMallocInfo"),
        .target(name: "CacheJoblib", dependencies: ["CacheCore", "CacheSQLite", "CacheCompression", .product(name: "Logging", package: "swift-log")],
            path: "Modules/CacheJoblib"),
        .target(name: "CacheAutoSelect", dependencies: ["CacheCore", .product(name: "Logging", package: "swift-log")], path: "Modules/CacheAutoSelect"),
        .executableTarget(
            name: "cachectl",
            dependencies: [
                "CacheCore", "CacheFunctools", "CacheTools", "CacheJoblib", "CacheAutoSelect", "CacheDisk", "CacheSQLite", "CCacheSQLite",
                "CacheAsync", "CacheRedis", "CacheRESP",
                "CacheBox", "CacheKlepto", "CMallocInfo",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Modules/CacheCLI"
        ),
        // CacheAsync: the async store API, memory store, single-flight, refresh-ahead (CacheCore only).
        .target(name: "CacheAsync", dependencies: ["CacheCore", .product(name: "Logging", package: "swift-log")], path: "Modules/CacheAsync"),
        // CacheRESP: the Redis wire protocol alone (no dependencies, so the fuzzer builds it with swiftc).
        .target(name: "CacheRESP", path: "Modules/CacheRESP"),
        // CacheRedis: the only target that builds SwiftNIO.
        .target(
            name: "CacheRedis",
            dependencies: [
                "CacheCore", "CacheRESP", "CacheCompression",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Modules/CacheRedis"
        ),
        // A child process for the cross-process Redis tests.
        .executableTarget(name: "CacheRedisProbe", dependencies: ["CacheRedis", "CacheAsync", "CacheCore"], path: "Modules/CacheRedisProbe"),
        .testTarget(name: "CacheAsyncTests", dependencies: ["CacheAsync", "CacheCore", "CacheTestKit"], path: "Tests/CacheAsyncTests"),
        .testTarget(
            name: "CacheRedisTests",
            dependencies: [
                "CacheRedis", "CacheRESP", "CacheAsync", "CacheCore", "CacheTestKit", "CacheRedisProbe", "CacheAutoSelect",
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/CacheRedisTests"
        ),
        .plugin(
            name: "CacheCommand",
            capability: .command(
                intent: .custom(verb: "cache", description: "Run cachectl: replay traces, benchmark, inspect keys, demo.")),
            dependencies: ["cachectl"],
            path: "Plugins/CacheCommand"
        ),
        // CacheCoreTests build CacheCore and the test kit only (no backend, SwiftNIO or CLI);
        // tests that run cachectl live in CacheCLITests.
        .testTarget(name: "CacheCoreTests", dependencies: ["CacheCore", "CacheTestKit"], path: "Tests/CacheCoreTests"),
        .testTarget(
            name: "CacheCLITests", dependencies: ["cachectl", "CacheCore", "CacheTools", "CacheTestKit", "CacheDisk", "CacheJoblib", "CacheKlepto", "CacheSQLite"],
            path: "Tests/CacheCLITests"),
        .testTarget(name: "CacheToolsTests", dependencies: ["CacheTools", "CacheCore", "CacheTestKit"], path: "Tests/CacheToolsTests"),
        .testTarget(name: "CacheSQLiteTests", dependencies: ["CacheSQLite", "CCacheSQLite"], path: "Tests/CacheSQLiteTests"),
        .testTarget(
            name: "CacheDiskTests", dependencies: ["CacheDisk", "CacheCore", "CacheTestKit", "CacheSQLite", "cachectl"],
            path: "Tests/CacheDiskTests"
        ),
        .testTarget(name: "CacheCompressionTests", dependencies: ["CacheCompression", "CacheCore"], path: "Tests/CacheCompressionTests"),
        .testTarget(
            name: "CacheJoblibTests", dependencies: ["CacheJoblib", "CacheCore", "CacheTestKit", "CacheSQLite", "cachectl"],
            path: "Tests/CacheJoblibTests"),
        .testTarget(
            name: "CacheAutoSelectTests",
            dependencies: ["CacheAutoSelect", "CacheCore", "CacheFunctools", "CacheTools", "CacheBox", "CacheDisk", "CacheJoblib", "CacheRedis", "CacheAsync", "CacheSQLite", "CacheTestKit", "cachectl",
                           .product(name: "Logging", package: "swift-log")],
            path: "Tests/CacheAutoSelectTests"),
        // CacheMetrics: publishes any cache's CacheStats to swift-metrics (the only target that builds it).
        .target(
            name: "CacheMetrics",
            dependencies: ["CacheCore", .product(name: "CoreMetrics", package: "swift-metrics")],
            path: "Modules/CacheMetrics", exclude: ["README.md"]
        ),
        .testTarget(
            name: "CacheMetricsTests",
            dependencies: [
                "CacheMetrics", "CacheCore", "CacheTools", "CacheFunctools", "CacheAsync",
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ],
            path: "Tests/CacheMetricsTests"
        ),
        // CacheBox: the concurrent W-TinyLFU cache (sharded policy cores, timer-wheel expiry).
        .target(name: "CacheBox", dependencies: ["CacheCore", "CachePolicies"], path: "Modules/CacheBox"),
        .testTarget(name: "CacheBoxTests", dependencies: ["CacheBox", "CacheCore", "CacheTestKit"], path: "Tests/CacheBoxTests"),
        // CacheKlepto: archives (memory, directory, SQL table, single file) behind a policy front cache, with keymaps.
        .target(name: "CacheKlepto", dependencies: ["CacheCore", "CacheSQLite", "CachePolicies", .product(name: "Logging", package: "swift-log")], path: "Modules/CacheKlepto", exclude: ["README.md"]),
        // A child process for CacheKlepto's cross-process tests.
        .executableTarget(name: "CacheKleptoProbe", dependencies: ["CacheKlepto", "CacheCore"], path: "Modules/CacheKleptoProbe"),
        .testTarget(
            name: "CacheKleptoTests", dependencies: ["CacheKlepto", "CacheCore", "CacheTestKit", "CacheSQLite", "CacheKleptoProbe"],
            path: "Tests/CacheKleptoTests"),
        .testTarget(name: "CacheFunctoolsTests", dependencies: ["CacheFunctools", "CacheCore", "CacheTestKit"], path: "Tests/CacheFunctoolsTests"),
        // The fuzz checks for every reader of outside bytes, and the one fuzz binary that runs
        // them (Integration/Fuzz/run.sh builds it with libFuzzer; a normal build replays files).
        .target(
            name: "CacheFuzzChecks", dependencies: ["CacheCore", "CacheBox", "CacheKlepto", "CacheJoblib", "CacheRESP"],
            path: "Modules/CacheFuzzChecks"),
        .executableTarget(name: "CacheFuzz", dependencies: ["CacheFuzzChecks"], path: "Modules/CacheFuzz"),
        .testTarget(name: "CacheFuzzChecksTests", dependencies: ["CacheFuzzChecks"], path: "Tests/CacheFuzzChecksTests"),
    ]
)

// One settings loop for every target: Swift 6 mode is the tools-version default;
// every target also enables ExistentialAny.
for target in package.targets where target.type != .system && target.type != .plugin {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    target.swiftSettings = settings
}
