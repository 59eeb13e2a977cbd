import CacheCore
import CachePolicies

extension BoxCache {
    /// What refresh-after-write has done so far (all zero without a ``BoxRefresh``).
    public var refreshStats: BoxRefreshStats { refreshCounters.withLock { $0 } }

    /// Background refreshes running now.
    public var refreshesInFlight: Int { refreshing.withLock { $0.count } }

    /// ``value(forKey:)`` for a cache with refresh-after-write: a live entry older than the
    /// interval is returned and its reload started (once per key at a time).
    @usableFromInline
    func refreshingValue(forKey key: Key, hashValue h: Int, _ refresh: BoxRefresh<Key, Value>) -> Value? {
        let (value, staleStamp) = locked(shard(h)) { core, removed -> (Value?, Double?) in
            let now = clock.now()
            core.expire(now: now, &removed)
            guard let value = core.get(key, hashValue: h, now: now, &removed) else { return (nil, nil) }
            guard let stamp = core.stamp(key, hashValue: h, now: now), now - stamp >= refresh.seconds else { return (value, nil) }
            return (value, stamp)
        }
        if let value, let staleStamp { startRefresh(key, hashValue: h, old: value, stamp: staleStamp, refresh) }
        return value
    }

    /// Submits one reload of `key` unless one is running.
    func startRefresh(_ key: Key, hashValue h: Int, old: Value, stamp: Double, _ refresh: BoxRefresh<Key, Value>) {
        guard refreshing.withLock({ $0.insert(key).inserted }) else { return }
        refreshCounters.withLock { $0.started += 1 }
        refresh.executor.submit { [self] in
            finishRefresh(key, hashValue: h, old: old, stamp: stamp, refresh)
        }
    }

    /// Runs the reload and stores its value if the entry is still the write it replaces.
    func finishRefresh(_ key: Key, hashValue h: Int, old: Value, stamp: Double, _ refresh: BoxRefresh<Key, Value>) {
        defer { _ = refreshing.withLock { $0.remove(key) } }
        let reloaded: Value
        do {
            (reloaded, _) = try cacheTimedLoad({ try refresh.reload(key, old) }) { failure, elapsed in
                loadCounters.withLock { $0.recordLoad(succeeded: failure == nil, elapsed: elapsed) }
            }
        } catch {
            refreshCounters.withLock { $0.failed += 1 }
            return
        }
        let shard = shard(h)
        let weight: Int
        do { weight = try weighItem(key, reloaded, weigher: weigher, maxSize: shard.maximum) } catch {
            shard.core.withLock { $0.counters.storeFailures &+= 1 }
            refreshCounters.withLock { $0.discarded += 1 }
            return
        }
        let now = clock.now()
        let (deadline, extendsOnRead) = expiry.deadline(forKey: key, value: reloaded, now: now)
        let stored = locked(shard) { core, removed -> Bool in
            core.expire(now: now, &removed)
            guard core.stamp(key, hashValue: h, now: now) == stamp else { return false }
            core.set(key, hashValue: h, reloaded, weight: weight, deadline: deadline, refreshOnAccess: extendsOnRead,
                     writtenAt: now, &removed)
            return true
        }
        refreshCounters.withLock { stored ? ($0.succeeded += 1) : ($0.discarded += 1) }
    }
}
