import CacheCore
import Testing
@testable import CacheDisk

@Suite struct DiskCacheEvictionTests {
    /// Each entry: a 1-byte-tag + "kNN" key (4 bytes) and a 96-byte value = 100 bytes.
    func fill(_ cache: DiskCache, _ range: Range<Int>) throws {
        for i in range { try cache.set(bytes(96, seed: UInt8(i)), forKey: "k" + (i < 10 ? "0" : "") + "\(i)") }
    }
    func key(_ i: Int) -> String { "k" + (i < 10 ? "0" : "") + "\(i)" }

    @Test func leastRecentlyStoredEvictsOldestWrites() throws {
        let cache = try DiskCache(directory: temporaryDirectory(), sizeLimit: 1_000)
        try fill(cache, 0..<10)
        _ = try cache.get(key(0), as: [UInt8].self)
        try fill(cache, 10..<13)
        #expect(cache.stats.bytes <= 1_000)
        #expect(try !cache.contains(key(0)), "reads do not protect under least-recently-stored")
        #expect(try !cache.contains(key(2)))
        #expect(try cache.contains(key(3)))
        #expect(cache.stats.evictions[.size] == 3)
    }

    @Test func leastRecentlyUsedKeepsWhatWasRead() throws {
        let clock = ManualCacheClock(start: 10_000)
        let cache = try DiskCache(directory: temporaryDirectory(), options: DiskCacheOptions(
            sizeLimit: 1_000, evictionPolicy: .leastRecentlyUsed, clock: clock))
        for i in 0..<10 { clock.advance(by: 1); try fill(cache, i..<(i + 1)) }
        clock.advance(by: 1)
        _ = try cache.get(key(0), as: [UInt8].self)
        clock.advance(by: 1)
        try fill(cache, 10..<11)
        #expect(try cache.contains(key(0)), "the recently read entry survives")
        #expect(try !cache.contains(key(1)), "the least recently used one went")
    }

    @Test func leastFrequentlyUsedKeepsWhatIsReadOften() throws {
        let cache = try DiskCache(directory: temporaryDirectory(), options: DiskCacheOptions(sizeLimit: 1_000, evictionPolicy: .leastFrequentlyUsed))
        try fill(cache, 0..<10)
        for i in 0..<10 where i != 4 { for _ in 0..<3 { _ = try cache.get(key(i), as: [UInt8].self) } }
        try fill(cache, 10..<11)
        #expect(try !cache.contains(key(4)), "the never-read entry went")
        #expect(try cache.contains(key(0)))
        #expect(try cache.contains(key(10)), "the new entry is never its own victim")
    }

    @Test func noEvictionFailsTypedAndKeepsEverything() throws {
        let cache = try DiskCache(directory: temporaryDirectory(), options: DiskCacheOptions(sizeLimit: 1_000, evictionPolicy: .none))
        try fill(cache, 0..<10)
        do {
            try fill(cache, 10..<11)
            Issue.record("a write past the limit succeeded")
        } catch let error as CacheStoreError {
            #expect(error.kind == .full)
        }
        #expect(cache.count == 10)
        try fill(cache, 5..<6)  // replacing an entry of the same size fits
        #expect(cache.count == 10)
    }

    @Test func itemLargerThanTheLimitIsRefused() throws {
        let cache = try DiskCache(directory: temporaryDirectory(), sizeLimit: 1_000)
        try fill(cache, 0..<3)
        #expect(throws: CacheStoreError.self) { try cache.set(bytes(5_000, seed: 1), forKey: "huge") }
        #expect(cache.count == 3, "a refused write changes nothing")
    }

    @Test func fileValuesAreEvictedWithTheirFiles() throws {
        let dir = temporaryDirectory()
        let cache = try DiskCache(directory: dir, sizeLimit: 200_000)
        for i in 0..<10 { try cache.set(bytes(50_000, seed: UInt8(i)), forKey: "f\(i)") }
        #expect(cache.count == 3)
        #expect(valueFiles(dir).count == 3, "evicted entries' files are removed")
        #expect(try cache.get("f9", as: [UInt8].self) == bytes(50_000, seed: 9))
    }
}
