import CacheTestKit
import CacheCore
import Foundation
import Testing
@testable import CacheDisk

@Suite struct DiskCacheBasicTests {
    @Test func setGetDeletePopAddAndKeyKinds() throws {
        let cache = try DiskCache(directory: temporaryDirectory())
        try cache.set("one", forKey: "k")
        #expect(try cache.get("k", as: String.self) == "one")
        try cache.set(1, forKey: 1)
        try cache.set(2, forKey: DiskCacheKey(bytes: Array("1".utf8)))
        try cache.set(3, forKey: try CacheKey(name: "f", arguments: 1))
        try cache.set(4, forKey: "1")
        #expect(cache.count == 5, "string, int, bytes and CacheKey keys are distinct")
        #expect(try cache.get(1, as: Int.self) == 1)
        #expect(try cache.get("1", as: Int.self) == 4)
        #expect(try cache.add(9, forKey: "1") == false)
        #expect(try cache.add(9, forKey: "new") == true)
        #expect(try cache.pop("new", as: Int.self) == 9)
        #expect(try cache.pop("new", as: Int.self) == nil)
        #expect(try cache.delete("k"))
        #expect(try !cache.delete("k"))
        #expect(try cache.get("k", as: String.self) == nil)
        let keys = try cache.keys()
        #expect(keys.count == 4)
        #expect(keys.contains(DiskCacheKey(Int64(1))))
        #expect(keys.compactMap(\.stringValue) == ["1"])
        #expect(try cache.clear() == 4)
        #expect(cache.count == 0)
    }

    /// Reads append a key's stored bytes to a reused buffer instead of building a
    /// DiskCacheKey; every key kind must produce exactly its storageBytes.
    @Test func keyBytesAppendedForReadsMatchTheStoredKey() throws {
        let keys: [any DiskCacheKeyConvertible] = [
            "", "k", "ключ-🔑", "a\u{0}b", Substring("sub"), 0, -1, Int.max, Int64.min,
            try CacheKey(name: "f", arguments: 1), DiskCacheKey(bytes: [0, 255, 1]),
        ]
        var buffer: [UInt8] = [9, 9]
        for key in keys {
            buffer.removeAll(keepingCapacity: true)
            key.appendDiskCacheKeyBytes(to: &buffer)
            #expect(buffer == key.diskCacheKey.storageBytes, "\(key)")
        }
        let cache = try DiskCache(directory: temporaryDirectory())
        for (i, key) in keys.enumerated() { try cache.set(i, forKey: key.diskCacheKey) }
        for (i, key) in keys.enumerated() {
            #expect(try cache.get(key.diskCacheKey, as: Int.self) == i)
        }
        #expect(try cache.get("ключ-🔑", as: Int.self) == 2)
        #expect(try cache.get("ключ", as: Int.self) == nil)
        #expect(try cache.get(Substring("sub"), as: Int.self) == 4)
    }

    @Test func statsCountHitsMissesAndBytes() throws {
        let cache = try DiskCache(directory: temporaryDirectory())
        try cache.set([UInt8](repeating: 7, count: 100), forKey: "a")
        _ = try cache.get("a", as: [UInt8].self)
        _ = try cache.get("b", as: [UInt8].self)
        let stats = cache.stats
        #expect(stats.hits == 1 && stats.misses == 1)
        #expect(stats.count == 1)
        #expect(stats.bytes == 100 + 2, "value bytes plus the stored key bytes")
        #expect(try cache.volume() > 0)
    }

    @Test func expiryWithAnInjectedClock() throws {
        let clock = ManualCacheClock(start: 1_000_000)
        let cache = try DiskCache(directory: temporaryDirectory(), options: DiskCacheOptions(clock: clock, cullInterval: 1))
        try cache.set("v", forKey: "short", ttl: .seconds(10))
        try cache.set("v", forKey: "long", ttl: .seconds(100))
        try cache.set("v", forKey: "forever")
        clock.advance(by: 11)
        #expect(try cache.get("short", as: String.self) == nil)
        #expect(try !cache.contains("short"))
        #expect(try cache.touch("long", ttl: .seconds(5)))
        #expect(try !cache.touch("short", ttl: .seconds(5)))
        clock.advance(by: 6)
        #expect(try !cache.contains("long"), "touch reset the expiry to 5 s from then")
        #expect(try cache.expire() == 1, "the expired 'long' is culled (lazy read removed 'short')")
        #expect(cache.count == 1)
        #expect(try cache.get("forever", as: String.self) == "v")
        #expect(cache.stats.evictions[.expired, default: 0] == 2)
        // An expired entry may be replaced by add.
        try cache.set("old", forKey: "x", ttl: .seconds(1))
        clock.advance(by: 2)
        #expect(try cache.add("new", forKey: "x"))
        #expect(try cache.get("x", as: String.self) == "new")
    }

    @Test func periodicCullingRemovesExpiredEntriesOnWrites() throws {
        let clock = ManualCacheClock(start: 1_000)
        let cache = try DiskCache(directory: temporaryDirectory(), options: DiskCacheOptions(clock: clock, cullLimit: 100, cullInterval: 4))
        for i in 0..<20 { try cache.set(i, forKey: "e\(i)", ttl: .seconds(1)) }
        clock.advance(by: 5)
        for i in 0..<4 { try cache.set(i, forKey: "p\(i)") }
        #expect(cache.count == 4, "the fourth write culled the 20 expired entries without any read")
    }

    @Test func defaultTTLApplies() throws {
        let clock = ManualCacheClock(start: 50)
        let cache = try DiskCache(directory: temporaryDirectory(), options: DiskCacheOptions(defaultTTL: .seconds(3), clock: clock))
        try cache.set(1, forKey: "a")
        clock.advance(by: 4)
        #expect(try cache.get("a", as: Int.self) == nil)
    }

    @Test func tagsAndEvictByTag() throws {
        let cache = try DiskCache(directory: temporaryDirectory())
        for i in 0..<10 { try cache.set(i, forKey: "k\(i)", tag: i % 2 == 0 ? "even" : "odd") }
        try cache.set(bytes(40_000, seed: 1), forKey: "big", tag: "even")
        #expect(valueFiles(cache.directory).count == 1)
        #expect(try cache.count(tag: "even") == 6)
        #expect(try cache.evict(tag: "even") == 6)
        #expect(cache.count == 5)
        #expect(try cache.get("k1", as: Int.self) == 1)
        #expect(try cache.get("k2", as: Int.self) == nil)
        #expect(valueFiles(cache.directory).isEmpty, "evicting a file entry removes its file")
    }

    @Test func incrementAndDecrementAreIntegers() throws {
        let cache = try DiskCache(directory: temporaryDirectory())
        #expect(try cache.incr("n") == 1)
        #expect(try cache.incr("n", by: 10) == 11)
        #expect(try cache.decr("n", by: 2) == 9)
        #expect(try cache.incr("m", default: 100) == 101)
        #expect(try cache.get("n", as: Int.self) == 9, "an incr value reads back as Int")
        try cache.set("text", forKey: "s")
        #expect(throws: DiskCacheError.self) { try cache.incr("s") }
        try cache.set(Int64.max - 1, forKey: "big")
        #expect(throws: DiskCacheError.self, "a non-incr integer is not silently reinterpreted") { try cache.incr("big") }
    }

    @Test func bulkGetAndSet() throws {
        let cache = try DiskCache(directory: temporaryDirectory())
        let entries = (0..<50).map { (key: DiskCacheKey("b\($0)"), value: $0 == 7 ? String(repeating: "x", count: 50_000) : "v\($0)") }
        try cache.setMany(entries)
        let found = try cache.getMany(entries.map(\.key) + [DiskCacheKey("absent")], as: String.self)
        #expect(found.count == 50)
        #expect(found[DiskCacheKey("b7")]?.count == 50_000)
        #expect(found[DiskCacheKey("b3")] == "v3")
    }

    /// getMany meeting expired entries removes them like a get does: the value file of a
    /// file-backed one is deleted after the commit and the removals count as `.expired`.
    @Test func getManyRemovesExpiredFileBackedEntriesAndTheirFiles() throws {
        let clock = ManualCacheClock(start: 1_000_000)
        let directory = temporaryDirectory()
        let cache = try DiskCache(directory: directory, options: DiskCacheOptions(inlineThreshold: 1_000, clock: clock))
        try cache.set(bytes(5_000, seed: 1), forKey: "big", ttl: .seconds(10))
        try cache.set(bytes(10, seed: 2), forKey: "small", ttl: .seconds(10))
        try cache.set(bytes(5_000, seed: 3), forKey: "keep")
        #expect(valueFiles(directory).count == 2)
        clock.advance(by: 11)
        let found = try cache.getMany([DiskCacheKey("big"), DiskCacheKey("small"), DiskCacheKey("keep")], as: [UInt8].self)
        #expect(found.keys.sorted { $0.description < $1.description } == [DiskCacheKey("keep")])
        #expect(found[DiskCacheKey("keep")] == bytes(5_000, seed: 3))
        #expect(valueFiles(directory).count == 1, "the expired entry's value file is deleted")
        #expect(cache.stats.evictions[.expired, default: 0] == 2)
        #expect(cache.count == 1)
        #expect(try cache.check().isHealthy)
    }

    @Test func keySequenceIteratesInBatches() throws {
        let cache = try DiskCache(directory: temporaryDirectory())
        try cache.setMany((0..<25).map { (key: DiskCacheKey(Int64($0)), value: $0) })
        let keys = Array(try cache.keySequence(batchSize: 4)).compactMap(\.integerValue)
        #expect(keys == (0..<25).map(Int64.init))
    }

    @Test func largeValuesLiveInFilesAndAreReplacedNotModified() throws {
        let dir = temporaryDirectory()
        let cache = try DiskCache(directory: dir)
        let first = bytes(100_000, seed: 3)
        try cache.set(first, forKey: "blob")
        let files1 = valueFiles(dir)
        #expect(files1.count == 1)
        #expect(try cache.get("blob", as: [UInt8].self) == first)
        #expect(try cache.data("blob") == Data(first))
        let second = bytes(120_000, seed: 4)
        try cache.set(second, forKey: "blob")
        let files2 = valueFiles(dir)
        #expect(files2.count == 1 && files2 != files1, "a new file replaced the old one, which was removed")
        #expect(try cache.get("blob", as: [UInt8].self) == second)
        try cache.set(bytes(10, seed: 1), forKey: "blob")
        #expect(valueFiles(dir).isEmpty, "an inline value replaced the file")
        #expect(cache.stats.bytes == 10 + 5)
    }

    @Test func permissionsAre0700And0600() throws {
        let dir = temporaryDirectory() + "/nested/cache"
        let cache = try DiskCache(directory: dir)
        try cache.set(bytes(50_000, seed: 9), forKey: "f")
        #expect(fileMode(dir) == 0o700)
        #expect(fileMode(dir + "/values") == 0o700)
        #expect(fileMode(dir + "/cache.db") == 0o600)
        #expect(fileMode(dir + "/cache.db-wal") == 0o600)
        #expect(fileMode(dir + "/values/" + valueFiles(dir)[0]) == 0o600)
    }

    @Test func transactIsAtomic() throws {
        let cache = try DiskCache(directory: temporaryDirectory())
        try cache.set(100, forKey: "a")
        try cache.set(0, forKey: "b")
        struct Abort: Error {}
        #expect(throws: Abort.self) {
            try cache.transact { tx in
                try tx.set(50, forKey: "a")
                try tx.set(50, forKey: "b")
                try tx.set(bytes(60_000, seed: 2), forKey: "file")
                throw Abort()
            }
        }
        #expect(try cache.get("a", as: Int.self) == 100)
        #expect(try cache.get("b", as: Int.self) == 0)
        #expect(try !cache.contains("file"))
        #expect(valueFiles(cache.directory).isEmpty, "the rolled-back transaction's file was removed")
        let total = try cache.transact { tx -> Int in
            let a = try tx.get("a", as: Int.self)!
            try tx.set(a - 30, forKey: "a")
            try tx.set(30, forKey: "b")
            #expect(try tx.incr("moves") == 1)
            return try tx.get("a", as: Int.self)! + tx.get("b", as: Int.self)!
        }
        #expect(total == 100)
        #expect(try cache.get("a", as: Int.self) == 70)
        // Calling the cache itself inside transact is refused, not a deadlock.
        try cache.transact { _ in
            #expect(throws: DiskCacheError.self) { _ = try cache.get("a", as: Int.self) }
        }
    }

    @Test func sharedBetweenInstancesLikeProcesses() throws {
        let dir = temporaryDirectory()
        let a = try DiskCache(directory: dir)
        let b = try DiskCache(directory: dir)
        try a.set("v1", forKey: "k")
        #expect(try b.get("k", as: String.self) == "v1")
        try a.set("v2", forKey: "k")
        #expect(try b.get("k", as: String.self) == "v2", "a reader sees the newest committed value")
    }

    @Test func closeCheckpointsAndKeepsAnEmptyWALForTheNextOpen() throws {
        let dir = temporaryDirectory()
        do {
            let cache = try DiskCache(directory: dir)
            for i in 0..<200 { try cache.set(bytes(300, seed: UInt8(i)), forKey: "k\(i)") }
            #expect(fileSize(dir + "/cache.db-wal") > 0, "writes go to the WAL")
            cache.close()
        }
        // The last connection checkpointed everything into cache.db and kept both files, the WAL empty.
        #expect(fileSize(dir + "/cache.db-wal") == 0)
        #expect(fileMode(dir + "/cache.db-shm") == 0o600)
        let reopened = try DiskCache(directory: dir)
        #expect(reopened.count == 200)
        #expect(try reopened.get("k7", as: [UInt8].self) == bytes(300, seed: 7))
        try reopened.set("after", forKey: "new")
        #expect(try DiskCache(directory: dir).get("new", as: String.self) == "after")
    }

    @Test func integrityCheckBySQLiteCLI() throws {
        let dir = temporaryDirectory()
        let cache = try DiskCache(directory: dir)
        for i in 0..<100 { try cache.set(bytes(i * 700, seed: UInt8(i)), forKey: "k\(i)") }
        guard let sqlite3 = findProgram("sqlite3") else {
            #expect(!servicesRequired, "sqlite3 is required (SWIFT_CACHE_REQUIRE_SERVICES=1) but missing")
            print("skipping: the sqlite3 command-line tool is not installed")
            return
        }
        let (status, output) = try runProgram(sqlite3, [dir + "/cache.db", "PRAGMA integrity_check"])
        #expect(status == 0)
        #expect(output.trimmingCharacters(in: .whitespacesAndNewlines) == "ok")
    }
}
