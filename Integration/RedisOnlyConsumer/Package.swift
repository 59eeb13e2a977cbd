// swift-tools-version:6.1
// A consumer that links CacheRedis only. Integration/run.sh checks that its build
// products contain no CacheAsync (or SQLite, or CLI) objects: a backend depends on
// CacheCore's contracts, never on another backend.
import PackageDescription

let package = Package(
    name: "RedisOnlyConsumer",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "swift-cache", path: "../..")],
    targets: [
        .testTarget(
            name: "ConsumerTests",
            dependencies: [
                .product(name: "CacheRedis", package: "swift-cache"),
                .product(name: "CacheCore", package: "swift-cache"),
            ],
            path: "Tests/ConsumerTests"),
    ]
)
