import CacheAutoSelect
import CacheCore
import CacheDisk
import CacheSQLite
import CacheTools
import Foundation
import Testing

/// Issue 11 point 8: `name@version` is applied to a key once. Each test reads the raw
/// `entries.key` blobs of the disk cache's SQLite index (`cache.db`), not the store's view.
@Suite struct NamespaceOnceDiskTests {
    func directory() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("swift-cache-ns-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    func diskOnly() -> CacheRegistry {
        let registry = CacheRegistry()
        CacheToolsEngine.register(in: registry)
        CacheDiskEngine.register(in: registry)
        return registry
    }

    /// Every raw key blob in `directory/cache.db`, read with a separate connection.
    func rawKeys(in directory: String) throws -> [[UInt8]] {
        let connection = try SQLiteConnection(path: directory + "/cache.db", flags: [.readOnly])
        defer { connection.close() }
        let statement = try connection.prepare("SELECT key FROM entries ORDER BY rowid")
        var keys: [[UInt8]] = []
        while try statement.step() { keys.append(statement.blob(0)) }
        return keys
    }

    /// How often `needle` occurs in `haystack` (overlapping occurrences counted).
    func occurrences(of needle: String, in haystack: [UInt8]) -> Int {
        let pattern = Array(needle.utf8)
        guard haystack.count >= pattern.count else { return 0 }
        return (0...(haystack.count - pattern.count)).filter { haystack[$0..<($0 + pattern.count)].elementsEqual(pattern) }.count
    }

    /// The namespace a raw row key carries (the disk key's `CacheKey` form).
    func namespace(of raw: [UInt8]) -> String? {
        DiskCacheKey(storageBytes: raw)?.cacheKey?.namespace
    }

    @Test func memoizeThroughAutoSelectWritesNameAtVersionOnce() throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let square = try memoize(name: "fib", version: "1", hints: .init(persistence: .longTerm),
                                 registry: diskOnly(), directory: dir) { (n: Int) -> Int in n * n }
        #expect(square.engine == CacheDiskEngine.id)
        #expect(try square(7) == 49)
        let keys = try rawKeys(in: dir)
        #expect(keys.count == 1)
        for raw in keys {
            #expect(occurrences(of: "fib@1", in: raw) == 1, "raw key \(raw)")
            #expect(namespace(of: raw) == "fib@1")
        }
        #expect(try square(7) == 49)
        #expect(square.info.hits == 1, "the one row is the one the next call reads")
    }

    @Test func directStoresWriteNameAtVersionOnceAndKeepOtherNamespacesApart() throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let cache = try DiskCache(directory: dir)
        // The store's namespace is the function's: the key already carries it.
        let own = try Memoized(store: DiskStore<Int>(cache: cache, namespace: "fib@1"), name: "fib", version: "1") { (n: Int) in n + 1 }
        // No store namespace: the key's own.
        let plain = try Memoized(store: DiskStore<Int>(cache: cache), name: "inc", version: "2") { (n: Int) in n + 2 }
        // Another store namespace: added in front, once.
        let tenant = try Memoized(store: DiskStore<Int>(cache: cache, namespace: "tenant"), name: "fib", version: "1") { (n: Int) in n + 3 }
        #expect(try own(1) == 2)
        #expect(try plain(1) == 3)
        #expect(try tenant(1) == 4)
        let namespaces = try rawKeys(in: dir).map { raw in
            #expect(occurrences(of: "fib@1", in: raw) + occurrences(of: "inc@2", in: raw) == 1, "raw key \(raw)")
            return namespace(of: raw)
        }
        #expect(namespaces == ["fib@1", "inc@2", "tenant/fib@1"])
        #expect(try own(1) == 2 && tenant(1) == 4, "a tenant's equal key is a different entry")
        try own.clear()
        #expect(try rawKeys(in: dir).map(namespace) == ["inc@2", "tenant/fib@1"], "clear() covers its namespace only")
    }

    /// A row written by the old layout (`fib@1/fib@1`, store namespace joined to the key's)
    /// is never read as the new key: the first call computes, and clear() still removes it.
    @Test func rowsWithTheDoubledNamespaceMissAndClearRemovesThem() throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        do {
            let cache = try DiskCache(directory: dir)
            let fresh = try CacheKey(name: "fib", version: "1", arguments: 7)
            let doubled = CacheKey(namespace: "fib@1/fib@1", encodedArguments: fresh.encodedArguments)
            try cache.set(-1, forKey: doubled, tag: "ns:fib@1")
        }
        let calls = Counter()
        let square = try memoize(name: "fib", version: "1", hints: .init(persistence: .longTerm),
                                 registry: diskOnly(), directory: dir) { (n: Int) -> Int in calls.increment(); return n * n }
        #expect(try square(7) == 49, "never the old row's -1")
        #expect(calls.value == 1)
        #expect(try rawKeys(in: dir).compactMap(namespace).sorted() == ["fib@1", "fib@1/fib@1"])
        try square.memoized.clear()
        #expect(try rawKeys(in: dir).isEmpty, "the old rows carry the store's tag, so clear() removes them too")
    }
}
