import CacheCore
import CacheSQLite
import Foundation
import Testing
@testable import CacheDisk

/// Totals (count, Σ size, Σ file bytes): computed from the entries for an unbounded cache
/// (`sizeLimit: nil`), kept in `cache_meta` from the moment a cache with a size limit (the
/// default 1 GiB included) opens the directory.
@Suite struct DiskCacheTotalsTests {
    func totalsKept(_ dir: String) throws -> Int64? {
        let db = try SQLiteConnection(path: dir + "/cache.db")
        return try db.scalarInt("SELECT totals_kept FROM cache_meta WHERE id = 0")
    }

    @Test func withoutASizeLimitTotalsAreComputedFromTheEntries() throws {
        let dir = temporaryDirectory("totals")
        let cache = try DiskCache(directory: dir, options: DiskCacheOptions(sizeLimit: nil))
        try cache.set(bytes(100, seed: 1), forKey: "a")
        try cache.set(bytes(40_000, seed: 2), forKey: "big")
        #expect(try totalsKept(dir) == 0, "no size limit: writes do not touch the totals row")
        #expect(cache.count == 2)
        #expect(cache.stats.bytes == (1 + 1 + 100) + (1 + 3 + 40_000))
        #expect(try cache.volume() >= 40_000)
        try cache.set(bytes(10, seed: 3), forKey: "a")  // replace
        #expect(cache.stats.bytes == (1 + 1 + 10) + (1 + 3 + 40_000), "a write by this instance refreshes the computed totals")
        try cache.delete("big")
        #expect(cache.count == 1)
        #expect(try cache.volume() < 40_000)
        #expect(try cache.check().isHealthy)
    }

    @Test func anotherConnectionsWritesRefreshTheComputedTotals() throws {
        let dir = temporaryDirectory("totals")
        let reader = try DiskCache(directory: dir, options: DiskCacheOptions(sizeLimit: nil))
        let writer = try DiskCache(directory: dir, options: DiskCacheOptions(sizeLimit: nil))
        #expect(reader.count == 0)
        try writer.set(bytes(100, seed: 1), forKey: "a")
        #expect(reader.count == 1, "PRAGMA data_version shows the other connection's commit")
        try writer.set(bytes(100, seed: 2), forKey: "b")
        try writer.delete("a")
        #expect(reader.count == 1)
        #expect(reader.stats.bytes == 1 + 1 + 100)
        try writer.clear()
        #expect(reader.count == 0)
    }

    @Test func aSizeLimitTurnsTheTotalsOnComputedFromWhatIsThere() throws {
        let dir = temporaryDirectory("totals")
        let unlimited = try DiskCache(directory: dir, options: DiskCacheOptions(sizeLimit: nil))
        for i in 0..<20 { try unlimited.set(bytes(100, seed: UInt8(i)), forKey: "k\(i)") }
        try unlimited.set(bytes(40_000, seed: 99), forKey: "big")
        #expect(try totalsKept(dir) == 0)

        // An entry's size: the tag byte + the key's UTF-8 + the value.
        func size(_ key: String, _ value: Int) -> Int { 1 + key.utf8.count + value }
        let held = (0..<20).map { size("k\($0)", 100) }.reduce(0, +) + size("big", 40_000)
        // 42,074 bytes are held; a 30,000-byte limit is already exceeded.
        let limited = try DiskCache(directory: dir, options: DiskCacheOptions(sizeLimit: 30_000))
        #expect(try totalsKept(dir) == 1)
        #expect(limited.count == 21)
        #expect(limited.stats.bytes == held, "recomputed from the entries when turned on")
        #expect(try limited.check().totalsConsistent)

        // The instance without a limit now keeps the totals too (it re-reads the flag under the write lock).
        try unlimited.set(bytes(200, seed: 1), forKey: "k1")
        try unlimited.delete("k2")
        try unlimited.set(bytes(50, seed: 7), forKey: "new")
        let report = try limited.check()
        #expect(report.totalsConsistent, "writes by an instance opened without a limit keep the totals right")
        #expect(limited.stats.bytes == held + 100 - size("k2", 100) + size("new", 50))

        // The limit is enforced from those totals on the next write.
        try limited.set(bytes(100, seed: 3), forKey: "trigger")
        #expect(limited.stats.bytes <= 30_000)
        #expect(try limited.get("trigger", as: [UInt8].self) == bytes(100, seed: 3))
        #expect(try limited.check().isHealthy)
        #expect(try totalsKept(dir) == 1, "once on, the totals stay on")
        let reopened = try DiskCache(directory: dir, options: DiskCacheOptions(sizeLimit: nil))
        try reopened.set(bytes(10, seed: 1), forKey: "after")
        #expect(try reopened.check().totalsConsistent)
    }

    /// An instance that last wrote while totals were off, then removes entries from inside
    /// a read (getMany meeting expired entries; a plain get), after another instance turned
    /// the totals on: the removals must be counted.
    @Test func removalsDuringReadsKeepTotalsTurnedOnMeanwhile() throws {
        let dir = temporaryDirectory("totals")
        let clock = ManualCacheClock(start: 1_000)
        let reader = try DiskCache(directory: dir, options: DiskCacheOptions(sizeLimit: nil, clock: clock))
        for i in 0..<4 { try reader.set(bytes(100, seed: UInt8(i)), forKey: "e\(i)", ttl: .seconds(10)) }
        try reader.set(bytes(100, seed: 9), forKey: "keep")
        let limited = try DiskCache(directory: dir, options: DiskCacheOptions(sizeLimit: 1_000_000, clock: clock))
        #expect(try totalsKept(dir) == 1)
        clock.advance(by: 11)
        let found = try reader.getMany([DiskCacheKey("e0"), DiskCacheKey("e1"), DiskCacheKey("keep")], as: [UInt8].self)
        #expect(found.count == 1)
        #expect(try reader.get("e2", as: [UInt8].self) == nil)
        #expect(try limited.check().totalsConsistent, "expired entries removed by reads were taken off the kept totals")
        #expect(limited.count == 2)
        #expect(reader.count == 2)
    }

    @Test func totalsSurviveATransactionThatRollsBack() throws {
        let dir = temporaryDirectory("totals")
        let cache = try DiskCache(directory: dir, options: DiskCacheOptions(sizeLimit: 1_000_000))
        try cache.set(bytes(100, seed: 1), forKey: "a")
        struct Abort: Error {}
        #expect(throws: Abort.self) {
            try cache.transact { tx in
                try tx.set(bytes(500, seed: 2), forKey: "b")
                try tx.delete("a")
                throw Abort()
            }
        }
        #expect(cache.count == 1)
        #expect(cache.stats.bytes == 1 + 1 + 100)
        #expect(try cache.check().totalsConsistent)
    }
}
