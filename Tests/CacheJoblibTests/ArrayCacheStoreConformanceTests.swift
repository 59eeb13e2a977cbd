import CacheCore
import CacheJoblib
import CacheTestKit
import Synchronization
import Testing

@Suite struct ArrayCacheStoreConformanceTests {
    /// Each store gets a fresh directory; the directories are removed when the test ends.
    final class Directories: Sendable {
        let made = Mutex<[TemporaryDirectory]>([])
        func next() -> String {
            let dir = TemporaryDirectory("conformance")
            made.withLock { $0.append(dir) }
            return dir.path
        }
        deinit { made.withLock { $0.forEach { $0.cleanup() } } }
    }

    @Test func arrayValues() throws {
        let dirs = Directories()
        try CacheConformance(
            makeStore: { capacity in
                ArrayCacheStore<ShapedArray<Double>>(cache: try ArrayCache(
                    directory: dirs.next(), options: ArrayCacheOptions(itemsLimit: capacity)))
            },
            key: { try! CacheKey(name: "conformance-arrays", arguments: $0) },
            value: { try! ShapedArray([Double($0), Double($0) * 0.5, -1], shape: [3]) }
        ).runWithKeyChecks()
    }

    @Test func codableValuesCompressed() throws {
        let dirs = Directories()
        try CacheConformance(
            makeStore: { capacity in
                ArrayCacheStore<String>(codableValuesIn: try ArrayCache(
                    directory: dirs.next(), options: ArrayCacheOptions(compression: .zlib(level: 1), itemsLimit: capacity)))
            },
            key: { try! CacheKey(name: "conformance-values", arguments: $0) },
            value: { "value \($0)" }
        ).runWithKeyChecks()
    }

    @Test func engineRegistersAndMakesStores() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let registry = CacheRegistry()
        CacheJoblibEngine.register(in: registry)
        #expect(registry.isRegistered("CacheJoblib"))
        let configuration = try CacheConfiguration(directory: dir.path, options: ["compression": "zlib:3", "loadMode": "mmap"])
        let arrays = try registry.makeStore(engine: CacheJoblibEngine.id, of: ShapedArray<Float>.self, configuration: configuration)
        let key = try CacheKey(name: "engine", arguments: 1)
        try arrays.setValue(try ShapedArray([1, 2, 3, 4] as [Float], shape: [2, 2]), forKey: key)
        #expect(try arrays.value(forKey: key)?.shape == [2, 2])
        #expect(arrays.capabilities.contains(.persistent))
        // Non-array values live in the same directory through CacheCore serializers.
        let scalars = try registry.makeStore(engine: CacheJoblibEngine.id, of: Double.self, configuration: configuration)
        try scalars.setValue(2.5, forKey: CacheKey(name: "engine", arguments: 2))
        #expect(try scalars.value(forKey: CacheKey(name: "engine", arguments: 2)) == 2.5)
        #expect(scalars.count == 2)
        let entry = try #require(try ArrayCache(directory: dir.path).entry(forKey: key))
        #expect(entry.compression == "zlib" && entry.compressionLevel == 3)

        for bad in [
            try CacheConfiguration(options: [:]),
            try CacheConfiguration(directory: dir.path, options: ["compression": "lz4"]),
            try CacheConfiguration(directory: dir.path, options: ["loadMode": "sometimes"]),
            try CacheConfiguration(directory: dir.path, options: ["bytesLimit": "lots"]),
            try CacheConfiguration(directory: dir.path, options: ["colour": "blue"]),
            try CacheConfiguration(ttl: .seconds(5), directory: dir.path),
            try CacheConfiguration(policy: .lfu, directory: dir.path),
        ] {
            #expect(throws: CacheConfigurationError.self, "\(bad)") {
                _ = try registry.makeStore(engine: CacheJoblibEngine.id, of: Double.self, configuration: bad)
            }
        }
        #expect(throws: CacheStoreError.self) { try scalars.setValue(1, forKey: key, ttl: .seconds(1)) }
    }

    /// Two stores over one directory with different namespaces keep equal keys apart, and
    /// each one's `removeAll()` and `count` cover its own namespace only (before, a namespaced
    /// store's `removeAll()` emptied the whole directory).
    @Test func namespacesShareADirectoryWithoutTouchingEachOther() throws {
        let dir = TemporaryDirectory("namespaces")
        defer { dir.cleanup() }
        let cache = try ArrayCache(directory: dir.path)
        let a = ArrayCacheStore<ShapedArray<Double>>(cache: cache, namespace: "a")
        let b = ArrayCacheStore<ShapedArray<Double>>(cache: cache, namespace: "b")
        let plain = ArrayCacheStore<ShapedArray<Double>>(cache: cache)
        let key = try CacheKey(name: "f", arguments: 1)
        try a.setValue(try ShapedArray([1], shape: [1]), forKey: key)
        try b.setValue(try ShapedArray([2], shape: [1]), forKey: key)
        try b.setValue(try ShapedArray([3], shape: [1]), forKey: CacheKey(name: "f", arguments: 2))
        #expect(try a.value(forKey: key)?.elements == [1])
        #expect(try b.value(forKey: key)?.elements == [2])
        #expect(try plain.value(forKey: key) == nil)
        #expect(a.count == 1 && b.count == 2 && plain.count == 3)
        #expect(try cache.entries().map(\.namespace).sorted() == ["a/f", "b/f", "b/f"])

        try a.removeAll()
        #expect(a.count == 0 && b.count == 2)
        #expect(try b.value(forKey: key)?.elements == [2])
        #expect(try b.removeValue(forKey: key)?.elements == [2])
        #expect(try !b.contains(key) && b.count == 1)

        // A key that already carries the store's namespace (what memoize(name:version:)
        // writes through the store chosen for it) is kept as it is: no doubled namespace.
        let own = ArrayCacheStore<ShapedArray<Double>>(cache: cache, namespace: "f@1")
        let memoKey = try CacheKey(name: "f", version: "1", arguments: 9)
        try own.setValue(try ShapedArray([9], shape: [1]), forKey: memoKey)
        #expect(try cache.entry(forKey: memoKey)?.namespace == "f@1")
    }

    /// A name with `/` would share keys with a namespaced store's function: refused.
    @Test func slashInANameIsRefused() throws {
        #expect(throws: CacheConfigurationError.self) { try CacheKey.validateName("a/b") }
        try CacheKey.validateName("a.b-c")
    }
}
