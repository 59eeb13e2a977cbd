import Dispatch

/// A synchronous store whose operations may block on I/O (files, SQLite), seen through
/// the asynchronous contract: each operation runs on a dispatch queue and the caller
/// suspends until it finishes, so no thread of the cooperative pool ever blocks on a disk.
///
/// CacheDisk's `AsyncDiskStore` and CacheKlepto's async stores are this adapter.
public struct OffloadedAsyncStore<Base: CacheStore>: AsyncCacheStore {
    public typealias Key = Base.Key
    public typealias Value = Base.Value

    /// The store the operations run on.
    public let base: Base
    /// Where they run.
    public let queue: DispatchQueue

    /// Wraps `base`; operations run on `queue` (a new concurrent queue by default: the
    /// store serializes what must be serialized itself).
    public init(_ base: Base, queue: DispatchQueue? = nil, label: String = "swift-cache.offloaded") {
        self.base = base
        self.queue = queue ?? DispatchQueue(label: label, qos: .userInitiated, attributes: .concurrent)
    }

    /// Runs `body` on the queue and returns its result to the suspended caller.
    public func run<R: Sendable>(_ body: @escaping @Sendable (Base) throws -> R) async throws -> R {
        let base = self.base
        return try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body(base) }) }
        }
    }

    public func value(forKey key: Key) async throws -> Value? { try await run { try $0.value(forKey: key) } }

    public func setValue(_ value: Value, forKey key: Key, ttl: Duration?) async throws {
        try await run { try $0.setValue(value, forKey: key, ttl: ttl) }
    }

    @discardableResult
    public func removeValue(forKey key: Key) async throws -> Value? { try await run { try $0.removeValue(forKey: key) } }

    public func contains(_ key: Key) async throws -> Bool { try await run { try $0.contains(key) } }

    public func peekValue(forKey key: Key) async throws -> Value? { try await run { try $0.peekValue(forKey: key) } }

    /// Live entries (0 when the store cannot say).
    public var count: Int { get async { (try? await run { $0.count }) ?? 0 } }

    public func removeAll() async throws { try await run { try $0.removeAll() } }

    /// Every key read in one trip to the queue.
    public func values(forKeys keys: [Key]) async throws -> [Key: Value] {
        try await run { base in
            var found: [Key: Value] = [:]
            for key in keys { if let value = try base.value(forKey: key) { found[key] = value } }
            return found
        }
    }

    /// Every entry written in one trip to the queue.
    public func setValues(_ entries: [Key: Value], ttl: Duration?) async throws {
        try await run { base in for (key, value) in entries { try base.setValue(value, forKey: key, ttl: ttl) } }
    }

    public var stats: CacheStats { get async { (try? await run { $0.stats }) ?? CacheStats() } }

    public var capabilities: CacheStoreCapabilities { base.capabilities.union([.asyncStores]) }
}
