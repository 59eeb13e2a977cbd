import CacheCore
import Dispatch

/// The async face of a ``DiskStore``: every operation runs on the store's own dispatch
/// queue and resumes the caller through a continuation, so SQLite and file I/O never
/// block a thread of Swift's cooperative pool.
public struct AsyncDiskStore<Value: Codable & Sendable>: AsyncCacheStore {
    public typealias Key = CacheKey

    public let store: DiskStore<Value>
    /// CacheCore's adapter that runs each operation on `queue`.
    let offloaded: OffloadedAsyncStore<DiskStore<Value>>

    /// Wraps `store`; operations run on a concurrent queue (SQLite work is serialized by the
    /// cache's lock; value-file reads and writes overlap).
    public init(_ store: DiskStore<Value>, queue: DispatchQueue? = nil) {
        self.store = store
        self.offloaded = OffloadedAsyncStore(store, queue: queue, label: "swift-cache.disk.async")
    }

    func run<R: Sendable>(_ body: @escaping @Sendable () throws -> R) async throws -> R {
        try await offloaded.run { _ in try body() }
    }

    public func value(forKey key: CacheKey) async throws -> Value? { try await offloaded.value(forKey: key) }

    public func setValue(_ value: Value, forKey key: CacheKey, ttl: Duration?) async throws {
        try await offloaded.setValue(value, forKey: key, ttl: ttl)
    }

    @discardableResult
    public func removeValue(forKey key: CacheKey) async throws -> Value? { try await offloaded.removeValue(forKey: key) }

    public func contains(_ key: CacheKey) async throws -> Bool { try await offloaded.contains(key) }

    public func peekValue(forKey key: CacheKey) async throws -> Value? { try await offloaded.peekValue(forKey: key) }

    /// Live entries in the store's namespace (0 if the database cannot be read).
    public var count: Int { get async { await offloaded.count } }

    public func removeAll() async throws { try await offloaded.removeAll() }

    public func values(forKeys keys: [CacheKey]) async throws -> [CacheKey: Value] { try await offloaded.values(forKeys: keys) }

    public func setValues(_ entries: [CacheKey: Value], ttl: Duration?) async throws {
        try await offloaded.setValues(entries, ttl: ttl)
    }

    public var stats: CacheStats { get async { await offloaded.stats } }

    public var capabilities: CacheStoreCapabilities { store.capabilities }
}
