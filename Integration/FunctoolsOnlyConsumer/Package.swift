// swift-tools-version:6.1
// A consumer that links CacheFunctools only. Integration/run.sh checks that its build
// products contain no SQLite, NIO or CLI objects: CacheCore stays lean.
import PackageDescription

let package = Package(
    name: "FunctoolsOnlyConsumer",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "swift-cache", path: "../..")],
    targets: [
        .testTarget(
            name: "ConsumerTests",
            dependencies: [.product(name: "CacheFunctools", package: "swift-cache")],
            path: "Tests/ConsumerTests"),
    ]
)
