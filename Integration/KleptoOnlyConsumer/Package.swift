// swift-tools-version:6.1
// A consumer that links CacheKlepto only. Integration/run.sh checks that its build products
// contain no NIO or CLI objects and no other backend (CacheKlepto needs SQLite for its SQL
// table archive, and nothing else beyond CacheCore and the shared targets).
import PackageDescription

let package = Package(
    name: "KleptoOnlyConsumer",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "swift-cache", path: "../..")],
    targets: [
        .testTarget(
            name: "ConsumerTests",
            dependencies: [.product(name: "CacheKlepto", package: "swift-cache")],
            path: "Tests/ConsumerTests"),
    ]
)
