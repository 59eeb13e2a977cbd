import CacheCore
import Dispatch

/// The async face of a ``DiskStore``: every operation runs on the store's own dispatch
/// queue and resumes the caller through a continuation, so SQLite and file I/O never
/// block a thread of Swift's cooperative pool.
public struct AsyncDiskStore<Value: Codable & Sendable>: AsyncCacheStore {
    public typealias Key = CacheKey

    public let store: DiskStore<Value>
    let queue: DispatchQueue

    /// Wraps `store`; operations run on a concurrent queue (SQLite work is serialized by the
    /// cache's lock; value-file reads and writes overlap).
    public init(_ store: DiskStore<Value>, queue: DispatchQueue? = nil) {
        self.store = store
        self.queue = queue ?? DispatchQueue(label: "swift-cache.disk.async", qos: .userInitiated, attributes: .concurrent)
    }

    func run<R: Sendable>(_ body: @escaping @Sendable () throws -> R) async throws -> R {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body() }) }
        }
    }

    public func value(forKey key: CacheKey) async throws -> Value? {
        let store = self.store
        return try await run { try store.value(forKey: key) }
    }

    public func setValue(_ value: Value, forKey key: CacheKey, ttl: Duration?) async throws {
        let store = self.store
        try await run { try store.setValue(value, forKey: key, ttl: ttl) }
    }

    @discardableResult
    public func removeValue(forKey key: CacheKey) async throws -> Value? {
        let store = self.store
        return try await run { try store.removeValue(forKey: key) }
    }

    public func contains(_ key: CacheKey) async throws -> Bool {
        let store = self.store
        return try await run { try store.contains(key) }
    }

    public func peekValue(forKey key: CacheKey) async throws -> Value? {
        let store = self.store
        return try await run { try store.peekValue(forKey: key) }
    }

    /// Live entries in the store's namespace (0 if the database cannot be read).
    public var count: Int {
        get async {
            let store = self.store
            return (try? await run { store.count }) ?? 0
        }
    }

    public func removeAll() async throws {
        let store = self.store
        try await run { try store.removeAll() }
    }

    public func values(forKeys keys: [CacheKey]) async throws -> [CacheKey: Value] {
        let store = self.store
        return try await run {
            var found: [CacheKey: Value] = [:]
            for key in keys { if let value = try store.value(forKey: key) { found[key] = value } }
            return found
        }
    }

    public func setValues(_ entries: [CacheKey: Value], ttl: Duration?) async throws {
        let store = self.store
        try await run { for (key, value) in entries { try store.setValue(value, forKey: key, ttl: ttl) } }
    }

    public var stats: CacheStats {
        get async {
            let store = self.store
            return (try? await run { store.stats }) ?? CacheStats()
        }
    }

    public var capabilities: CacheStoreCapabilities { store.capabilities }
}
