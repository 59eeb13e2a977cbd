import CacheCore
import Synchronization

/// One cache, two tiers, decided per result: values smaller than ``threshold`` bytes
/// live in a memory engine, larger ones in a disk engine.
///
/// - Lookups try memory first, then disk; ``tierStats`` and ``valueWithTier(forKey:)``
///   say which tier served each hit.
/// - A key never lives in both tiers with different values: a write removes the key
///   from the other tier before writing its own, and writes to one key are serialized
///   (striped locks, never held while user code runs). A reader racing a move sees the
///   old value, the new one, or a miss — never a stale value after the write returned.
public final class HybridCache<Value: Codable & Sendable>: CacheStore {
    public typealias Key = CacheKey

    public let memory: AnyCacheStore<CacheKey, Value>
    public let disk: AnyCacheStore<CacheKey, Value>
    /// Results of at least this many bytes go to disk.
    public let threshold: Int
    public let estimator: CacheSizeEstimator
    /// How each tier was chosen, when the chain chose it.
    public let memoryExplanation: SelectionExplanation?
    public let diskExplanation: SelectionExplanation?

    private let stripes: [KeyStripe]
    private let counters = Mutex(HybridStats())

    final class KeyStripe: Sendable {
        let lock = Mutex(())
    }

    /// A hybrid over two stores you made.
    /// - Throws: ``CacheConfigurationError`` for a negative threshold.
    public init(
        memory: any CacheStore<CacheKey, Value>, disk: any CacheStore<CacheKey, Value>, threshold: Int,
        estimator: CacheSizeEstimator = .standard,
        memoryExplanation: SelectionExplanation? = nil, diskExplanation: SelectionExplanation? = nil
    ) throws(CacheConfigurationError) {
        try CacheConfiguration.checkSize(threshold, setting: "threshold")
        self.memory = memory as? AnyCacheStore<CacheKey, Value> ?? AnyCacheStore(memory)
        self.disk = disk as? AnyCacheStore<CacheKey, Value> ?? AnyCacheStore(disk)
        self.threshold = threshold
        self.estimator = estimator
        self.memoryExplanation = memoryExplanation
        self.diskExplanation = diskExplanation
        self.stripes = (0..<64).map { _ in KeyStripe() }
    }

    /// A hybrid whose tiers the chain picks: the memory tier for ephemeral values below
    /// `threshold`, the disk tier for values above it with `persistence`.
    public static func selecting(
        _ valueType: Value.Type = Value.self, threshold: Int = 1024 * 1024, persistence: CachePersistence = .session,
        namespace: String? = nil, directory: String? = nil, registry: CacheRegistry = .shared, chain: StrategyChain = .shared
    ) throws -> HybridCache {
        let below = max(0, threshold - 1)
        let memoryTier = try AutoSelect.makeStore(
            for: DataDescription(valueType, size: below, hints: .init(persistence: .ephemeral)),
            of: valueType, registry: registry, chain: chain, namespace: namespace)
        let diskTier = try AutoSelect.makeStore(
            for: DataDescription(valueType, size: max(threshold, CacheSizeClass.largeLowerBound), hints: .init(persistence: persistence)),
            of: valueType, registry: registry, chain: chain, namespace: namespace, directory: directory)
        return try HybridCache(memory: memoryTier.store, disk: diskTier.store, threshold: threshold,
                               memoryExplanation: memoryTier.explanation, diskExplanation: diskTier.explanation)
    }

    private func stripe(_ key: CacheKey) -> KeyStripe {
        stripes[Int(truncatingIfNeeded: UInt(bitPattern: key.hashValue) % UInt(stripes.count))]
    }

    /// The tier a value of `value`'s size goes to.
    public func tier(for value: Value) -> HybridTier {
        estimator.estimate(value).bytes < threshold ? .memory : .disk
    }

    /// The value and the tier that served it.
    public func valueWithTier(forKey key: CacheKey) throws -> (value: Value, tier: HybridTier)? {
        if let v = try memory.value(forKey: key) {
            counters.withLock { $0.memoryHits += 1 }
            return (v, .memory)
        }
        if let v = try disk.value(forKey: key) {
            counters.withLock { $0.diskHits += 1 }
            return (v, .disk)
        }
        counters.withLock { $0.misses += 1 }
        return nil
    }

    public func value(forKey key: CacheKey) throws -> Value? { try valueWithTier(forKey: key)?.value }

    /// Stores `value` in the tier its size selects, removing the key from the other tier first.
    public func setValue(_ value: Value, forKey key: CacheKey, ttl: Duration?) throws {
        let target = tier(for: value)
        let (into, other) = target == .memory ? (memory, disk) : (disk, memory)
        try stripe(key).lock.withLock { _ in
            try other.removeValue(forKey: key)
            try into.setValue(value, forKey: key, ttl: ttl)
        }
        counters.withLock { if target == .memory { $0.storedInMemory += 1 } else { $0.storedOnDisk += 1 } }
    }

    @discardableResult
    public func removeValue(forKey key: CacheKey) throws -> Value? {
        try stripe(key).lock.withLock { _ in
            let m = try memory.removeValue(forKey: key)
            let d = try disk.removeValue(forKey: key)
            return m ?? d
        }
    }

    public func removeAll() throws {
        try memory.removeAll()
        try disk.removeAll()
    }

    public func contains(_ key: CacheKey) throws -> Bool { try memory.contains(key) || disk.contains(key) }

    public func peekValue(forKey key: CacheKey) throws -> Value? {
        if let v = try memory.peekValue(forKey: key) { return v }
        return try disk.peekValue(forKey: key)
    }

    /// The tier holding `key` now, without counting a lookup.
    public func tier(holding key: CacheKey) throws -> HybridTier? {
        if try memory.contains(key) { return .memory }
        if try disk.contains(key) { return .disk }
        return nil
    }

    public var count: Int { memory.count + disk.count }

    /// Hits of either tier, misses of both; evictions, count and bytes of both tiers.
    public var stats: CacheStats {
        let t = tierStats
        var s = CacheStats()
        s.hits = t.memoryHits + t.diskHits
        s.misses = t.misses
        for (cause, n) in t.memory.evictions { s.evictions[cause, default: 0] += n }
        for (cause, n) in t.disk.evictions { s.evictions[cause, default: 0] += n }
        s.count = t.memory.count + t.disk.count
        s.bytes = t.memory.bytes + t.disk.bytes
        s.decodeFailures = t.memory.decodeFailures + t.disk.decodeFailures
        return s
    }

    /// Per-tier counters.
    public var tierStats: HybridStats {
        var t = counters.withLock { $0 }
        t.memory = memory.stats
        t.disk = disk.stats
        return t
    }

    /// What both tiers can do.
    public var capabilities: CacheStoreCapabilities { memory.capabilities.intersection(disk.capabilities) }
}

/// Memoizes `function` over a ``HybridCache`` whose tiers the chain picks for `Value`.
public func hybridMemoize<each Arg: Encodable & SendableMetatype, Value: Codable & Sendable>(
    name: String, version: String? = nil, threshold: Int = 1024 * 1024, persistence: CachePersistence = .session,
    registry: CacheRegistry = .shared, chain: StrategyChain = .shared, directory: String? = nil,
    options: MemoizeOptions<Value> = .init(), _ function: @escaping @Sendable (repeat each Arg) throws -> Value
) throws -> Memoized<HybridCache<Value>, repeat each Arg> {
    let cache = try HybridCache<Value>.selecting(
        threshold: threshold, persistence: persistence, namespace: CacheKey.namespace(name: name, version: version),
        directory: directory, registry: registry, chain: chain)
    return try Memoized(store: cache, name: name, version: version, options: options, function)
}
