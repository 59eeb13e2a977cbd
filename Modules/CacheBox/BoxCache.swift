import CacheCore
import CachePolicies
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A bounded, thread-safe, in-memory cache for many threads, with W-TinyLFU by default.
///
/// Keys are spread by hash over independent *shards*, each a ``BoxPolicyCore`` behind its
/// own `Mutex` with an equal share of the capacity, so threads working on different keys
/// rarely contend. A hit takes one lock and allocates nothing.
///
/// - Capacity counts weight: 1 per entry unless a `weigher` is given. An item heavier than
///   its shard's share (the whole capacity with one shard, the default when weighing) is
///   refused: `setValue` throws `CacheStoreError(.itemTooLarge)`, keeps the key's previous
///   value and counts `stats.storeFailures`.
/// - Expiry (``BoxExpiry``, or a per-entry `ttl`) runs on a hierarchical timer wheel per
///   shard: expired entries are misses at once and are reclaimed as the wheel advances
///   (within about a second of their deadline), without scanning.
/// - The removal listener gets every entry that leaves, with its cause, after the lock is
///   released, so it may call back into the cache. The weigher and a variable-expiry
///   function run outside the lock. The clock is read under a shard's lock (only while
///   that shard holds entries with deadlines), so it must not call into the cache.
public final class BoxCache<Key: Hashable & Sendable, Value: Sendable>: CacheStore {
    /// One shard: a policy core behind a lock.
    @usableFromInline final class Shard: Sendable {
        @usableFromInline let core: Mutex<BoxPolicyCore<Key, Value>>
        @usableFromInline let maximum: Int
        init(_ core: consuming sending BoxPolicyCore<Key, Value>, maximum: Int) {
            self.maximum = maximum
            self.core = Mutex(core)
        }
    }

    @usableFromInline let shards: [Shard]
    @usableFromInline let shardMask: Int
    @usableFromInline let weigher: (@Sendable (Key, Value) -> Int)?
    @usableFromInline let listener: RemovalListener<Key, Value>?
    @usableFromInline let expiry: BoxExpiry<Key, Value>
    let loads = SingleFlight<Key, Value>()
    let asyncLoads = AsyncSingleFlight<Key, Value>()
    let loadCounters = Mutex(CacheStats())
    @usableFromInline let refresh: BoxRefresh<Key, Value>?
    /// Keys whose background refresh is running.
    let refreshing = Mutex<Set<Key>>([])
    let refreshCounters = Mutex(BoxRefreshStats())
    /// The bound on the total weight (entries, when there is no weigher).
    public let maximumWeight: Int
    /// The eviction policy.
    public let policy: BoxPolicy
    /// The time source for expiry.
    public let clock: any CacheClock

    /// Creates a cache.
    /// - Parameters:
    ///   - maximumWeight: the bound on the total weight (entries without a weigher), ≥ 0.
    ///   - policy: the eviction policy (``BoxPolicy/adaptive`` by default).
    ///   - weigher: an entry's weight (≥ 0); nil weighs every entry 1.
    ///   - expiry: when entries expire (never, by default).
    ///   - shards: how many independent shards (rounded down to a power of two); nil picks
    ///     one from the capacity and the processor count (1 with a weigher, so any item up
    ///     to `maximumWeight` fits).
    ///   - refresh: refresh-after-write (``BoxRefresh``): stale entries are served while one
    ///     background reload per key runs. None by default.
    ///   - clock: the time source (monotonic by default; inject a `ManualCacheClock` in tests).
    ///   - onRemoval: called with every entry that leaves, outside the lock.
    /// - Throws: `CacheConfigurationError` for a negative weight bound, a negative or
    ///   non-finite expiry or refresh interval, or a shard count below 1.
    public init(
        maximumWeight: Int, policy: BoxPolicy = .adaptive, weigher: (@Sendable (Key, Value) -> Int)? = nil,
        expiry: BoxExpiry<Key, Value> = .never, refresh: BoxRefresh<Key, Value>? = nil, shards: Int? = nil,
        clock: any CacheClock = MonotonicCacheClock(), onRemoval: RemovalListener<Key, Value>? = nil
    ) throws(CacheConfigurationError) {
        guard maximumWeight >= 0 else {
            throw CacheConfigurationError(setting: "maximumWeight", value: "\(maximumWeight)", reason: "must be at least 0")
        }
        switch expiry.kind {
        case .afterWrite(let s), .afterAccess(let s):
            guard s.isFinite, s >= 0 else {
                throw CacheConfigurationError(setting: "expiry", value: "\(s) s", reason: "must be a finite duration of at least 0")
            }
        case .never, .variable: break
        }
        if let refresh, !(refresh.seconds.isFinite && refresh.seconds > 0) {
            throw CacheConfigurationError(setting: "refresh", value: "\(refresh.seconds) s", reason: "must be a finite interval above 0")
        }
        if let shards, shards < 1 {
            throw CacheConfigurationError(setting: "shards", value: "\(shards)", reason: "must be at least 1")
        }
        var n = 1
        let wanted = shards ?? (weigher != nil ? 1 : Self.defaultShardCount(maximumWeight))
        while n * 2 <= wanted { n *= 2 }
        let now = clock.now()
        var made: [Shard] = []
        for i in 0..<n {
            let share = maximumWeight / n + (i < maximumWeight % n ? 1 : 0)
            let expected = weigher == nil ? share : Swift.min(share, 1 << 12)
            made.append(Shard(
                BoxPolicyCore(policy: policy, maximum: share, expectedEntries: expected, tracksExpiry: false,
                              tracksWrites: refresh != nil, accessTTL: expiry.accessSeconds, now: now, seed: 0x5EED &+ UInt64(i)),
                maximum: share))
        }
        self.shards = made
        self.shardMask = n - 1
        self.weigher = weigher
        self.listener = onRemoval
        self.expiry = expiry
        self.refresh = refresh
        self.maximumWeight = maximumWeight
        self.policy = policy
        self.clock = clock
    }

    /// Shards for an unweighted cache: up to 2 per processor (at most 16), each holding
    /// at least 1,024 entries so every shard's policy sees enough traffic to adapt.
    static func defaultShardCount(_ maximum: Int) -> Int {
        let cpus = Swift.max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        return Swift.max(1, Swift.min(16, cpus * 2, maximum / 1_024))
    }

    /// The shard of `key` (by the hash's top bits; the slot tables use the low ones).
    @inlinable
    func shard(_ hashValue: Int) -> Shard { shards[shardIndex(hashValue)] }

    /// The index of the shard of a key with `hashValue`.
    @inlinable
    func shardIndex(_ hashValue: Int) -> Int {
        if shardMask == 0 { return 0 }
        return Int(truncatingIfNeeded: UInt64(bitPattern: Int64(hashValue)) >> 48) & shardMask
    }

    /// The clock's time when `core` holds entries with deadlines or refreshes stale ones,
    /// else 0 (unread).
    @inlinable
    func clockTime(_ core: borrowing BoxPolicyCore<Key, Value>) -> Double {
        core.wheel.scheduled > 0 || core.tracksWrites ? clock.now() : 0
    }

    /// Runs `body` under `shard`'s lock, then delivers the removals it recorded.
    @inlinable
    func locked<T: Sendable>(_ shard: Shard, _ body: (inout BoxPolicyCore<Key, Value>, inout Removals<Key, Value>) -> T) -> T {
        let (result, removed) = shard.core.withLock { core -> (T, Removals<Key, Value>) in
            var removed = Removals<Key, Value>()
            let result = body(&core, &removed)
            return (result, removed)
        }
        removed.deliver(to: listener)
        return result
    }

    // MARK: CacheStore

    /// The live value for `key`, counting a hit or a miss; an expired entry is a miss.
    /// - Complexity: O(1).
    @inlinable
    public func value(forKey key: Key) -> Value? {
        let h = key.hashValue
        if let refresh { return refreshingValue(forKey: key, hashValue: h, refresh) }
        return locked(shard(h)) { core, removed in
            let now = clockTime(core)
            core.expire(now: now, &removed)
            return core.get(key, hashValue: h, now: now, &removed)
        }
    }

    /// Stores `value` for `key`, with the cache's ``BoxExpiry`` or, when given, `ttl`.
    /// - Throws: `CacheStoreError(.itemTooLarge)` when the item weighs more than its shard
    ///   may hold, `.unsupported` for a negative weight or a negative `ttl`; the key's
    ///   previous value, if any, remains.
    /// - Complexity: O(1) amortized, plus O(k) for k removals.
    @inlinable
    public func setValue(_ value: Value, forKey key: Key, ttl: Duration?) throws(CacheStoreError) {
        let h = key.hashValue
        let shard = shard(h)
        let weight: Int
        do { weight = try weighItem(key, value, weigher: weigher, maxSize: shard.maximum) } catch {
            throw refuse(key, in: shard, error)
        }
        var deadline = Double.infinity
        var extendsOnRead = false
        var now = 0.0
        if let ttl {
            let seconds = ttl.cacheSeconds
            guard seconds >= 0 else {
                throw refuse(key, in: shard, CacheStoreError(.unsupported, key: cacheDescribeKey(key), detail: "ttl \(ttl) is negative; not stored"))
            }
            now = clock.now()
            deadline = now + seconds
        } else if expiry.expires {
            now = clock.now()
            (deadline, extendsOnRead) = expiry.deadline(forKey: key, value: value, now: now)
        }
        let readClock = ttl != nil || expiry.expires
        locked(shard) { core, removed in
            let time = readClock ? now : self.clockTime(core)
            core.expire(now: time, &removed)
            core.set(key, hashValue: h, value, weight: weight, deadline: deadline, refreshOnAccess: extendsOnRead, writtenAt: time, &removed)
        }
    }

    /// Counts a refused store and says whether the previous value remains.
    @usableFromInline
    func refuse(_ key: Key, in shard: Shard, _ error: CacheStoreError) -> CacheStoreError {
        let kept = shard.core.withLock { core -> Bool in
            core.counters.storeFailures &+= 1
            return core.contains(key, hashValue: key.hashValue, now: -.infinity)
        }
        if !kept { return error }
        return CacheStoreError(error.kind, key: error.key, detail: error.detail + "; the previous value remains")
    }

    /// Removes and returns the live value for `key` (cause `.explicit`).
    /// - Complexity: O(1).
    @discardableResult
    public func removeValue(forKey key: Key) -> Value? {
        let h = key.hashValue
        return locked(shard(h)) { core, removed in
            let now = clockTime(core)
            core.expire(now: now, &removed)
            return core.remove(key, hashValue: h, now: now, &removed)
        }
    }

    /// Removes every entry (cause `.cleared`); the counters and frequency counts are kept.
    /// - Complexity: O(n).
    public func removeAll() {
        for shard in shards { locked(shard) { core, removed in core.removeAll(&removed) } }
    }

    /// Whether a live entry exists for `key`, without counting or touching the policy.
    public func contains(_ key: Key) -> Bool {
        let h = key.hashValue
        return shard(h).core.withLock { core in core.contains(key, hashValue: h, now: clockTime(core)) }
    }

    /// The live value for `key`, without counting or touching the policy.
    public func peekValue(forKey key: Key) -> Value? {
        let h = key.hashValue
        return shard(h).core.withLock { core in core.peek(key, hashValue: h, now: clockTime(core)) }
    }

    /// Reclaims the entries whose deadlines the timer wheels have passed (each shard's
    /// wheel also advances on its own operations). - Complexity: O(expired entries + 165).
    public func cleanUp() {
        for shard in shards {
            locked(shard) { core, removed in core.expire(now: clockTime(core), &removed) }
        }
    }

    /// Entries held now (after reclaiming what the wheels find due).
    public var count: Int {
        cleanUp()
        return shards.reduce(0) { n, shard in n + shard.core.withLock { $0.count } }
    }

    /// Total weight held now.
    public var totalWeight: Int {
        cleanUp()
        return shards.reduce(0) { n, shard in n + shard.core.withLock { $0.totalWeight } }
    }

    /// The counters of every shard plus the loader's; `bytes` is the total weight.
    public var stats: CacheStats {
        cleanUp()
        var total = CacheStats()
        for shard in shards { total.merge(shard.core.withLock { $0.stats() }) }
        return total.addingLoadCounters(of: loadCounters.withLock { $0 })
    }

    public var capabilities: CacheStoreCapabilities {
        var c: CacheStoreCapabilities = [.inMemory, .boundedPolicies, .perEntryTTL, .syncStores]
        if weigher != nil { c.insert(.weighted) }
        return c
    }

    /// How many shards the keys are spread over.
    public var shardCount: Int { shards.count }

    /// Checks every shard's structural invariants (for tests); the first violation found.
    package func invariantViolation() -> String? {
        for (i, shard) in shards.enumerated() {
            if let v = shard.core.withLock({ $0.invariantViolation() }) { return "shard \(i): \(v)" }
        }
        return nil
    }
}
