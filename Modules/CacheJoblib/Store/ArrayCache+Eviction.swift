import CacheCore
import CacheSQLite
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension ArrayCache {
    /// Trims the cache like joblib's `Memory.reduce_size`: first drops entries not accessed
    /// for `ageLimit`, then the least recently accessed until at most `itemsLimit` entries
    /// and `bytesLimit` bytes on disk remain. Batched hits are flushed first, so recency
    /// counts every hit. Returns the number of entries removed.
    /// - Complexity: O(n log n) in the entries (one indexed scan).
    @discardableResult
    public func reduceSize(bytesLimit: Int? = nil, itemsLimit: Int? = nil, ageLimit: Duration? = nil) throws -> Int {
        if let bytesLimit { try CacheConfiguration.checkSize(bytesLimit, setting: "bytesLimit") }
        if let itemsLimit { try CacheConfiguration.checkSize(itemsLimit, setting: "itemsLimit") }
        if let ageLimit, ageLimit < .zero {
            throw CacheConfigurationError(setting: "ageLimit", value: "\(ageLimit)", reason: "must be ≥ 0")
        }
        let now = options.clock.now()
        let removed = try state.withLock { state -> [(file: String, cause: RemovalCause)] in
            try Self.flush(&state)
            let order = try state.index.evictionOrder()
            var totalBytes = order.reduce(0) { $0 + $1.bytes }
            var remaining = order.count
            var victims: [(key: [UInt8], file: String, cause: RemovalCause)] = []
            for entry in order {
                if let ageLimit, now - entry.accessed > ageLimit.cacheSeconds {
                    victims.append((entry.key, entry.file, .expired))
                } else if (itemsLimit.map { remaining > $0 } ?? false) || (bytesLimit.map { totalBytes > $0 } ?? false) {
                    victims.append((entry.key, entry.file, .size))
                } else {
                    continue
                }
                remaining -= 1
                totalBytes -= entry.bytes
            }
            guard !victims.isEmpty else { return [] }
            try state.index.connection.transaction(.immediate) {
                for victim in victims {
                    let s = try state.index.connection.cachedStatement("DELETE FROM entries WHERE key = ? AND file = ?")
                    try s.bind(blob: victim.key, at: 1)
                    try s.bind(victim.file, at: 2)
                    try s.stepToCompletion()
                }
            }
            for victim in victims { state.stats.recordRemoval(victim.cause) }
            return victims.map { ($0.file, $0.cause) }
        }
        for victim in removed { removeFile(victim.file) }
        return removed.count
    }

    /// Removes every stored result of the function `name`, at every version
    /// (namespaces `name` and `name@…`). Returns the number of entries removed.
    @discardableResult
    public func clear(function name: String) throws -> Int {
        let removed = try state.withLock { state in
            try Self.flush(&state)
            return try state.index.removeAll(
                where: "namespace = ? OR substr(namespace, 1, ?) = ?",
                [.text(name), .integer(Int64(name.utf8.count + 1)), .text(name + "@")])
        }
        for entry in removed { removeFile(entry.file) }
        return removed.count
    }

    /// Removes every entry whose kept namespace is `namespace` or below it
    /// (`namespace/…`, as ``CacheKey/scoped(in:)`` writes a store's keys), and their files;
    /// entries of other namespaces in the directory stay. Returns the number removed.
    @discardableResult
    public func removeAll(inNamespace namespace: String) throws -> Int {
        let removed = try state.withLock { state in
            try Self.flush(&state)
            return try state.index.removeAll(
                where: "namespace = ? OR substr(namespace, 1, ?) = ?",
                [.text(namespace), .integer(Int64(namespace.utf8.count + 1)), .text(namespace + "/")])
        }
        for entry in removed { removeFile(entry.file) }
        return removed.count
    }

    /// Removes every entry, every file under `arrays/` the index does not name (left by a
    /// process killed between rename and index update) and every temporary file.
    public func removeAll() throws {
        let removed = try state.withLock { state in
            state.pendingHits = [:]
            state.pendingCount = 0
            return try state.index.removeAll(where: "1", [])
        }
        for entry in removed { removeFile(entry.file) }
        try sweep(temporaryOlderThan: 0, orphanAge: 0)
    }

    /// Deletes files under `arrays/` that no index entry names and that are older than
    /// `orphanAge` seconds (a younger one may be a write about to be indexed), and
    /// temporary files older than `temporaryOlderThan` seconds. Returns how many went.
    @discardableResult
    public func sweep(temporaryOlderThan: Double = 3600, orphanAge: Double = 3600) throws -> Int {
        let named = try state.withLock { try $0.index.allFiles() }
        let now = WallCacheClock().now()
        var removed = 0
        for bucket in PosixFile.list(directory + "/arrays") {
            for name in PosixFile.list(directory + "/arrays/" + bucket) {
                let relative = "arrays/\(bucket)/\(name)"
                guard !named.contains(relative) else { continue }
                if let age = PosixFile.age(of: directory + "/" + relative, now: now), age >= orphanAge {
                    removeFile(relative)
                    removed += 1
                }
            }
        }
        for name in PosixFile.list(directory + "/tmp") {
            if let age = PosixFile.age(of: directory + "/tmp/" + name, now: now), age >= temporaryOlderThan {
                PosixFile.removeTree(directory + "/tmp/" + name)
                removed += 1
            }
        }
        return removed
    }
}

extension ArrayCache {
    /// Whether `directory` holds an array cache (its `index.sqlite` says so), checked
    /// read-only: nothing is created.
    public static func isArrayCacheDirectory(_ directory: String) -> Bool {
        let path = directory + "/" + ArrayCacheIndex.fileName
        guard access(path, R_OK) == 0,
              let connection = try? SQLiteConnection(path: path, flags: [.readOnly, .noMutex])
        else { return false }
        return (try? connection.scalarText("SELECT value FROM cache_meta WHERE name = 'format'")) == "swift-cache.joblib"
    }
}
