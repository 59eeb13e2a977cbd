import CacheCore

/// Lease rows: the cross-process exclusive load that ``DiskStore`` offers ``Memoized``
/// (and so ``DiskMemoized``). A lease is a row in the `leases` table owned by one ``DiskCache`` instance;
/// it expires after its timeout, so a crashed holder blocks others at most that long.
extension DiskCache {
    /// Takes the lease on `key` unless another live instance holds it; returns whether
    /// this instance holds it now.
    func acquireLease(_ key: DiskCacheKey, timeout: Duration) throws -> Bool {
        let now = self.now()
        let expires = now + timeout.cacheSeconds
        let owner = instanceID
        return try withDatabase("memoize lease") { database in
            try database.write {
                let statement = try database.db.cachedStatement("""
                    INSERT INTO leases (key, owner, expires) VALUES (?, ?, ?)
                    ON CONFLICT (key) DO UPDATE SET owner = excluded.owner, expires = excluded.expires
                    WHERE leases.expires <= ?
                    """)
                try key.storageBytes.withUnsafeBytes { try statement.bind(blob: $0, at: 1) }
                try statement.bind(owner, at: 2)
                try statement.bind(expires, at: 3)
                try statement.bind(now, at: 4)
                try statement.stepToCompletion()
                return database.db.changes > 0
            }
        }
    }

    /// Gives the lease on `key` back (a failure is logged: the lease lapses on its own).
    func releaseLease(_ key: DiskCacheKey, function: String) {
        let owner = instanceID
        do {
            try withDatabase("memoize lease") { database in
                try database.write {
                    try database.db.run("DELETE FROM leases WHERE key = ? AND owner = ?", .blob(key.storageBytes), .text(owner))
                }
            }
        } catch {
            options.logger.warning("memoize could not release its lease; it lapses after the lease timeout",
                                   metadata: ["function": "\(function)", "error": "\(error)"])
        }
    }

    /// Runs `loadAndStore` under the lease on `key`, waiting (with a back-off up to 50 ms)
    /// while another instance holds it, and reading what that instance stored.
    /// `present` reads the entry without counting.
    func withLease<Value: Sendable, Loaded: Sendable>(
        _ key: DiskCacheKey, timeout: Duration, function: String,
        present: () -> Value?, _ loadAndStore: () throws -> Loaded
    ) throws -> ExclusiveLoadOutcome<Value, Loaded> {
        var pause: Duration = .milliseconds(1)
        var waited = false
        while true {
            let leased: Bool
            do {
                leased = try acquireLease(key, timeout: timeout)
            } catch {
                // Without the lease table (e.g. disk full) loading is still right; only stampede protection is lost.
                options.logger.warning("memoize could not take its lease; computing anyway",
                                       metadata: ["function": "\(function)", "error": "\(error)"])
                return .unavailable
            }
            if leased {
                defer { releaseLease(key, function: function) }
                if let value = present() { return .found(value, waited: waited) }
                return .loaded(try loadAndStore())
            }
            // Another process is loading: wait for its result or for its lease to lapse.
            waited = true
            backoffSleep(pause)
            pause = min(pause * 2, .milliseconds(50))
            if let value = present() { return .found(value, waited: true) }
        }
    }
}
