// swift-tools-version:6.1
// A consumer that links CacheBox only. Integration/run.sh checks that its build products
// contain no SQLite, NIO or CLI objects, and no other backend: CacheBox depends on CacheCore
// and the shared policy target alone.
import PackageDescription

let package = Package(
    name: "BoxOnlyConsumer",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "swift-cache", path: "../..")],
    targets: [
        .testTarget(
            name: "ConsumerTests",
            dependencies: [.product(name: "CacheBox", package: "swift-cache")],
            path: "Tests/ConsumerTests"),
    ]
)
