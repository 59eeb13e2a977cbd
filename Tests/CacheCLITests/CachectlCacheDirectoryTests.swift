import CacheCore
import CacheDisk
import CacheJoblib
import CacheTestKit
import Foundation
import Testing

/// Issue 10, defect 8: `cachectl stats`, `check` and `clear` handle a directory holding a
/// disk cache, an array cache, both side by side, or neither (status 64, saying so) —
/// run as the built executable, as a user runs it.
@Suite(.enabled(if: Cachectl.path != nil, "the cachectl executable is not beside the test bundle"))
struct CachectlCacheDirectoryTests {
    static func directory(_ label: String) -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("cachectl-\(label)-\(UUID().uuidString)").path
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func fillDisk(_ dir: String) throws {
        let cache = try DiskCache(directory: dir)
        for i in 0..<3 { try cache.set([UInt8](repeating: UInt8(i), count: 20), forKey: "k\(i)", tag: i == 0 ? "zero" : nil) }
        cache.close()
    }

    static func fillArrays(_ dir: String) throws {
        let cache = try ArrayCache(directory: dir)
        for i in 0..<2 { try cache.setArray((0..<512).map { Double($0 + i) }, forKey: CacheKey(name: "alpha", arguments: i)) }
        try cache.setArray([1.0, 2.0], forKey: CacheKey(name: "beta", arguments: 0))
    }

    @Test func aDirectoryHoldingBothKindsShowsBoth() throws {
        let dir = Self.directory("both")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.fillDisk(dir)
        try Self.fillArrays(dir)

        let stats = try Cachectl.run(["stats", dir])
        #expect(stats.status == 0, "\(stats.stderr)")
        #expect(stats.stdout.contains("disk cache \(dir)"), "\(stats.stdout)")
        #expect(stats.stdout.contains("entries          3"))
        #expect(stats.stdout.contains("array cache \(dir): 3 entries"), "\(stats.stdout)")

        let json = try Cachectl.run(["stats", dir, "--json"])
        #expect(json.status == 0)
        let objects = json.stdout.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(objects.count == 2)
        #expect(objects.contains { $0["schemaVersion"] != nil && $0["entries"] as? Int == 3 })
        #expect(objects.contains { $0["kind"] as? String == "CacheJoblib" && $0["entries"] as? Int == 3 })

        let check = try Cachectl.run(["check", dir])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        #expect(check.stdout.contains("disk cache \(dir): ok"))
        #expect(check.stdout.contains("array cache \(dir): ok"))
        #expect(check.stdout.contains("verified against their checksums 3"))
    }

    @Test func checkFindsAndRepairsAnAlteredArrayFile() throws {
        let dir = Self.directory("repair")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.fillDisk(dir)
        try Self.fillArrays(dir)
        let entry = try #require(try ArrayCache(directory: dir).entries().first { $0.namespace == "alpha" })
        // Flip data bytes under the valid header, the same length: only the checksum sees it.
        let path = dir + "/" + entry.file
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        for i in stride(from: 200, to: bytes.count, by: 61) { bytes[i] ^= 0xFF }
        try Data(bytes).write(to: URL(fileURLWithPath: path))

        let damaged = try Cachectl.run(["check", dir])
        #expect(damaged.status == 1, "\(damaged.stdout)")
        #expect(damaged.stdout.contains("array cache \(dir): PROBLEMS"))
        #expect(damaged.stdout.contains(entry.file))
        #expect(damaged.stdout.contains("disk cache \(dir): ok"))

        let repaired = try Cachectl.run(["check", dir, "--repair"])
        #expect(repaired.status == 0, "\(repaired.stdout)")
        #expect(try Cachectl.run(["check", dir]).status == 0)
        let remaining = try ArrayCache(directory: dir).entries()
        #expect(remaining.count == 2 && !remaining.contains { $0.file == entry.file })
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(try DiskCache(directory: dir).count == 3, "the disk cache beside it is untouched")
    }

    @Test func clearEmptiesEveryKindUnlessNarrowed() throws {
        let dir = Self.directory("clear")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.fillDisk(dir)
        try Self.fillArrays(dir)
        let alpha = try Cachectl.run(["clear", dir, "--function", "alpha"])
        #expect(alpha.status == 0 && alpha.stdout.contains("removed 2 entries of alpha"), "\(alpha.stdout)\(alpha.stderr)")
        #expect(try DiskCache(directory: dir).count == 3)
        let tagged = try Cachectl.run(["clear", dir, "--tag", "zero"])
        #expect(tagged.status == 0 && tagged.stdout.contains("disk cache: removed 1 entries"))
        #expect(try ArrayCache(directory: dir).count == 1)
        let mixed = try Cachectl.run(["clear", dir, "--tag", "zero", "--function", "beta"])
        #expect(mixed.status == 64)
        let all = try Cachectl.run(["clear", dir])
        #expect(all.status == 0, "\(all.stderr)")
        #expect(all.stdout.contains("disk cache: removed 2 entries"))
        #expect(all.stdout.contains("array cache: removed 1 entries"))
        #expect(try DiskCache(directory: dir).count == 0)
        #expect(try ArrayCache(directory: dir).count == 0)
    }

    @Test func aDirectoryHoldingOneKindShowsIt() throws {
        let disk = Self.directory("disk-only"), arrays = Self.directory("arrays-only")
        defer {
            try? FileManager.default.removeItem(atPath: disk)
            try? FileManager.default.removeItem(atPath: arrays)
        }
        try Self.fillDisk(disk)
        try Self.fillArrays(arrays)
        let d = try Cachectl.run(["stats", disk])
        #expect(d.status == 0 && d.stdout.contains("disk cache") && !d.stdout.contains("array cache"), "\(d.stdout)")
        let a = try Cachectl.run(["stats", arrays])
        #expect(a.status == 0 && a.stdout.contains("array cache") && !a.stdout.contains("disk cache"), "\(a.stdout)")
        #expect(try Cachectl.run(["check", disk]).status == 0)
        let arrayCheck = try Cachectl.run(["check", arrays])
        #expect(arrayCheck.status == 0 && arrayCheck.stdout.contains("array cache \(arrays): ok"), "\(arrayCheck.stdout)\(arrayCheck.stderr)")
        let wrongKind = try Cachectl.run(["clear", arrays, "--tag", "zero"])
        #expect(wrongKind.status == 64 && wrongKind.stderr.contains("holds no disk cache"), "\(wrongKind.stderr)")
        let wrongKind2 = try Cachectl.run(["clear", disk, "--function", "alpha"])
        #expect(wrongKind2.status == 64 && wrongKind2.stderr.contains("holds no array cache"), "\(wrongKind2.stderr)")
    }

    @Test(arguments: ["stats", "check", "clear"])
    func aDirectoryHoldingNoCacheIsAUsageError(_ command: String) throws {
        let empty = Self.directory("empty")
        defer { try? FileManager.default.removeItem(atPath: empty) }
        let none = try Cachectl.run([command, empty])
        #expect(none.status == 64, "\(none.stdout)\(none.stderr)")
        #expect(none.stderr.contains("holds no cache"), "\(none.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: empty).isEmpty, "nothing is created in it")
        let missing = try Cachectl.run([command, empty + "/absent"])
        #expect(missing.status == 64 && missing.stderr.contains("does not exist"), "\(missing.stderr)")
        #expect(FileManager.default.createFile(atPath: empty + "/file", contents: Data([1])))
        let file = try Cachectl.run([command, empty + "/file"])
        #expect(file.status == 64 && file.stderr.contains("is not a directory"), "\(file.stderr)")
    }
}
