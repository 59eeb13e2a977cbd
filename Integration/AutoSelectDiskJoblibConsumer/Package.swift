// swift-tools-version:6.1
// A consumer that links CacheAutoSelect, CacheDisk and CacheJoblib (no memory engine).
// Runnable once the CacheDisk and CacheJoblib products are on main; until then
// Integration/run.sh reports it as skipped.
import PackageDescription

let package = Package(
    name: "AutoSelectDiskJoblibConsumer",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "swift-cache", path: "../..")],
    targets: [
        .testTarget(
            name: "ConsumerTests",
            dependencies: [
                .product(name: "CacheAutoSelect", package: "swift-cache"),
                .product(name: "CacheCore", package: "swift-cache"),
                .product(name: "CacheDisk", package: "swift-cache"),
                .product(name: "CacheJoblib", package: "swift-cache"),
            ],
            path: "Tests/ConsumerTests"),
    ]
)
