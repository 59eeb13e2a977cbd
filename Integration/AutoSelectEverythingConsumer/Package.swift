// swift-tools-version:6.1
// A consumer that links every backend product. Runnable once CacheTools, CacheDisk,
// CacheJoblib, CacheAsync and CacheRedis are on main; until then Integration/run.sh
// reports it as skipped.
import PackageDescription

let package = Package(
    name: "AutoSelectEverythingConsumer",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "swift-cache", path: "../..")],
    targets: [
        .testTarget(
            name: "ConsumerTests",
            dependencies: [
                .product(name: "CacheAutoSelect", package: "swift-cache"),
                .product(name: "CacheCore", package: "swift-cache"),
                .product(name: "CacheFunctools", package: "swift-cache"),
                .product(name: "CacheTools", package: "swift-cache"),
                .product(name: "CacheDisk", package: "swift-cache"),
                .product(name: "CacheJoblib", package: "swift-cache"),
                .product(name: "CacheAsync", package: "swift-cache"),
                .product(name: "CacheRedis", package: "swift-cache"),
            ],
            path: "Tests/ConsumerTests"),
    ]
)
