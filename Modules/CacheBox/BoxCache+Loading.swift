import CacheCore

extension BoxCache {
    /// The value for `key`, loading it with `load` on a miss. Concurrent callers missing the
    /// same key run `load` once and share its result (CacheCore's single-flight); no lock is
    /// held while it runs, so it may use the cache. A loaded value that cannot be stored
    /// (too heavy) is still returned, and counted in `stats.storeFailures`.
    /// - Throws: what `load` throws (nothing is stored then; the failure is counted in
    ///   `stats.loadFailures`), or `MemoizeRecursionError` when `load` asks for its own key.
    public func value(forKey key: Key, orLoad load: (Key) throws -> Value) throws -> Value {
        if let found = value(forKey: key) { return found }
        let (value, _) = try loads.run(
            key, function: "BoxCache.value(forKey:orLoad:)",
            recheck: { peekValue(forKey: key) },
            compute: { () throws -> Value in
                let (value, _) = try cacheTimedLoad({ try load(key) }) { failure, elapsed in
                    loadCounters.withLock { $0.recordLoad(succeeded: failure == nil, elapsed: elapsed) }
                }
                // A refused store is counted by setValue; the caller still gets its value.
                try? setValue(value, forKey: key, ttl: nil)
                return value
            })
        return value
    }
}

extension BoxCache {
    /// The values for `keys`: the ones held are returned as hits, and every missing key is
    /// loaded by one call of `load` with the set of them. What `load` returns is stored —
    /// also for keys it was not asked for, which are not in the result — and a requested
    /// key it leaves out is absent from the result (nothing is stored for it).
    ///
    /// The bulk load does not join single-key loads in flight for the same keys: each
    /// call's misses are loaded by that call.
    /// - Throws: what `load` throws (nothing is stored then; counted in `stats.loadFailures`).
    /// - Complexity: O(k) lookups for k keys, plus the load.
    public func values<Keys: Sequence<Key>>(
        forKeys keys: Keys, orLoadAll load: (Set<Key>) throws -> [Key: Value]
    ) throws -> [Key: Value] {
        var (found, missing) = lookUpAll(keys)
        if missing.isEmpty { return found }
        let (loaded, _) = try cacheTimedLoad({ try load(missing) }) { failure, elapsed in
            loadCounters.withLock { $0.recordLoad(succeeded: failure == nil, elapsed: elapsed) }
        }
        storeLoaded(loaded, requested: missing, into: &found)
        return found
    }

    /// The held values of `keys` (each looked up once, counting a hit or a miss) and the
    /// keys missing.
    func lookUpAll<Keys: Sequence<Key>>(_ keys: Keys) -> (found: [Key: Value], missing: Set<Key>) {
        var found: [Key: Value] = [:]
        var missing = Set<Key>()
        for key in keys where found[key] == nil && !missing.contains(key) {
            if let value = value(forKey: key) { found[key] = value } else { missing.insert(key) }
        }
        return (found, missing)
    }

    /// Stores every loaded entry (a refused one is counted by `setValue`) and adds the
    /// requested ones to `found`.
    func storeLoaded(_ loaded: [Key: Value], requested: Set<Key>, into found: inout [Key: Value]) {
        for (key, value) in loaded {
            try? setValue(value, forKey: key, ttl: nil)
            if requested.contains(key) { found[key] = value }
        }
    }
}
