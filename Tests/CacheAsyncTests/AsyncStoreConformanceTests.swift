import CacheAsync
import CacheCore
import CacheTestKit
import Testing

/// CacheTestKit's async conformance suite over every async store of this module.
@Suite struct AsyncStoreConformanceTests {
    @Test func memoryStore() async throws {
        try await AsyncCacheConformance(
            makeStore: { capacity in try AsyncMemoryStore<Int, String>(maxEntries: capacity) },
            key: { $0 }, value: { "v\($0)" }
        ).run()
    }

    @Test func memoryStoreBoundedByBytes() async throws {
        // 16 entries of 8 bytes each: the byte bound is the binding one.
        try await AsyncCacheConformance(
            makeStore: { capacity in try AsyncMemoryStore<Int, [UInt8]>(maxEntries: nil, maxBytes: capacity.map { $0 * 8 }) },
            key: { $0 }, value: { i in (0..<8).map { UInt8(truncatingIfNeeded: i &+ $0) } }
        ).run()
    }

    @Test func namespacedMemoryStore() async throws {
        try await AsyncCacheConformance(
            makeStore: { capacity in try AsyncMemoryStore<NamespacedKey<String>, Int>(maxEntries: capacity) },
            key: { NamespacedKey(namespace: "ns", key: "k\($0)") }, value: { $0 * 3 }
        ).run()
    }

    @Test func serializingStoreOverMemory() async throws {
        try await AsyncCacheConformance(
            makeStore: { capacity in
                SerializingAsyncStore<AsyncMemoryStore<CacheKey, [UInt8]>, [Double]>(
                    base: try AsyncMemoryStore(maxEntries: capacity), serializer: NumericArraySerializer<Double>())
            },
            key: { try! CacheKey(name: "conf", arguments: $0) }, value: { [Double($0), 0.5] }
        ).runWithKeyChecks()
    }
}
