import CacheCore
import CacheSQLite
import Foundation
import Testing
@testable import CacheDisk

/// The in-process hot-read front: correct after every kind of own write, other instances'
/// and processes' writes, expiry, an interrupted writer, and a damaged generation file.
@Suite struct DiskCacheFrontTests {
    /// Keys the front holds now.
    func frontCount(_ cache: DiskCache) throws -> Int { try cache.withDatabase("test") { $0.front.entries.count } }
    func frontActive(_ cache: DiskCache) throws -> Bool { try cache.withDatabase("test") { $0.frontActive } }
    func counters(_ cache: DiskCache) throws -> (begun: UInt64, ended: UInt64) {
        try cache.withDatabase("test") { $0.generation.snapshot() }
    }

    @Test func ownWritesFillTheFrontAndGetsAreServedFromIt() throws {
        let dir = temporaryDirectory("front")
        let cache = try DiskCache(directory: dir)
        #expect(try frontActive(cache))
        #expect(fileMode(dir + "/cache.db-gen") == 0o600)
        #expect(fileSize(dir + "/cache.db-gen") == GenerationFile.byteCount)
        try cache.set(bytes(100, seed: 1), forKey: "a")
        try cache.set("text", forKey: "b")
        try cache.set(bytes(20_000, seed: 2), forKey: "big")   // inline, above the front's 16 KiB
        try cache.set(bytes(40_000, seed: 3), forKey: "file")  // a value file
        #expect(try frontCount(cache) == 2, "own sets of small inline values enter the front")
        #expect(try cache.get("a", as: [UInt8].self) == bytes(100, seed: 1))
        #expect(try cache.get("b", as: String.self) == "text")
        #expect(try cache.get("big", as: [UInt8].self) == bytes(20_000, seed: 2))
        #expect(try cache.get("file", as: [UInt8].self) == bytes(40_000, seed: 3))
        #expect(try cache.get("b", as: Int.self) == nil, "another serializer is not served from the front")
        #expect(cache.stats.hits == 4, "front hits count as hits")
        let (begun, ended) = try counters(cache)
        #expect(begun == ended && begun >= 4, "every write took and ended a ticket")
    }

    @Test func readsFillTheFrontAndAnotherInstancesWritesInvalidateIt() throws {
        let dir = temporaryDirectory("front")
        let a = try DiskCache(directory: dir)
        let b = try DiskCache(directory: dir)
        try a.set("v1", forKey: "k")
        #expect(try frontCount(b) == 0)
        #expect(try b.get("k", as: String.self) == "v1")
        #expect(try frontCount(b) == 0, "a key read once does not enter (the doorkeeper)")
        #expect(try b.get("k", as: String.self) == "v1")
        #expect(try frontCount(b) == 1, "its second verified read enters the front")
        #expect(try b.get("k", as: String.self) == "v1")
        try a.set("v2", forKey: "k")
        #expect(try b.get("k", as: String.self) == "v2", "A's commit is seen by B")
        #expect(try b.get("k", as: String.self) == "v2")
        try a.delete("k")
        #expect(try b.get("k", as: String.self) == nil)
        try a.set("v3", forKey: "k")
        _ = try b.get("k", as: String.self)
        try a.clear()
        #expect(try b.get("k", as: String.self) == nil)
        // B's own write while A's front holds the key.
        try b.set("v4", forKey: "k")
        #expect(try a.get("k", as: String.self) == "v4")
        try b.set("v5", forKey: "k")
        #expect(try a.get("k", as: String.self) == "v5")
    }

    @Test func aOnePassScanFillsNothingAndASecondPassFillsTheFront() throws {
        let dir = temporaryDirectory("front")
        do {
            let writer = try DiskCache(directory: dir)
            for i in 0..<500 { try writer.set(i, forKey: "k\(i)") }
        }
        let reader = try DiskCache(directory: dir)
        for i in 0..<500 { #expect(try reader.get("k\(i)", as: Int.self) == i) }
        // A few doorkeeper false positives may enter; a scan does not copy every value.
        #expect(try frontCount(reader) < 50, "a key read once is not copied into the front")
        for i in 0..<500 { #expect(try reader.get("k\(i)", as: Int.self) == i) }
        #expect(try frontCount(reader) == 500, "the second read of each key enters the front")
        let hitsBefore = reader.stats.hits
        for i in 0..<500 { #expect(try reader.get("k\(i)", as: Int.self) == i) }
        #expect(reader.stats.hits == hitsBefore + 500)
    }

    @Test func ownRemovalsTagEvictionsTransactionsAndCountersKeepTheFrontCorrect() throws {
        let cache = try DiskCache(directory: temporaryDirectory("front"))
        for i in 0..<6 { try cache.set(i, forKey: "k\(i)", tag: i % 2 == 0 ? "even" : nil) }
        #expect(try frontCount(cache) == 6)
        #expect(try cache.delete("k1"))
        #expect(try cache.get("k1", as: Int.self) == nil)
        #expect(try cache.pop("k3", as: Int.self) == 3)
        #expect(try cache.get("k3", as: Int.self) == nil)
        #expect(try cache.evict(tag: "even") == 3)
        for i in [0, 2, 4] { #expect(try cache.get("k\(i)", as: Int.self) == nil, "k\(i) was evicted by tag") }
        #expect(try cache.get("k5", as: Int.self) == 5)
        // A transact block that throws rolls back; the front shows the old values.
        try cache.set("old", forKey: "t")
        struct Abort: Error {}
        #expect(throws: Abort.self) {
            try cache.transact { tx in
                try tx.set("new", forKey: "t")
                try tx.delete("k5")
                throw Abort()
            }
        }
        #expect(try cache.get("t", as: String.self) == "old")
        #expect(try cache.get("k5", as: Int.self) == 5)
        try cache.transact { tx in
            try tx.set("new", forKey: "t")
            try tx.delete("k5")
        }
        #expect(try cache.get("t", as: String.self) == "new")
        #expect(try cache.get("k5", as: Int.self) == nil)
        // incr updates a row in place; touch changes its expiry.
        #expect(try cache.incr("n") == 1)
        #expect(try cache.get("n", as: Int.self) == 1)
        #expect(try cache.incr("n", by: 5) == 6)
        #expect(try cache.get("n", as: Int.self) == 6)
        try cache.setMany([(key: DiskCacheKey("m1"), value: "x"), (key: DiskCacheKey("t"), value: "newer")])
        #expect(try cache.getMany([DiskCacheKey("m1"), DiskCacheKey("t")], as: String.self).count == 2)
        #expect(try cache.get("t", as: String.self) == "newer")
        #expect(try cache.add("ignored", forKey: "t") == false)
        #expect(try cache.get("t", as: String.self) == "newer")
        try cache.set(bytes(50_000, seed: 9), forKey: "t")  // replaced by a file value
        #expect(try cache.get("t", as: [UInt8].self) == bytes(50_000, seed: 9))
        #expect(try cache.clear() > 0)
        #expect(try frontCount(cache) == 0)
        #expect(try cache.get("m1", as: String.self) == nil)
    }

    @Test func expiryIsCheckedOnFrontHits() throws {
        let clock = ManualCacheClock(start: 1_000_000)
        let cache = try DiskCache(directory: temporaryDirectory("front"), options: DiskCacheOptions(clock: clock))
        try cache.set("short", forKey: "s", ttl: .seconds(10))
        try cache.set("forever", forKey: "f")
        #expect(try cache.get("s", as: String.self) == "short")
        #expect(try frontCount(cache) == 2)
        clock.advance(by: 11)
        #expect(try cache.get("s", as: String.self) == nil, "expired, though the front held it")
        #expect(try cache.get("f", as: String.self) == "forever")
        #expect(cache.stats.evictions[.expired, default: 0] == 1)
        #expect(try !cache.contains("s"))
        try cache.set("again", forKey: "s", ttl: .seconds(10))
        #expect(try cache.touch("s", ttl: .seconds(100)))
        clock.advance(by: 50)
        #expect(try cache.get("s", as: String.self) == "again", "touch's new expiry applies")
    }

    /// A writer killed between its ticket and its end leaves `begun > ended`: fronts are
    /// bypassed (the killed writer may have committed) until the next write repairs it.
    @Test func anInterruptedWriterTurnsFrontsOffUntilTheNextWrite() throws {
        let dir = temporaryDirectory("front")
        let cache = try DiskCache(directory: dir)
        try cache.set("v1", forKey: "k")
        #expect(try cache.get("k", as: String.self) == "v1")
        #expect(try frontCount(cache) == 1)
        // The "killed writer": a ticket taken, a change committed, never ended.
        try cache.withDatabase("test") { $0.generation.simulateCrashedWriter() }
        let raw = try SQLiteConnection(path: dir + "/cache.db")
        try raw.run("DELETE FROM entries WHERE key = ?", .blob(DiskCacheKey("k").storageBytes))
        raw.close()
        let (begun, ended) = try counters(cache)
        #expect(begun == ended + 1)
        #expect(try cache.get("k", as: String.self) == nil, "the front is bypassed, the commit seen")
        #expect(try frontCount(cache) == 0)
        try cache.set("v2", forKey: "other")
        let repaired = try counters(cache)
        #expect(repaired.begun == repaired.ended && repaired.begun == begun + 1, "the next writer closed the open ticket")
        #expect(try cache.get("other", as: String.self) == "v2")
        #expect(try cache.get("other", as: String.self) == "v2")
        #expect(try frontCount(cache) == 1, "the front works again")
    }

    @Test(arguments: ["symlink", "directory"])
    func anUnusableGenerationFileRefusesToOpenWithATypedError(kind: String) throws {
        let dir = temporaryDirectory("front")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let elsewhere = temporaryDirectory("elsewhere")
        if kind == "symlink" {
            _ = FileManager.default.createFile(atPath: elsewhere, contents: Data(count: 16))
            try FileManager.default.createSymbolicLink(atPath: dir + "/cache.db-gen", withDestinationPath: elsewhere)
        } else {
            try FileManager.default.createDirectory(atPath: dir + "/cache.db-gen", withIntermediateDirectories: false)
        }
        // Writing without bumping the counters would let other processes' fronts serve
        // replaced values: the cache refuses to open instead, naming the file.
        let error = #expect(throws: DiskCacheError.self) { try DiskCache(directory: dir) }
        #expect(error?.kind == .notADirectory)
        #expect(error?.path == dir + "/cache.db-gen")
        if kind == "symlink" {
            #expect(try Data(contentsOf: URL(fileURLWithPath: elsewhere)) == Data(count: 16), "the symlink target is untouched")
        }
        // Once the stray entry is gone, the cache opens and works.
        try FileManager.default.removeItem(atPath: dir + "/cache.db-gen")
        let cache = try DiskCache(directory: dir)
        try cache.set("v", forKey: "k")
        #expect(try cache.get("k", as: String.self) == "v")
    }

    @Test func aShortGenerationFileIsGrownAndALongOneKept() throws {
        let dir = temporaryDirectory("front")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: dir + "/cache.db-gen", contents: Data([1, 2, 3]))
        let cache = try DiskCache(directory: dir)
        #expect(fileSize(dir + "/cache.db-gen") == GenerationFile.byteCount)
        try cache.set("v", forKey: "k")
        #expect(try cache.get("k", as: String.self) == "v")
        let (begun, ended) = try counters(cache)
        #expect(begun == ended, "garbage counters are settled by the first write")
    }

    @Test func accessRecordingPoliciesAndADisabledFrontDoNotUseIt() throws {
        for options in [DiskCacheOptions(evictionPolicy: .leastRecentlyUsed), DiskCacheOptions(evictionPolicy: .leastFrequentlyUsed),
                        DiskCacheOptions(frontLimit: 0), DiskCacheOptions(frontByteLimit: 0)] {
            let cache = try DiskCache(directory: temporaryDirectory("front"), options: options)
            #expect(try !frontActive(cache))
            try cache.set("v", forKey: "k")
            #expect(try cache.get("k", as: String.self) == "v")
            #expect(try frontCount(cache) == 0)
            let (begun, ended) = try counters(cache)
            #expect(begun == ended && begun > 0, "writes still keep the counters for other instances' fronts")
        }
        #expect(throws: CacheConfigurationError.self) { _ = try DiskCache(directory: temporaryDirectory(), options: DiskCacheOptions(frontLimit: -1)) }
    }

    @Test func theFrontIsBounded() throws {
        let cache = try DiskCache(directory: temporaryDirectory("front"), options: DiskCacheOptions(frontLimit: 3))
        for i in 0..<10 { try cache.set(i, forKey: "k\(i)") }
        #expect(try frontCount(cache) <= 3)
        for i in 0..<10 { #expect(try cache.get("k\(i)", as: Int.self) == i) }
        #expect(try frontCount(cache) <= 3)
        let small = try DiskCache(directory: temporaryDirectory("front"), options: DiskCacheOptions(frontByteLimit: 1_000))
        for i in 0..<10 { try small.set(bytes(300, seed: UInt8(i)), forKey: "k\(i)") }
        #expect(try small.withDatabase("test") { $0.front.bytes } <= 1_000)
        for i in 0..<10 { #expect(try small.get("k\(i)", as: [UInt8].self) == bytes(300, seed: UInt8(i))) }
    }

    /// A size limit's evictions and culling empty the front rather than leave evicted keys in it.
    @Test func sizeEvictionsAndCullingEmptyTheFront() throws {
        let clock = ManualCacheClock(start: 1_000)
        let cache = try DiskCache(directory: temporaryDirectory("front"), options: DiskCacheOptions(
            sizeLimit: 2_000, clock: clock, cullInterval: 1))
        for i in 0..<30 { try cache.set(bytes(100, seed: UInt8(i)), forKey: "k\(i)") }
        for i in 0..<30 {
            let value = try cache.get("k\(i)", as: [UInt8].self)
            #expect(value == nil || value == bytes(100, seed: UInt8(i)))
            #expect((value != nil) == (try cache.contains("k\(i)")), "the front agrees with the database on k\(i)")
        }
        try cache.set("x", forKey: "e", ttl: .seconds(1))
        #expect(try cache.get("e", as: String.self) == "x")
        clock.advance(by: 2)
        try cache.set("y", forKey: "other")  // culls "e"
        #expect(try cache.get("e", as: String.self) == nil)
    }
}
