import CacheTestKit
import Synchronization
import CacheCore
import CacheSQLite
import Foundation
import Testing
@testable import CacheDisk

@Suite struct DiskCacheFaultTests {
    @Test func pathIsAFile() throws {
        let path = temporaryDirectory()
        try Data("not a dir".utf8).write(to: URL(fileURLWithPath: path))
        do {
            _ = try DiskCache(directory: path)
            Issue.record("opened a file as a cache directory")
        } catch let error as DiskCacheError {
            #expect(error.kind == .notADirectory)
            #expect(error.path == path)
        }
        do {
            _ = try DiskCache(directory: path + "/below")
            Issue.record("created a directory below a file")
        } catch let error as DiskCacheError {
            #expect(error.kind == .notADirectory)
            #expect(error.path == path)
        }
    }

    @Test func unwritableDirectory() throws {
        let dir = temporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        if getuid() == 0 {
            // Root ignores permission bits: make the directory a read-only mount instead.
            let (status, _) = try runProgram("/bin/mount", ["-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", dir])
            guard status == 0 else {
                print("skipping unwritableDirectory: running as root and cannot mount a read-only tmpfs")
                return
            }
            defer { _ = try? runProgram("/bin/umount", [dir]) }
            expectNotWritable(dir)
        } else {
            chmod(dir, 0o500)
            defer { chmod(dir, 0o700) }
            expectNotWritable(dir)
        }
    }

    func expectNotWritable(_ dir: String) {
        do {
            _ = try DiskCache(directory: dir)
            Issue.record("opened an unwritable directory")
        } catch let error as DiskCacheError {
            #expect(error.kind == .notWritable)
            #expect(error.path.hasPrefix(dir))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func garbageDatabaseIsTypedAndRebuildMovesItAside() throws {
        let dir = temporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let garbage = Data((0..<16_384).map { UInt8(truncatingIfNeeded: $0 &* 7919) })
        try garbage.write(to: URL(fileURLWithPath: dir + "/cache.db"))
        do {
            _ = try DiskCache(directory: dir)
            Issue.record("opened a garbage database")
        } catch let error as DiskCacheError {
            #expect(error.kind == .corruptDatabase)
            #expect(error.path == dir + "/cache.db")
        }
        let cache = try DiskCache(directory: dir, options: DiskCacheOptions(recovery: .rebuild))
        try cache.set(1, forKey: "fresh")
        #expect(try cache.get("fresh", as: Int.self) == 1)
        let aside = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix("cache.db.damaged-") && !$0.contains("-wal") && !$0.contains("-shm") }
        #expect(aside.count == 1, "the damaged file was moved aside, not deleted")
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/" + aside[0])) == garbage)
    }

    @Test func unknownSchemaVersionIsTyped() throws {
        let dir = temporaryDirectory()
        do { let cache = try DiskCache(directory: dir); try cache.set(1, forKey: "a"); cache.close() }
        do {
            let db = try SQLiteConnection(path: dir + "/cache.db")
            try db.execute("PRAGMA user_version = 99")
        }
        do {
            _ = try DiskCache(directory: dir)
            Issue.record("opened a database of an unknown schema version")
        } catch let error as DiskCacheError {
            #expect(error.kind == .unsupportedSchema)
            #expect(error.path == dir + "/cache.db")
            #expect(error.detail.contains("99"))
        }
        let rebuilt = try DiskCache(directory: dir, options: DiskCacheOptions(recovery: .rebuild))
        #expect(rebuilt.count == 0)
    }

    @Test func foreignSQLiteDatabaseIsRefused() throws {
        let dir = temporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        do {
            let db = try SQLiteConnection(path: dir + "/cache.db")
            try db.execute("CREATE TABLE other (x)")
        }
        #expect(throws: DiskCacheError.self) { _ = try DiskCache(directory: dir) }
    }

    /// Databases as earlier builds wrote them (version 1; version 2 with leases; version 3
    /// with the totals flag), with one entry and their totals, open at the current version
    /// (4: writers keep cache.db-gen) with the entry intact.
    @Test(arguments: [(1, nil), (2, nil), (3, nil), (1, 1_000), (2, 1_000), (3, 1_000)] as [(Int, Int?)])
    func olderVersionsMigrateToTheCurrentSchema(version: Int, sizeLimit: Int?) throws {
        let dir = temporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        do {
            let db = try SQLiteConnection(path: dir + "/cache.db")
            try db.execute("PRAGMA journal_mode=WAL")
            try db.execute(DiskCacheSchema.version1)
            if version >= 2 { try db.execute(DiskCacheSchema.migrations[0]) }
            try db.run("INSERT INTO cache_meta VALUES (0, 1, 10, 0, 'xxh3-128', 0)")
            let value = IntegerCodec.encode(42)
            try db.run("""
                INSERT INTO entries (key, store_time, access_time, access_count, size, value_size, checksum, serializer, format_version, value)
                VALUES (?, 0, 0, 0, 10, 8, ?, 'int64-le', 1, ?)
                """, .blob(DiskCacheKey("a").storageBytes), .blob(value.withUnsafeBytes { XXH3.hash128($0) }.bytes), .blob(value))
            if version >= 3 { try db.execute(DiskCacheSchema.migrations[1]) }
            try db.execute("PRAGMA application_id = \(DiskCacheSchema.applicationID); PRAGMA user_version = \(version)")
        }
        let cache = try DiskCache(directory: dir, options: DiskCacheOptions(sizeLimit: sizeLimit))
        #expect(try cache.get("a", as: Int.self) == 42, "entries survive the migration")
        #expect(cache.count == 1)
        #expect(cache.stats.bytes == 10)
        try cache.set(7, forKey: "b")
        #expect(cache.count == 2)
        #expect(try cache.check().isHealthy)
        let db = try SQLiteConnection(path: dir + "/cache.db")
        #expect(try db.scalarInt("PRAGMA user_version") == DiskCacheSchema.currentVersion)
        #expect(try db.scalarInt("SELECT count(*) FROM sqlite_master WHERE name = 'leases'") == 1)
        #expect(try db.scalarInt("SELECT totals_kept FROM cache_meta WHERE id = 0") == (sizeLimit == nil ? 0 : 1),
                "totals are kept only once a cache with a size limit opens")
        #expect(try db.scalarInt("SELECT generation_file FROM cache_meta WHERE id = 0") == 1)
        #expect(DiskCacheSchema.currentVersion == 4)
    }

    @Test func tamperedValueFilesAreMissesNeverWrongBytes() throws {
        let dir = temporaryDirectory()
        let cache = try DiskCache(directory: dir)
        for (i, name) in ["deleted", "truncated", "altered", "replacedBySymlink"].enumerated() {
            try cache.set(bytes(40_000, seed: UInt8(i)), forKey: name)
        }
        let files = try cache.withDatabase("test") { database in
            try ["deleted", "truncated", "altered", "replacedBySymlink"].map { name -> String in
                try database.db.scalarText("SELECT file FROM entries WHERE key = ?", .blob(DiskCacheKey(name).storageBytes))!
            }
        }
        let values = dir + "/values/"
        try FileManager.default.removeItem(atPath: values + files[0])
        truncate(values + files[1], 1_000)
        var altered = try Data(contentsOf: URL(fileURLWithPath: values + files[2]))
        altered[20_000] ^= 0xFF
        try altered.write(to: URL(fileURLWithPath: values + files[2]))
        let outside = temporaryDirectory("outside")
        try Data(bytes(40_000, seed: 3)).write(to: URL(fileURLWithPath: outside))
        try FileManager.default.removeItem(atPath: values + files[3])
        try FileManager.default.createSymbolicLink(atPath: values + files[3], withDestinationPath: outside)

        for name in ["deleted", "truncated", "altered", "replacedBySymlink"] {
            #expect(try cache.get(name, as: [UInt8].self) == nil, "\(name) must be a miss")
            #expect(try !cache.contains(name), "\(name)'s entry was removed")
        }
        #expect(cache.stats.decodeFailures == 4)
        #expect(cache.count == 0)
        #expect(FileManager.default.fileExists(atPath: outside), "the symlink target outside the cache was not touched")
    }

    @Test func damagedInlineValueIsAMiss() throws {
        let dir = temporaryDirectory()
        // The damage is written past the library (as the sqlite3 CLI would), which the
        // in-process front does not see (documented): test the database path without it.
        let cache = try DiskCache(directory: dir, options: DiskCacheOptions(frontLimit: 0))
        try cache.set("precious", forKey: "k")
        try cache.withDatabase("test") { database in
            try database.db.run("UPDATE entries SET value = ? WHERE key = ?", .blob(Array("precioUs".utf8)), .blob(DiskCacheKey("k").storageBytes))
        }
        #expect(try cache.get("k", as: String.self) == nil)
        #expect(try !cache.contains("k"))
    }

    @Test func serializerMismatchIsAMiss() throws {
        let cache = try DiskCache(directory: temporaryDirectory())
        try cache.set([1.0, 2.0], forKey: "k")
        #expect(try cache.get("k", as: String.self) == nil, "a value written as [Double] is not read as String")
    }

    @Test func symlinkedValuesDirectoryIsRefused() throws {
        let dir = temporaryDirectory()
        let elsewhere = temporaryDirectory("elsewhere")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: dir + "/values", withDestinationPath: elsewhere)
        do {
            _ = try DiskCache(directory: dir)
            Issue.record("followed a symlinked values directory")
        } catch let error as DiskCacheError {
            #expect(error.kind == .notADirectory)
            #expect(error.path == dir + "/values")
        }
    }

    @Test func symlinkedDatabaseIsRefused() throws {
        let dir = temporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: dir + "/cache.db", withDestinationPath: temporaryDirectory("target"))
        #expect(throws: DiskCacheError.self) { _ = try DiskCache(directory: dir) }
    }

    @Test func closedCacheThrowsTyped() throws {
        let cache = try DiskCache(directory: temporaryDirectory())
        cache.close()
        do {
            try cache.set(1, forKey: "a")
            Issue.record("a closed cache accepted a write")
        } catch let error as DiskCacheError {
            #expect(error.kind == .closed)
        }
        #expect(valueFiles(cache.directory).isEmpty)
    }

    @Test func diskFullSurfacesAndKeepsEarlierEntries() throws {
        let dir = temporaryDirectory("full")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        if let reason = try mountSmallTmpfs(at: dir, megabytes: 2) {
            #expect(!servicesRequired || getuid() != 0, "could not mount a tmpfs although running as root: \(reason)")
            print("skipping diskFullSurfacesAndKeepsEarlierEntries: \(reason)")
            return
        }
        defer { unmount(dir) }
        let cache = try DiskCache(directory: dir + "/cache")
        for i in 0..<20 { try cache.set("early-\(i)", forKey: "early\(i)") }
        try cache.set(bytes(100_000, seed: 1), forKey: "earlyFile")
        var failure: (any Error)?
        var written = 0
        for i in 0..<200 {
            do {
                try cache.set(bytes(50_000, seed: UInt8(i % 250)), forKey: "fill\(i)")
                written += 1
            } catch {
                failure = error
                break
            }
        }
        let error = try #require(failure as? DiskCacheError, "filling 2 MB must fail with a typed error, got \(String(describing: failure))")
        #expect(error.kind == .diskFull, "\(error)")
        for i in 0..<20 { #expect(try cache.get("early\(i)", as: String.self) == "early-\(i)") }
        #expect(try cache.get("earlyFile", as: [UInt8].self) == bytes(100_000, seed: 1))
        // Memoize still returns the computed value, and reports the store failure.
        let failures = Synchronization.Atomic<Int>(0)
        let big = try cache.memoize(name: "big", onStoreFailure: { _, _ in failures.add(1, ordering: .relaxed) }) { (n: Int) in
            bytes(900_000, seed: UInt8(n))
        }
        #expect(try big(7) == bytes(900_000, seed: 7))
        #expect(failures.load(ordering: .relaxed) == 1)
        #expect(big.info.storeFailures == 1)
        #expect(written > 0)
    }
}
