import CacheCore
import Synchronization

/// An in-memory ``AsyncCacheStore`` bounded by entry count and by bytes, with a
/// per-entry time to live and least-recently-used eviction.
///
/// Every operation completes without suspending: the state sits behind a `Mutex`,
/// never an actor, so a hit costs one lock and one hash lookup. Expired entries are
/// dropped when read and before any entry is evicted for size.
///
/// ```swift
/// let store = try AsyncMemoryStore<String, Data>(maxEntries: 10_000, maxBytes: 64 << 20, defaultTTL: .seconds(60))
/// try await store.setValue(data, forKey: "user:42")
/// ```
public final class AsyncMemoryStore<Key: Hashable & Sendable, Value: Sendable>: AsyncCacheStore, Sendable {
    public typealias Weigher = @Sendable (Key, Value) -> Int

    /// The most entries held at once (`nil`: unbounded by count).
    public let maxEntries: Int?
    /// The most bytes (as ``weigher`` counts them) held at once (`nil`: unbounded by bytes).
    public let maxBytes: Int?
    /// The time to live of entries stored with `ttl: nil`.
    public let defaultTTL: Duration?
    @usableFromInline let clock: any CacheClock
    @usableFromInline let weigher: Weigher?
    @usableFromInline let onRemoval: RemovalListener<Key, Value>?
    @usableFromInline let state = Mutex(LRUTable<Key, Value>())

    /// - Parameters:
    ///   - maxEntries: the count bound; `nil` for none.
    ///   - maxBytes: the byte bound; `nil` for none. Entries are weighed with `weigher`,
    ///     or by default with ``cacheDefaultWeight(_:_:)`` (bytes of strings, byte arrays and
    ///     numeric arrays; the inline size of anything else).
    ///   - defaultTTL: the time to live of entries stored without one.
    ///   - clock: the time source for expiry (inject `ManualCacheClock` in tests).
    ///   - onRemoval: called, outside the lock, with every entry that leaves the store.
    /// - Throws: ``CacheConfigurationError`` for a negative bound or a non-positive TTL.
    public init(
        maxEntries: Int? = 10_000, maxBytes: Int? = nil, defaultTTL: Duration? = nil,
        clock: any CacheClock = MonotonicCacheClock(), weigher: Weigher? = nil,
        onRemoval: RemovalListener<Key, Value>? = nil
    ) throws(CacheConfigurationError) {
        if let maxEntries { try CacheConfiguration.checkSize(maxEntries, setting: "maxEntries") }
        if let maxBytes { try CacheConfiguration.checkSize(maxBytes, setting: "maxBytes") }
        if let defaultTTL { try CacheConfiguration.checkTTL(defaultTTL, setting: "defaultTTL") }
        self.maxEntries = maxEntries
        self.maxBytes = maxBytes
        self.defaultTTL = defaultTTL
        self.clock = clock
        self.weigher = weigher
        self.onRemoval = onRemoval
    }

    public var capabilities: CacheStoreCapabilities {
        maxBytes == nil ? [.inMemory, .perEntryTTL] : [.inMemory, .perEntryTTL, .weighted]
    }

    // MARK: Synchronous core (the async API calls these; they never suspend)

    /// The live value for `key`, counting a hit or a miss and marking it recently used.
    /// - Complexity: O(1).
    @inlinable
    public func valueNow(forKey key: Key) -> Value? {
        let (value, expired) = state.withLock { table -> (Value?, LRUTable<Key, Value>.Slot?) in
            guard let i = table.index[key] else {
                table.stats.misses += 1
                return (nil, nil)
            }
            let slot = table.slots[i].unsafelyUnwrapped
            if table.anyTTL, slot.expiresAt < .infinity, clock.hasReached(slot.expiresAt) {
                table.remove(at: i)
                table.stats.misses += 1
                table.stats.recordRemoval(.expired)
                return (nil, slot)
            }
            table.stats.hits += 1
            table.touch(i)
            return (slot.value, nil)
        }
        if let expired, let onRemoval { onRemoval(expired.key, expired.value, .expired) }
        return value
    }

    /// The live value for `key` without counting or touching recency.
    public func peekValue(forKey key: Key) -> Value? {
        let now = clock.now()
        return state.withLock { table in
            guard let i = table.index[key], let slot = table.slots[i], slot.expiresAt > now else { return nil }
            return slot.value
        }
    }

    /// Stores `value` (replacing any entry), then evicts expired and least recently used
    /// entries until both bounds hold.
    /// - Throws: ``CacheStoreError`` `.itemTooLarge` when the value alone exceeds `maxBytes`
    ///   (or `maxEntries` is 0); nothing is stored then.
    /// - Complexity: O(1) amortized, plus O(evicted entries).
    public func setValueNow(_ value: Value, forKey key: Key, ttl: Duration? = nil) throws(CacheStoreError) {
        let weight = maxBytes == nil ? 0 : (weigher?(key, value) ?? cacheDefaultWeight(key, value))
        if let maxBytes, weight > maxBytes {
            throw CacheStoreError(.itemTooLarge, key: cacheDescribeKey(key), detail: "weighs \(weight) bytes; the store holds at most \(maxBytes)")
        }
        if maxEntries == 0 {
            throw CacheStoreError(.itemTooLarge, key: cacheDescribeKey(key), detail: "the store holds 0 entries")
        }
        if let ttl, ttl <= .zero {
            throw CacheStoreError(.unsupported, key: cacheDescribeKey(key), detail: "ttl \(ttl) must be > 0")
        }
        let effectiveTTL = ttl ?? defaultTTL
        let now = clock.now()
        let expiresAt = effectiveTTL.map { now + $0.cacheSeconds } ?? .infinity
        var removed: [(Key, Value, RemovalCause)] = []
        state.withLock { table in
            if let old = table.insert(key, value, expiresAt: expiresAt, weight: weight), onRemoval != nil {
                removed.append((old.key, old.value, .replaced))
            }
            evictIfNeeded(&table, now: now, removed: &removed)
        }
        notify(removed)
    }

    @usableFromInline
    func evictIfNeeded(_ table: inout LRUTable<Key, Value>, now: Double, removed: inout [(Key, Value, RemovalCause)]) {
        func overBound() -> Bool {
            (maxEntries.map { table.count > $0 } ?? false) || (maxBytes.map { table.bytes > $0 } ?? false)
        }
        guard overBound() else { return }
        // Expired entries go first: sweep them all once we must evict anyway.
        if table.anyTTL {
            var i = table.tail
            while i >= 0 {
                let before = table.prev[i]
                if let slot = table.slots[i], slot.expiresAt <= now {
                    table.remove(at: i)
                    table.stats.recordRemoval(.expired)
                    if onRemoval != nil { removed.append((slot.key, slot.value, .expired)) }
                }
                i = before
            }
        }
        while overBound(), table.leastRecent >= 0 {
            let slot = table.remove(at: table.leastRecent)
            table.stats.recordRemoval(.size)
            if onRemoval != nil { removed.append((slot.key, slot.value, .size)) }
        }
    }

    /// Removes the entry for `key`; returns its value.
    @discardableResult
    public func removeValueNow(forKey key: Key) -> Value? {
        let slot = state.withLock { table -> LRUTable<Key, Value>.Slot? in
            guard let i = table.index[key] else { return nil }
            return table.remove(at: i)
        }
        guard let slot else { return nil }
        onRemoval?(slot.key, slot.value, .explicit)
        return slot.expiresAt > clock.now() ? slot.value : nil
    }

    /// Removes every entry whose key matches; returns how many.
    /// - Complexity: O(entries).
    @discardableResult
    public func removeAllNow(where matches: (Key) -> Bool) -> Int {
        var removed: [(Key, Value, RemovalCause)] = []
        let count = state.withLock { table -> Int in
            var n = 0
            for i in table.slots.indices {
                if let slot = table.slots[i], matches(slot.key) {
                    table.remove(at: i)
                    n += 1
                    if onRemoval != nil { removed.append((slot.key, slot.value, .explicit)) }
                }
            }
            return n
        }
        notify(removed)
        return count
    }

    /// Removes every entry.
    public func removeAllNow() {
        let old = state.withLock { table -> LRUTable<Key, Value> in
            var fresh = LRUTable<Key, Value>()
            fresh.stats = table.stats
            fresh.stats.count = 0
            fresh.stats.bytes = 0
            swap(&fresh, &table)
            return fresh
        }
        if let onRemoval {
            for slot in old.slots { if let slot { onRemoval(slot.key, slot.value, .cleared) } }
        }
    }

    /// Drops every expired entry now (reads drop them lazily anyway); returns how many.
    @discardableResult
    public func purgeExpired() -> Int {
        let now = clock.now()
        var removed: [(Key, Value, RemovalCause)] = []
        let count = state.withLock { table -> Int in
            var n = 0
            for i in table.slots.indices {
                if let slot = table.slots[i], slot.expiresAt <= now {
                    table.remove(at: i)
                    table.stats.recordRemoval(.expired)
                    n += 1
                    if onRemoval != nil { removed.append((slot.key, slot.value, .expired)) }
                }
            }
            return n
        }
        notify(removed)
        return count
    }

    /// Entries held now (expired entries not yet dropped included).
    public var count: Int { state.withLock { $0.count } }

    /// A snapshot of the counters.
    public var statsNow: CacheStats {
        state.withLock { table in
            var s = table.stats
            s.count = table.count
            s.bytes = table.bytes
            return s
        }
    }

    func notify(_ removed: [(Key, Value, RemovalCause)]) {
        guard let onRemoval else { return }
        for (k, v, cause) in removed { onRemoval(k, v, cause) }
    }

    // MARK: AsyncCacheStore

    @inlinable
    public func value(forKey key: Key) async throws -> Value? { valueNow(forKey: key) }

    public func setValue(_ value: Value, forKey key: Key, ttl: Duration?) async throws {
        try setValueNow(value, forKey: key, ttl: ttl)
    }

    @discardableResult
    public func removeValue(forKey key: Key) async throws -> Value? { removeValueNow(forKey: key) }

    public func contains(_ key: Key) -> Bool { peekValue(forKey: key) != nil }

    public func removeAll() async throws { removeAllNow() }

    public func values(forKeys keys: [Key]) async throws -> [Key: Value] {
        var found: [Key: Value] = [:]
        for key in keys { if let v = valueNow(forKey: key) { found[key] = v } }
        return found
    }

    public func setValues(_ entries: [Key: Value], ttl: Duration?) async throws {
        for (key, value) in entries { try setValueNow(value, forKey: key, ttl: ttl) }
    }

    public var stats: CacheStats { get async { statsNow } }
}

extension AsyncMemoryStore: NamespaceClearingStore where Key: NamespacedKeyProtocol {
    @discardableResult
    public func removeAll(inNamespace namespace: String) async throws -> Int {
        removeAllNow { $0.cacheNamespace == namespace }
    }
}

/// Keys that carry a namespace (``NamespacedKey``, CacheCore's `CacheKey`).
public protocol NamespacedKeyProtocol: Hashable, Sendable {
    var cacheNamespace: String { get }
}

extension NamespacedKey: NamespacedKeyProtocol {
    public var cacheNamespace: String { namespace }
}

extension CacheKey: NamespacedKeyProtocol {
    public var cacheNamespace: String { namespace }
}
