// swift-tools-version:6.1
// A consumer that links CacheAutoSelect and CacheTools only. Integration/run.sh
// checks that its build products contain no SQLite, NIO or CLI objects.
import PackageDescription

let package = Package(
    name: "AutoSelectToolsConsumer",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "swift-cache", path: "../..")],
    targets: [
        .testTarget(
            name: "ConsumerTests",
            dependencies: [
                .product(name: "CacheAutoSelect", package: "swift-cache"),
                .product(name: "CacheCore", package: "swift-cache"),
                .product(name: "CacheTools", package: "swift-cache"),
            ],
            path: "Tests/ConsumerTests"),
    ]
)
