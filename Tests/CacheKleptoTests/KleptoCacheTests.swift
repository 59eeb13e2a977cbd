import CacheCore
import CacheKlepto
import CacheTestKit
import Foundation
import Synchronization
import Testing

@Suite struct KleptoCacheConformanceTests {
    /// CacheTestKit's suite over a KleptoCache on each archive; `capacity` bounds the
    /// front (LRU), the archive is unbounded, so the store is not "bounded" for the kit.
    @Test(arguments: ArchiveKind.allCases)
    func conformanceWriteThrough(kind: ArchiveKind) throws {
        try CacheConformance(
            makeStore: { capacity in
                try KleptoCache<CacheKey, String>(
                    archive: kind.make("conf-wt"), policy: capacity.map { .lru(maxSize: $0) } ?? .unbounded)
            },
            key: { try! CacheKey(name: "k", arguments: $0) }, value: { "v\($0)" }, isBounded: false
        ).runWithKeyChecks()
    }

    @Test(arguments: ArchiveKind.allCases)
    func conformanceWriteBack(kind: ArchiveKind) throws {
        try CacheConformance(
            makeStore: { capacity in
                try KleptoCache<CacheKey, String>(
                    archive: kind.make("conf-wb"), policy: capacity.map { .lru(maxSize: $0) } ?? .unbounded,
                    writeMode: .writeBack(flushInterval: nil))
            },
            key: { try! CacheKey(name: "k", arguments: $0) }, value: { "v\($0)" }, isBounded: false
        ).runWithKeyChecks()
    }

    @Test(arguments: [ArchiveKind.directory, .sql])
    func conformanceWithoutFront(kind: ArchiveKind) throws {
        try CacheConformance(
            makeStore: { _ in try KleptoCache<CacheKey, String>(archive: kind.make("conf-none"), policy: .none) },
            key: { try! CacheKey(name: "k", arguments: $0) }, value: { "v\($0)" }, isBounded: false
        ).runWithKeyChecks()
    }
}

@Suite struct KleptoCacheBehaviourTests {
    @Test(arguments: [KleptoPolicy.lru(maxSize: 8), .lfu(maxSize: 8), .mru(maxSize: 8), .rr(maxSize: 8, seed: 7)])
    func boundedFrontKeepsEveryEntryInTheArchive(policy: KleptoPolicy) throws {
        for mode in [KleptoWriteMode.writeThrough, .writeBack(flushInterval: nil)] {
            let archive = try DirectoryArchive(path: temporaryPath("bounded"))
            let cache = try KleptoCache<CacheKey, Int>(archive: archive, policy: policy, writeMode: mode)
            for i in 0..<100 {
                try cache.setValue(i * 10, forKey: key(i))
                #expect(cache.info.frontCount <= 8, "the front exceeded its bound under \(policy)")
            }
            #expect(cache.stats.evictionCount == 92)
            #expect(cache.count == 100)
            for i in 0..<100 { #expect(try cache.value(forKey: key(i)) == i * 10, "\(policy) \(mode) lost entry \(i)") }
            let info = cache.info
            #expect(info.archiveLoads > 0 && info.frontHits + info.archiveLoads == 100)
        }
    }

    @Test func lruFrontOrder() throws {
        let cache = try KleptoCache<CacheKey, Int>(archive: MemoryArchive(), policy: .lru(maxSize: 2))
        try cache.setValue(1, forKey: key(1))
        try cache.setValue(2, forKey: key(2))
        _ = try cache.value(forKey: key(1))
        try cache.setValue(3, forKey: key(3))
        let before = cache.info
        _ = try cache.value(forKey: key(1))
        #expect(cache.info.frontHits == before.frontHits + 1, "LRU evicted the recently used key")
        _ = try cache.value(forKey: key(2))
        #expect(cache.info.archiveLoads == before.archiveLoads + 1, "key 2 should have left the front")
    }

    @Test func readsFallThroughAndFillTheFront() throws {
        let path = temporaryPath("fallthrough")
        do {
            let cache = try KleptoCache<CacheKey, String>(archive: DirectoryArchive(path: path))
            try cache.setValue("persisted", forKey: key(1))
        }
        let cache = try KleptoCache<CacheKey, String>(archive: DirectoryArchive(path: path), policy: .lru(maxSize: 4))
        #expect(try cache.value(forKey: key(1)) == "persisted")
        #expect(try cache.value(forKey: key(1)) == "persisted")
        let info = cache.info
        #expect(info.archiveLoads == 1 && info.frontHits == 1 && info.hits == 2)
    }

    @Test(arguments: ArchiveKind.allCases.filter { $0 != .memory })
    func writeBackDumpAndLoad(kind: ArchiveKind) throws {
        let archive = try kind.make("dump")
        let cache = try KleptoCache<CacheKey, String>(archive: archive, writeMode: .writeBack(flushInterval: nil))
        for i in 0..<5 { try cache.setValue("v\(i)", forKey: key(i)) }
        #expect(try archive.count() == 0, "write-back wrote before dump")
        #expect(cache.count == 5)
        #expect(cache.info.dirtyCount == 5)
        try cache.dump()
        #expect(try archive.count() == 5)
        #expect(cache.info.dirtyCount == 0 && cache.info.dumps == 1)
        let second = try KleptoCache<CacheKey, String>(archive: archive, policy: .lru(maxSize: 3))
        #expect(try second.load() == 3, "load fills the front up to its bound")
        #expect(second.info.frontCount == 3)
        for i in 0..<5 { #expect(try second.value(forKey: key(i)) == "v\(i)") }
    }

    @Test func writeBackFlushesOnDeinit() throws {
        let path = temporaryPath("deinit")
        do {
            let cache = try KleptoCache<CacheKey, String>(archive: DirectoryArchive(path: path), writeMode: .writeBack(flushInterval: nil))
            try cache.setValue("survives", forKey: key(1))
        }
        let reopened = try KleptoCache<CacheKey, String>(archive: DirectoryArchive(path: path))
        #expect(try reopened.value(forKey: key(1)) == "survives")
    }

    @Test func writeBackFlushesInTheBackground() throws {
        let archive = try SQLTableArchive(path: try temporaryDirectory("background") + "/a.db")
        let cache = try KleptoCache<CacheKey, String>(archive: archive, writeMode: .writeBack(flushInterval: .milliseconds(20)))
        try cache.setValue("soon", forKey: key(1))
        // Waits (bounded) for the timer; the check is that it flushed, not how fast.
        var waited = 0
        while try archive.count() == 0 && waited < 1_000 {
            usleep(10_000)
            waited += 1
        }
        #expect(try archive.record(forKey: KleptoKeymap.hashing.archiveKey(for: key(1))) != nil, "the background flush never ran")
        #expect(cache.info.dirtyCount == 0)
    }

    @Test func purgeDumpsAndEmptiesTheFront() throws {
        let archive = MemoryArchive()
        let cache = try KleptoCache<CacheKey, Int>(archive: archive, policy: .lru(maxSize: 4), writeMode: .writeBack(flushInterval: nil))
        for i in 0..<3 { try cache.setValue(i, forKey: key(i)) }
        try cache.purge()
        #expect(cache.info.frontCount == 0)
        #expect(archive.count() == 3)
        let purging = try KleptoCache<CacheKey, Int>(archive: MemoryArchive(), policy: .lru(maxSize: 4),
                                                     writeMode: .writeBack(flushInterval: nil), purgesWhenFull: true)
        for i in 0..<5 { try purging.setValue(i, forKey: key(i)) }
        #expect(purging.info.frontCount == 1, "a full purging front is dumped and emptied")
        #expect(try purging.archive.count() == 4)
        for i in 0..<5 { #expect(try purging.value(forKey: key(i)) == i) }
    }

    @Test func damagedEntryIsAMissAndRemoved() throws {
        let archive = try DirectoryArchive(path: temporaryPath("damaged-miss"))
        let writer = try KleptoCache<CacheKey, String>(archive: archive, policy: .none)
        try writer.setValue("good", forKey: key(1))
        let file = archive.entryPath(forKey: try KleptoKeymap.hashing.archiveKey(for: key(1)))
        var bytes = try readFile(file)
        bytes[bytes.count - 2] ^= 0x01
        try writeFile(file, bytes)
        let log = CapturedLog()
        let cache = try KleptoCache<CacheKey, String>(archive: archive, policy: .lru(maxSize: 4), logger: log.logger)
        #expect(throws: KleptoArchiveError.self) { try cache.load() }
        #expect(try cache.value(forKey: key(1)) == nil)
        #expect(cache.stats.decodeFailures == 1 && cache.stats.misses == 1)
        #expect(cache.info.recentFailures.first?.contains(file) == true)
        #expect(log.warnings.count == 1 && log.warnings[0].contains(file) && log.warnings[0].contains("entry removed"), "\(log.warnings)")
        #expect(!FileManager.default.fileExists(atPath: file), "the damaged entry was not removed")
    }

    @Test func valueOfAnotherTypeIsAMiss() throws {
        let archive = MemoryArchive()
        try KleptoCache<CacheKey, String>(archive: archive).setValue("text", forKey: key(1))
        let ints = try KleptoCache<CacheKey, [Int]>(archive: archive)
        #expect(try ints.value(forKey: key(1)) == nil)
        #expect(ints.stats.decodeFailures == 1)
    }

    @Test func ttlAndBadSettingsAreRefused() throws {
        let cache = try KleptoCache<CacheKey, Int>(archive: MemoryArchive())
        #expect(throws: CacheStoreError.self) { try cache.setValue(1, forKey: key(1), ttl: .seconds(1)) }
        #expect(throws: CacheConfigurationError.self) { try KleptoCache<CacheKey, Int>(archive: MemoryArchive(), policy: .lru(maxSize: 0)) }
        #expect(throws: CacheConfigurationError.self) {
            try KleptoCache<CacheKey, Int>(archive: MemoryArchive(), writeMode: .writeBack(flushInterval: .zero))
        }
    }

    @Test func memoizedOverKleptoCache() throws {
        let path = temporaryPath("memoized")
        let calls = Atomic<Int>(0)
        do {
            let cache = try KleptoCache<CacheKey, Int>(archive: DirectoryArchive(path: path), policy: .lru(maxSize: 16))
            let square = try Memoized(store: cache, name: "square") { (n: Int) -> Int in
                calls.add(1, ordering: .relaxed)
                return n * n
            }
            #expect(try square(12) == 144)
            #expect(try square(12) == 144)
            #expect(calls.load(ordering: .relaxed) == 1)
        }
        let cache = try KleptoCache<CacheKey, Int>(archive: DirectoryArchive(path: path), policy: .lru(maxSize: 16))
        let square = try Memoized(store: cache, name: "square") { (n: Int) -> Int in
            calls.add(1, ordering: .relaxed)
            return n * n
        }
        #expect(try square(12) == 144)
        #expect(calls.load(ordering: .relaxed) == 1, "the archive did not persist the memoized result")
    }

    @Test func encodableKeys() throws {
        struct Query: Codable, Hashable, Sendable { var text: String; var limit: Int }
        let archive = MemoryArchive()
        let cache = try KleptoCache<Query, [String]>(namespace: "search", archive: archive)
        try cache.setValue(["a", "b"], forKey: Query(text: "x", limit: 2))
        #expect(try cache.value(forKey: Query(text: "x", limit: 2)) == ["a", "b"])
        #expect(try cache.value(forKey: Query(text: "x", limit: 3)) == nil)
        #expect(archive.keys().first?.namespace == "search")
    }

    /// The hit path's key memo never serves a value the front or the archive no longer
    /// holds: replaced, removed, evicted, cleared, and past the memo's own bound.
    @Test(arguments: [KleptoPolicy.lru(maxSize: 4), .lfu(maxSize: 4), .mru(maxSize: 4), .rr(maxSize: 4, seed: 3), .unbounded])
    func memoizedHitsStayTrue(policy: KleptoPolicy) throws {
        let archive = MemoryArchive()
        let cache = try KleptoCache<Int, String>(namespace: "memo", archive: archive, policy: policy)
        for i in 0..<6 { try cache.setValue("v\(i)", forKey: i) }
        for i in 0..<6 { #expect(try cache.value(forKey: i) == "v\(i)", "key \(i) after the front evicted") }
        try cache.setValue("new", forKey: 5)
        #expect(try cache.value(forKey: 5) == "new", "a replaced value")
        #expect(try cache.removeValue(forKey: 5) == "new")
        #expect(try cache.value(forKey: 5) == nil, "a removed key")
        try cache.removeAll()
        #expect(try cache.value(forKey: 4) == nil, "after removeAll")
        // More keys than the memo keeps (twice the front's bound, or 65,536 unbounded).
        let many = policy.maxSize == nil ? 70_000 : 64
        for i in 0..<many { try cache.setValue("w\(i)", forKey: i) }
        for i in stride(from: 0, to: many, by: max(1, many / 97)) { #expect(try cache.value(forKey: i) == "w\(i)") }
        #expect(cache.info.frontHits > 0, "no read was served by the front")
    }

    /// Keys that share an archive entry (tolerance) share its value through the memo too.
    @Test func memoizedHitsFollowASharedEntry() throws {
        let cache = try KleptoCache<Double, String>(namespace: "tol", archive: MemoryArchive(), policy: .lru(maxSize: 8),
                                                    keymap: KleptoKeymap(tolerance: 0.001))
        try cache.setValue("first", forKey: 1.0001)
        #expect(try cache.value(forKey: 1.0001) == "first")
        #expect(try cache.value(forKey: 1.0002) == "first")
        try cache.setValue("second", forKey: 1.0002)
        #expect(try cache.value(forKey: 1.0001) == "second", "the memo served the entry's old value")
        #expect(try cache.value(forKey: 1.0006) == nil)
    }
}
