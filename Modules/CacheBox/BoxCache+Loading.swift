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
