import CacheCore
import CacheKlepto
import CacheTestKit
import Foundation
import Synchronization
import Testing

/// A full disk (a real 2 MB tmpfs; needs root, as CI runs): the write fails with
/// ``KleptoArchiveError`` `.diskFull` naming a path inside the archive, every entry written
/// before is intact for a new instance, and a memoized call over the full archive still
/// returns the value it computed, reporting the store failure.
@Suite struct KleptoDiskFullTests {
    @Test(arguments: ["directory", "sql", "file"])
    func aFullDiskIsATypedErrorAndLosesNothingWritten(kind: String) throws {
        let mount = try temporaryDirectory("full-\(kind)")
        if let reason = try mountSmallTmpfs(at: mount, megabytes: 2) {
            #expect(!servicesRequired || getuid() != 0, "could not mount a tmpfs although running as root: \(reason)")
            print("skipping aFullDiskIsATypedErrorAndLosesNothingWritten(\(kind)): \(reason)")
            return
        }
        defer { unmount(mount); try? FileManager.default.removeItem(atPath: mount) }
        let path = mount + (kind == "directory" ? "/archive" : kind == "sql" ? "/archive.db" : "/archive.klepto")
        func open() throws -> any KleptoArchive {
            switch kind {
            case "directory": return try DirectoryArchive(path: path)
            case "sql": return try SQLTableArchive(path: path)
            default: return try SingleFileArchive(path: path)
            }
        }
        let cache = try KleptoCache<CacheKey, [UInt8]>(archive: open(), policy: .lru(maxSize: 8))
        let early = (0..<20).map { i in [UInt8](repeating: UInt8(i), count: 1_000) }
        for i in 0..<20 { try cache.setValue(early[i], forKey: key(i, name: "early")) }

        var failure: (any Error)?
        var written = 0
        for i in 0..<400 {
            do {
                try cache.setValue([UInt8](repeating: UInt8(i % 251), count: 50_000), forKey: key(i, name: "fill"))
                written += 1
            } catch {
                failure = error
                break
            }
        }
        let error = try #require(failure as? KleptoArchiveError, "filling 2 MB must fail with a typed error, got \(String(describing: failure))")
        #expect(error.kind == .diskFull, "\(error)")
        #expect(error.path.hasPrefix(mount), "\(error)")
        #expect(written > 0)
        #expect(cache.stats.storeFailures == 1)

        // A new instance (nothing from the front) reads every early entry and every fill
        // that returned.
        let reader = try KleptoCache<CacheKey, [UInt8]>(archive: open(), policy: .none)
        for i in 0..<20 { #expect(try reader.value(forKey: key(i, name: "early")) == early[i], "early entry \(i)") }
        for i in 0..<written {
            #expect(try reader.value(forKey: key(i, name: "fill")) == [UInt8](repeating: UInt8(i % 251), count: 50_000), "fill \(i)")
        }
        #expect(reader.stats.decodeFailures == 0)

        // Memoize over the full archive: the computed value comes back, the failure is reported.
        let failures = Atomic<Int>(0)
        let big = try Memoized(store: cache, name: "big", options: MemoizeOptions(onStoreFailure: { _, _ in failures.add(1, ordering: .relaxed) })) {
            (n: Int) in [UInt8](repeating: UInt8(n), count: 900_000)
        }
        #expect(try big(7) == [UInt8](repeating: 7, count: 900_000))
        #expect(failures.load(ordering: .relaxed) == 1)
    }
}
