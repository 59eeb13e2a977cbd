@testable import CacheBox
import CacheCore
import Foundation
import Testing

@Suite struct BoxSnapshotTests {
    func temporaryPath(_ name: String) -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("box-snapshot-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent(name).path
    }

    @Test func roundTripKeepsEntriesExpiryAndRegions() throws {
        let path = temporaryPath("cache.snapshot")
        let clock = ManualCacheClock(start: 1_000)
        let cache = try BoxCache<String, [Int]>(maximumWeight: 200, expiry: .afterWrite(.seconds(3_600)), clock: clock)
        // Keys 0..<50 are used often, then 450 others pass through the full cache: the
        // often-used keys are admitted to the main space and promoted to protected.
        // (First fill the cache: counts from before it is full are forgotten.)
        for i in 500..<700 { try cache.setValue([i, i * 2], forKey: "k\(i)") }
        for i in 0..<50 { try cache.setValue([i, i * 2], forKey: "k\(i)") }
        for _ in 0..<6 { for i in 0..<50 { _ = cache.value(forKey: "k\(i)") } }
        for i in 50..<500 { try cache.setValue([i, i * 2], forKey: "k\(i)") }
        for _ in 0..<2 { for i in 0..<50 { _ = cache.value(forKey: "k\(i)") } }
        let hot = Set((0..<50).map { "k\($0)" })
        try cache.setValue([-1], forKey: "short", ttl: .seconds(5))
        func regions(_ c: BoxCache<String, [Int]>) -> [Set<String>] {
            c.shards[0].core.withLock { core in [BoxRegion.window, .probation, .protected].map { Set(core.keys(in: $0)) } }
        }
        let before = regions(cache)
        #expect(before[2].intersection(hot).count >= 45, "the often-used keys are protected")
        let held = cache.count
        let contents = Dictionary(uniqueKeysWithValues: (0..<700).compactMap { i in cache.peekValue(forKey: "k\(i)").map { ("k\(i)", $0) } })
        let written = try cache.snapshot(to: path)
        #expect(written == held)

        // A restarted process: a fresh cache on a clock that started elsewhere.
        let later = ManualCacheClock(start: 7)
        let restored = try BoxCache<String, [Int]>(maximumWeight: 200, expiry: .afterWrite(.seconds(3_600)), clock: later)
        let report = try restored.restore(from: path)
        #expect(report.restored == held)
        #expect(report.expired == 0 && report.dropped == 0)
        #expect(restored.count == held)
        for (key, value) in contents { #expect(restored.peekValue(forKey: key) == value) }
        #expect(regions(restored) == before, "every entry is back in its region")
        // Deadlines were kept as wall-clock time: 5 s left for "short", an hour for the rest.
        later.advance(by: 6)
        #expect(restored.value(forKey: "short") == nil)
        #expect(restored.value(forKey: "k1") == [1, 2])
        later.advance(by: 3_600)
        #expect(restored.value(forKey: "k1") == nil)
        #expect(restored.invariantViolation() == nil)
    }

    @Test func restoringIntoASmallerCacheKeepsWhatThePolicyValuesMost() throws {
        let path = temporaryPath("big.snapshot")
        let cache = try BoxCache<Int, Int>(maximumWeight: 2_000, shards: 1)
        for i in 0..<2_000 { try cache.setValue(i, forKey: i) }
        for _ in 0..<8 { for i in 0..<100 { _ = cache.value(forKey: i) } }
        try cache.snapshot(to: path)
        let small = try BoxCache<Int, Int>(maximumWeight: 200, shards: 1)
        let report = try small.restore(from: path)
        #expect(report.restored == 200)
        #expect(report.dropped == 1_800)
        #expect((0..<100).allSatisfy { small.peekValue(forKey: $0) == $0 }, "every hot key survived")
        #expect(small.count == 200)
        #expect(small.invariantViolation() == nil)
        // Its frequencies came back: a new key cannot push a hot one out.
        for i in 5_000..<5_300 { try small.setValue(i, forKey: i) }
        #expect((0..<100).filter { small.peekValue(forKey: $0) != nil }.count >= 95)
    }

    @Test func entriesThatExpiredWhileDownAreSkipped() throws {
        let path = temporaryPath("ttl.snapshot")
        let cache = try BoxCache<Int, Int>(maximumWeight: 100)
        try cache.setValue(1, forKey: 1, ttl: .milliseconds(1))
        try cache.setValue(2, forKey: 2)
        try cache.snapshot(to: path)
        usleep(5_000)
        let restored = try BoxCache<Int, Int>(maximumWeight: 100)
        let report = try restored.restore(from: path)
        #expect(report.restored == 1 && report.expired == 1)
        #expect(restored.peekValue(forKey: 2) == 2)
    }

    @Test func damagedForeignAndMismatchedFilesAreRefusedAndTheCacheIsUnchanged() throws {
        let path = temporaryPath("s.snapshot")
        let cache = try BoxCache<Int, String>(maximumWeight: 100)
        for i in 0..<20 { try cache.setValue("v\(i)", forKey: i) }
        try cache.snapshot(to: path)
        let good = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))

        func refused(_ bytes: [UInt8]?, _ kind: BoxSnapshotError.Kind, file: String = "x.snapshot") throws {
            let target = temporaryPath(file)
            if let bytes { try Data(bytes).write(to: URL(fileURLWithPath: target)) }
            let fresh = try BoxCache<Int, String>(maximumWeight: 100)
            try fresh.setValue("kept", forKey: 99)
            let error = #expect(throws: BoxSnapshotError.self) { try fresh.restore(from: target) }
            #expect(error?.kind == kind, "\(String(describing: error))")
            #expect(error?.path == target)
            #expect(error?.description.contains(target) == true)
            #expect(fresh.count == 1 && fresh.peekValue(forKey: 99) == "kept", "a refused restore changes nothing")
        }
        try refused(nil, .missing)
        try refused(Array("SQLite format 3\0 and more".utf8), .foreign)
        try refused([], .foreign)
        try refused(Array(good[0..<20]), .damaged)
        try refused(Array(good.dropLast(3)), .damaged)
        var flipped = good
        flipped[flipped.count - 2] ^= 0x40
        try refused(flipped, .damaged)
        var newer = good
        newer[8] = 9
        try refused(newer, .unsupportedVersion)

        // The same file read as other types.
        let other = try BoxCache<String, Int>(maximumWeight: 100)
        let error = #expect(throws: BoxSnapshotError.self) { try other.restore(from: path) }
        #expect(error?.kind == .typeMismatch)
        #expect(other.count == 0)
    }

    @Test func anUnwritablePathIsATypedErrorAndTheOldSnapshotRemains() throws {
        let path = temporaryPath("keep.snapshot")
        let cache = try BoxCache<Int, Int>(maximumWeight: 10)
        try cache.setValue(1, forKey: 1)
        try cache.snapshot(to: path)
        let error = #expect(throws: BoxSnapshotError.self) { try cache.snapshot(to: "/nonexistent-dir-\(UUID().uuidString)/s") }
        #expect(error?.kind == .io)
        try cache.setValue(2, forKey: 2)
        let restored = try BoxCache<Int, Int>(maximumWeight: 10)
        #expect(try restored.restore(from: path).restored == 1)
    }

    @Test func refreshStampsAndLFUCountsSurvive() throws {
        let path = temporaryPath("lfu.snapshot")
        let cache = try BoxCache<Int, Int>(maximumWeight: 10, policy: .lfu)
        for i in 0..<10 { try cache.setValue(i, forKey: i) }
        for _ in 0..<20 { _ = cache.value(forKey: 3) }
        try cache.snapshot(to: path)
        let restored = try BoxCache<Int, Int>(maximumWeight: 10, policy: .lfu)
        try restored.restore(from: path)
        for i in 100..<140 { try restored.setValue(i, forKey: i) }
        #expect(restored.peekValue(forKey: 3) == 3, "the much-used key kept its count")
    }
}
