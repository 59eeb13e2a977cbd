import CacheCore
import CacheSQLite

/// Lease rows: the cross-process exclusive load that ``DiskStore`` (and so ``DiskMemoized``)
/// and ``AsyncDiskStore`` offer. A lease is a row in the `leases` table owned by one ``DiskCache`` instance;
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

    /// One attempt at the lease on `key` (the step both the synchronous and the asynchronous
    /// exclusive loads repeat). `afterWaiting`: the caller waited for another holder, so
    /// what it stored is looked for first. `present` reads the entry without counting.
    func leaseAttempt<Value: Sendable>(
        _ key: DiskCacheKey, timeout: Duration, function: String, afterWaiting: Bool, present: () -> Value?
    ) -> LeaseAttempt<Value> {
        if afterWaiting, let value = present() { return .found(value) }
        let leased: Bool
        do {
            leased = try acquireLease(key, timeout: timeout)
        } catch {
            // Without the lease table (e.g. disk full) loading is still right; only stampede protection is lost.
            options.logger.warning("memoize could not take its lease; computing anyway",
                                   metadata: ["function": "\(function)", "error": "\(error)"])
            return .unavailable
        }
        guard leased else { return .busy }
        if let value = present() {
            releaseLease(key, function: function)
            return .found(value)
        }
        return .acquired
    }

    /// Runs `loadAndStore` under the lease on `key`, waiting (with a back-off up to 50 ms)
    /// while another instance holds it, and reading what that instance stored.
    /// `present` reads the entry without counting.
    func withLease<Value: Sendable, Loaded: Sendable>(
        _ key: DiskCacheKey, timeout: Duration, function: String,
        present: () -> Value?, _ loadAndStore: () throws -> Loaded
    ) throws -> ExclusiveLoadOutcome<Value, Loaded> {
        var backoff = LeaseBackoff()
        while true {
            switch leaseAttempt(key, timeout: timeout, function: function, afterWaiting: backoff.waited, present: present) {
            case .unavailable: return .unavailable
            case .found(let value): return .found(value, waited: backoff.waited)
            case .acquired:
                defer { releaseLease(key, function: function) }
                return .loaded(try loadAndStore())
            case .busy:
                // Another process is loading: wait for its result or for its lease to lapse.
                SQLiteConnection.sleepForBackoff(backoff.next())
            }
        }
    }
}

/// What one ``DiskCache/leaseAttempt(_:timeout:function:afterWaiting:present:)`` found.
enum LeaseAttempt<Value: Sendable>: Sendable {
    /// The lease table cannot be written: load without it.
    case unavailable
    /// The value is present (stored before, or by the holder the caller waited for).
    case found(Value)
    /// This instance holds the lease now: load, store, then release it.
    case acquired
    /// Another live instance holds it: wait (``LeaseBackoff``) and try again.
    case busy
}

/// The pauses between lease attempts: 1 ms, doubling up to 50 ms.
struct LeaseBackoff {
    /// Whether the caller has waited at least once.
    private(set) var waited = false
    private var pause: Duration = .milliseconds(1)

    /// The next pause (and from now on, `waited`).
    mutating func next() -> Duration {
        waited = true
        defer { pause = min(pause * 2, .milliseconds(50)) }
        return pause
    }
}
