import CacheCore
import CacheDisk
import CacheJoblib
import Foundation
import Testing

/// `cachectl inspect` and `cachectl prune`, run as the built executable on real cache
/// directories.
@Suite(.enabled(if: Cachectl.path != nil, "the cachectl executable is not beside the test bundle"))
struct InspectPruneCommandTests {
    static func objects(_ text: String) -> [[String: Any]] {
        text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    /// A disk cache with two memoized functions, tagged entries, and three entries written
    /// ten days ago (by a wall clock set back).
    static func fill(_ dir: String) throws {
        let old = ManualCacheClock(start: Date().timeIntervalSince1970 - 10 * 86_400)
        let past = try DiskCache(directory: dir, options: DiskCacheOptions(clock: old))
        for i in 0..<3 { try past.set([UInt8](repeating: 1, count: 100), forKey: "old\(i)", tag: "stale") }
        past.close()
        let cache = try DiskCache(directory: dir)
        let render = try Memoized(store: DiskStore<[UInt8]>(cache: cache), name: "render", version: "2") { (n: Int) in
            [UInt8](repeating: UInt8(n), count: 1_000)
        }
        for n in 0..<4 { _ = try render(n) }
        let square = try Memoized(store: DiskStore<Int>(cache: cache), name: "square") { (n: Int) in n * n }
        for n in 0..<2 { _ = try square(n) }
        try cache.set("hello", forKey: "greeting", tag: "words")
        cache.close()
    }

    @Test func inspectShowsKindSchemaAgeAndTheBreakdownByFunctionAndTag() throws {
        let dir = CachectlCacheDirectoryTests.directory("inspect")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.fill(dir)

        let text = try Cachectl.run(["inspect", dir])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("disk cache (CacheDisk) \(dir)"), "\(text.stdout)")
        #expect(text.stdout.contains("render@2: 4 entries"), "\(text.stdout)")
        #expect(text.stdout.contains("square: 2 entries"), "\(text.stdout)")
        #expect(text.stdout.contains("stale: 3 entries"), "\(text.stdout)")

        let json = try Cachectl.run(["inspect", dir, "--json"])
        let object = try #require(Self.objects(json.stdout).first)
        #expect(object["kind"] as? String == "CacheDisk")
        let inspection = try #require(object["inspection"] as? [String: Any])
        let summary = try #require(inspection["summary"] as? [String: Any])
        #expect(summary["entries"] as? Int == 10)
        #expect((summary["schemaVersion"] as? Int ?? 0) > 0)
        let oldest = try #require(inspection["oldestStored"] as? Double)
        let newest = try #require(inspection["newestStored"] as? Double)
        #expect(newest - oldest > 9 * 86_400)
        let functions = try #require(inspection["functions"] as? [[String: Any]])
        #expect(Set(functions.compactMap { $0["name"] as? String }) == ["render@2", "square", "(string keys)"])
        let tags = try #require(inspection["tags"] as? [[String: Any]])
        #expect(Set(tags.compactMap { $0["name"] as? String }) == ["stale", "words", "(untagged)"])
    }

    @Test func pruneRemovesOldEntriesThenTrimsToTheByteBound() throws {
        let dir = CachectlCacheDirectoryTests.directory("prune")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.fill(dir)

        let byAge = try Cachectl.run(["prune", dir, "--max-age", "7d", "--json"])
        #expect(byAge.status == 0, "\(byAge.stderr)")
        let result = try #require(Self.objects(byAge.stdout).first?["result"] as? [String: Any])
        #expect(result["removedForAge"] as? Int == 3)
        #expect(result["removedForSize"] as? Int == 0)
        let cache = try DiskCache(directory: dir, options: DiskCacheOptions(sizeLimit: nil))
        #expect(try cache.count(tag: "stale") == 0)
        #expect(cache.count == 7)
        cache.close()

        // 4 × ~1 KB renders and the small ones: 2,500 bytes keeps about two renders.
        let bySize = try Cachectl.run(["prune", dir, "--max-bytes", "2500"])
        #expect(bySize.status == 0, "\(bySize.stderr)")
        #expect(bySize.stdout.contains("for size"), "\(bySize.stdout)")
        let after = try DiskCache(directory: dir, options: DiskCacheOptions(sizeLimit: nil))
        #expect(try after.summary().bytes <= 2_500)
        #expect(after.count < 7)
        #expect(try after.check().isHealthy)
    }

    @Test func pruneTrimsAnArrayCacheByAccessAge() throws {
        let dir = CachectlCacheDirectoryTests.directory("prune-arrays")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try CachectlCacheDirectoryTests.fillArrays(dir)
        let result = try Cachectl.run(["prune", dir, "--max-bytes", "1"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("array cache \(dir): removed"), "\(result.stdout)")
        #expect(try ArrayCache(directory: dir).stats.bytes <= 1)
    }

    @Test(arguments: [
        (["prune", "DIR"], "give --max-bytes, --max-age or both"),
        (["prune", "DIR", "--max-bytes", "lots"], "--max-bytes 'lots'"),
        (["prune", "DIR", "--max-age=-3d"], "--max-age '-3d'"),
        (["prune", "DIR", "--max-age", "1d", "--policy", "fifo"], "--policy 'fifo'"),
    ])
    func badPruneArgumentsAreRefusedAndNothingIsRemoved(arguments: [String], message: String) throws {
        let dir = CachectlCacheDirectoryTests.directory("prune-bad")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.fill(dir)
        let result = try Cachectl.run(arguments.map { $0 == "DIR" ? dir : $0 })
        #expect(result.status == 64)
        #expect(result.stderr.contains(message), "\(result.stderr)")
        let cache = try DiskCache(directory: dir, options: DiskCacheOptions(sizeLimit: nil))
        #expect(cache.count == 10)
    }

    @Test func aForeignDirectoryIsRefusedAndLeftAlone() throws {
        let dir = CachectlCacheDirectoryTests.directory("foreign")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Data("mine".utf8).write(to: URL(fileURLWithPath: dir + "/notes.txt"))
        for command in [["inspect", dir], ["prune", dir, "--max-bytes", "0", "--max-age", "0"]] {
            let result = try Cachectl.run(command)
            #expect(result.status == 64, "\(command)")
            #expect(result.stderr.contains("holds no cache"), "\(result.stderr)")
        }
        #expect(FileManager.default.fileExists(atPath: dir + "/notes.txt"))
    }
}
