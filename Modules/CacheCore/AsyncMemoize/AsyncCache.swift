import Logging
import Synchronization

/// An async cache over any ``AsyncCacheStore``: get/set/remove, bulk operations, and
/// `value(forKey:orLoad:)` with single-flight, refresh-ahead, stale-if-error and stats.
///
/// With CacheAsync's memory store (any ``AsyncCacheStore`` will do: Redis, disk, a registry engine's):
/// ```swift
/// let store = try AsyncMemoryStore<String, AsyncCacheEntry<User>>(maxEntries: 50_000)
/// let users = try AsyncCache(store: store, options: .init(ttl: .seconds(60), refreshAfter: .seconds(45)))
/// let user = try await users.value(forKey: "42") { try await api.fetchUser(42) }
/// ```
///
/// A hit is one call into the store (for CacheAsync's `AsyncMemoryStore`, one lock, no actor hop).
/// Concurrent misses of one key run the loader once (single-flight across tasks); a failing
/// load reaches every waiter and is not cached unless `failureTTL` asks for it. A store
/// that fails to read or write never fails the call: a read failure is a miss, a write
/// failure is counted, logged and handed to `onStoreFailure`, and the value is returned.
public final class AsyncCache<Store: AsyncCacheStore, Value: Sendable>: Sendable where Store.Value == AsyncCacheEntry<Value> {
    public typealias Key = Store.Key

    /// The store holding the entries.
    public let store: Store
    public let options: AsyncCacheOptions<Value>
    /// The name used in logs.
    public let name: String
    @usableFromInline let clock: any CacheClock
    @usableFromInline let checksTime: Bool
    @usableFromInline let refreshAfterSeconds: Double?
    let flights = AsyncSingleFlight<Key, Value>()
    let refreshing = Mutex<Set<Key>>([])
    let counters = Mutex(CacheStats())
    let extra = Mutex(AsyncCacheRefreshStats())
    let failures = Mutex<[Key: (error: any Error, until: Double)]>([:])
    /// The store's cross-process load coordination (``ExclusiveLoadingStore``), when it
    /// offers one — directly or wrapped in ``AnyAsyncCacheStore``.
    let exclusiveStore: (any ExclusiveLoadingStore<Key, AsyncCacheEntry<Value>>)?

    /// - Parameters:
    ///   - clock: stamps entries for refresh-ahead and stale-if-error. Wall-clock time by
    ///     default, so processes sharing a store agree; inject `ManualCacheClock` in tests.
    /// - Throws: ``CacheConfigurationError`` for options that cannot work.
    public init(
        store: Store, name: String = "async-cache", options: AsyncCacheOptions<Value> = .init(),
        clock: any CacheClock = WallCacheClock()
    ) throws(CacheConfigurationError) {
        try options.validate(storeCapabilities: store.capabilities)
        self.store = store
        self.name = name
        self.options = options
        self.clock = clock
        self.refreshAfterSeconds = options.refreshAfter?.cacheSeconds
        self.checksTime = options.refreshAfter != nil || options.staleIfError != nil
        self.exclusiveStore = store.exclusiveLoader
    }

    /// What a lookup found.
    @usableFromInline
    enum Lookup: Sendable {
        case fresh(Value, needsRefresh: Bool)
        case stale(AsyncCacheEntry<Value>)
        case miss
    }

    @inlinable
    func lookup(_ key: Key) async -> Lookup {
        let found: AsyncCacheEntry<Value>?
        do {
            found = try await store.value(forKey: key)
        } catch {
            noteReadFailure(key, error)
            return .miss
        }
        guard let entry = found else { return .miss }
        guard checksTime else { return .fresh(entry.value, needsRefresh: false) }
        return classify(entry)
    }

    @usableFromInline
    func classify(_ entry: AsyncCacheEntry<Value>) -> Lookup {
        let now = clock.now()
        if let expiresAt = entry.expiresAt, now >= expiresAt { return .stale(entry) }
        if let refreshAfterSeconds, now - entry.storedAt >= refreshAfterSeconds {
            return .fresh(entry.value, needsRefresh: true)
        }
        return .fresh(entry.value, needsRefresh: false)
    }

    @usableFromInline
    func noteReadFailure(_ key: Key, _ error: any Error) {
        extra.withLock { $0.storeReadFailures += 1 }
        // A failure its store already reported (one warning per Redis outage) is logged at debug.
        options.logger.log(
            level: cacheFailureLogLevel(error), "cache read failed; treating it as a miss",
            metadata: ["cache": "\(name)", "key": "\(cacheDescribeKey(key))", "error": "\(error)"])
    }

    // MARK: Plain get/set

    /// The fresh value for `key`, or `nil` (absent, expired, or the store failed to read).
    @inlinable
    public func value(forKey key: Key) async -> Value? {
        if case .fresh(let value, _) = await lookup(key) { return value }
        return nil
    }

    /// Stores `value` with `ttl` (or the options' TTL when `nil`).
    public func setValue(_ value: Value, forKey key: Key, ttl: Duration? = nil) async throws {
        let (entry, storeTTL) = makeEntry(value, ttl: ttl ?? options.ttl)
        try await store.setValue(entry, forKey: key, ttl: storeTTL)
        _ = failures.withLock { $0.removeValue(forKey: key) }
    }

    /// Removes the entry (and any remembered failure) for `key`; returns the value it held.
    @discardableResult
    public func removeValue(forKey key: Key) async throws -> Value? {
        _ = failures.withLock { $0.removeValue(forKey: key) }
        return try await store.removeValue(forKey: key)?.value
    }

    /// Removes every entry and remembered failure.
    public func removeAll() async throws {
        failures.withLock { $0.removeAll() }
        try await store.removeAll()
    }

    /// The fresh values among `keys` (one bulk read of the store).
    public func values(forKeys keys: [Key]) async throws -> [Key: Value] {
        let found = try await store.values(forKeys: keys)
        var out: [Key: Value] = [:]
        out.reserveCapacity(found.count)
        for (key, entry) in found {
            if !checksTime { out[key] = entry.value; continue }
            if case .fresh(let value, _) = classify(entry) { out[key] = value }
        }
        return out
    }

    /// Stores every entry with one TTL (one bulk write of the store).
    public func setValues(_ values: [Key: Value], ttl: Duration? = nil) async throws {
        var entries: [Key: AsyncCacheEntry<Value>] = [:]
        entries.reserveCapacity(values.count)
        var storeTTL: Duration?
        for (key, value) in values {
            let made = makeEntry(value, ttl: ttl ?? options.ttl)
            entries[key] = made.entry
            storeTTL = made.storeTTL
        }
        try await store.setValues(entries, ttl: storeTTL ?? ttl ?? options.ttl)
    }

    func makeEntry(_ value: Value, ttl: Duration?) -> (entry: AsyncCacheEntry<Value>, storeTTL: Duration?) {
        let now = clock.now()
        if let stale = options.staleIfError, let ttl {
            return (AsyncCacheEntry(value: value, storedAt: now, expiresAt: now + ttl.cacheSeconds), ttl + stale)
        }
        return (AsyncCacheEntry(value: value, storedAt: now), ttl)
    }

    // MARK: Loading

    /// The value for `key`, loading it with `load` on a miss.
    ///
    /// Concurrent callers of one missing key share one load. A fresh entry older than
    /// `refreshAfter` is returned at once while one background load replaces it. An
    /// expired entry kept for `staleIfError` is returned when its reload fails.
    /// - Throws: the loader's error (every waiter gets it), or `CancellationError` when
    ///   this caller's task is cancelled (the load goes on for the other waiters).
    @inlinable
    public func value(forKey key: Key, orLoad load: @escaping @Sendable () async throws -> Value) async throws -> Value {
        switch await lookup(key) {
        case .fresh(let value, let needsRefresh):
            if needsRefresh { refreshInBackground(key, load: load) }
            return value
        case .stale(let entry):
            return try await loadMissing(key, stale: entry, load: load)
        case .miss:
            return try await loadMissing(key, stale: nil, load: load)
        }
    }

    @usableFromInline
    func loadMissing(_ key: Key, stale: AsyncCacheEntry<Value>?, load: @escaping @Sendable () async throws -> Value) async throws -> Value {
        if options.failureTTL != nil, let error = rememberedFailure(for: key) {
            extra.withLock { $0.cachedFailuresThrown += 1 }
            throw error
        }
        do {
            return try await flights.run(key) { [self] in
                try await loadExclusively(key, load: load)
            }.value
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            if let stale, let expiresAt = stale.expiresAt, let window = options.staleIfError,
               clock.now() < expiresAt + window.cacheSeconds {
                extra.withLock { $0.staleServed += 1 }
                options.logger.warning(
                    "reload failed; serving the stale value (stale-if-error)",
                    metadata: ["cache": "\(name)", "key": "\(cacheDescribeKey(key))", "error": "\(error)"])
                return stale.value
            }
            throw error
        }
    }

    /// Loads and stores `key` — in one process at a time when the store is an
    /// ``ExclusiveLoadingStore`` (the others get the value it stored).
    func loadExclusively(_ key: Key, load: @escaping @Sendable () async throws -> Value) async throws -> Value {
        guard let exclusiveStore else { return try await loadAndStore(key, load: load, rememberFailure: true) }
        switch try await exclusiveStore.withExclusiveLoad(forKey: key, { [self] in
            try await loadAndStore(key, load: load, rememberFailure: true)
        }) {
        case .loaded(let value):
            return value
        case .found(let entry, _):
            if let expiresAt = entry.expiresAt, clock.now() >= expiresAt {
                return try await loadAndStore(key, load: load, rememberFailure: true)
            }
            return entry.value
        case .unavailable:
            return try await loadAndStore(key, load: load, rememberFailure: true)
        }
    }

    /// Reloads `key` now (awaiting the load) and stores the result.
    @discardableResult
    public func refresh(forKey key: Key, load: @escaping @Sendable () async throws -> Value) async throws -> Value {
        try await loadAndStore(key, load: load, rememberFailure: false)
    }

    /// Starts one background reload of `key` unless one is already running.
    @usableFromInline
    func refreshInBackground(_ key: Key, load: @escaping @Sendable () async throws -> Value) {
        let started = refreshing.withLock { $0.insert(key).inserted }
        guard started else { return }
        Task { [self] in
            defer { _ = refreshing.withLock { $0.remove(key) } }
            do {
                _ = try await loadAndStore(key, load: load, rememberFailure: false)
                extra.withLock { $0.refreshes += 1 }
            } catch {
                extra.withLock { $0.refreshFailures += 1 }
                options.logger.warning(
                    "refresh-ahead reload failed; the current value stays until it expires",
                    metadata: ["cache": "\(name)", "key": "\(cacheDescribeKey(key))", "error": "\(error)"])
            }
        }
    }

    /// Callers awaiting the load of `key` now (0 when no load is in flight).
    public func waitersForLoad(of key: Key) -> Int { flights.waiterCount(for: key) }

    /// Keys with a background refresh running now.
    public var refreshesInFlight: Int { refreshing.withLock { $0.count } }

    func loadAndStore(_ key: Key, load: @Sendable () async throws -> Value, rememberFailure: Bool) async throws -> Value {
        let value: Value
        do {
            value = try await cacheTimedLoad(load) { failure, elapsed in
                // A cancelled load is neither a success nor a failure of the loader.
                if failure is CancellationError { return }
                counters.withLock { $0.recordLoad(succeeded: failure == nil, elapsed: elapsed) }
            }.value
        } catch {
            if !(error is CancellationError), rememberFailure, let failureTTL = options.failureTTL {
                remember(error, for: key, ttl: failureTTL)
            }
            throw error
        }
        if options.shouldCache?(value) ?? true {
            let (entry, storeTTL) = makeEntry(value, ttl: options.ttl)
            do {
                try await store.setValue(entry, forKey: key, ttl: storeTTL)
            } catch {
                counters.withLock { $0.storeFailures += 1 }
                let described = cacheDescribeKey(key)
                options.logger.log(
                    level: cacheFailureLogLevel(error), "could not store a loaded value; returning it uncached",
                    metadata: ["cache": "\(name)", "key": "\(described)", "error": "\(error)"])
                options.onStoreFailure?(error, described)
            }
        }
        return value
    }

    func rememberedFailure(for key: Key) -> (any Error)? {
        let now = clock.now()
        return failures.withLock { table -> (any Error)? in
            guard let remembered = table[key] else { return nil }
            if now >= remembered.until {
                table.removeValue(forKey: key)
                return nil
            }
            return remembered.error
        }
    }

    func remember(_ error: any Error, for key: Key, ttl: Duration) {
        let now = clock.now()
        failures.withLock { table in
            table[key] = (error, now + ttl.cacheSeconds)
            if table.count > 4_096 { table = table.filter { $0.value.until > now } }
        }
    }

    // MARK: Stats

    /// The store's counters plus this cache's loads, load failures, store failures and load time.
    public var stats: CacheStats {
        get async {
            await store.stats.addingLoadCounters(of: counters.withLock { $0 })
        }
    }

    /// Refresh-ahead, stale-if-error and store-failure counters.
    public var refreshStats: AsyncCacheRefreshStats { extra.withLock { $0 } }
}

extension AsyncCache where Store: NamespaceClearingStore {
    /// Removes every entry under `namespace`.
    @discardableResult
    public func removeAll(inNamespace namespace: String) async throws -> Int {
        try await store.removeAll(inNamespace: namespace)
    }
}
