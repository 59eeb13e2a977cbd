import CacheCore
import CacheTestKit
@testable import CacheJoblib
import Foundation
import Synchronization
import Testing

/// Issue 10, defect 3: a stored `.npy` altered from outside is never served. Every tamper,
/// in place and by replace-and-rename, in copy and memory-mapped mode, with real numpy
/// doing the tampering: the next call is a miss, the entry is dropped and recomputed, and
/// (but for a deleted file, a plain miss) it is counted as a decode failure.
@Suite struct ArrayIntegrityTests {
    enum Tamper: String, CaseIterable, Sendable {
        case randomBytesSameLength, truncated, empty, deleted, otherDTypeAndShape, dataBytesFlipped, sameDTypeAndShapeOtherValues
    }

    enum Method: String, CaseIterable, Sendable {
        case inPlace, replaceAndRename
    }

    enum Mode: String, CaseIterable, Sendable {
        case copy, mmap
        var loadMode: ArrayLoadMode { self == .copy ? .copy : .memoryMapped }
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var tamper: Tamper
        var method: Method
        var mode: Mode
        var testDescription: String { "\(tamper.rawValue) \(method.rawValue) \(mode.rawValue)" }
    }

    static let cases: [Case] = Tamper.allCases.flatMap { t in Method.allCases.flatMap { m in Mode.allCases.map { Case(tamper: t, method: m, mode: $0) } } }

    static let shape = [64, 32]

    static func compute(_ seed: Int) throws -> ShapedArray<Double> {
        try ShapedArray(shape: shape) { buffer in
            for i in 0..<buffer.count { buffer[i] = Double(i) * 0.5 + Double(seed) }
        }
    }

    /// Alters the file at `path` with numpy: in place (the same inode rewritten, its
    /// modification time moving on) or by writing a new file and renaming it over.
    static let tamperScript = """
        import os, sys, numpy as np
        path, tamper, method = sys.argv[1], sys.argv[2], sys.argv[3]
        original = open(path, 'rb').read()
        header_len = len(original) - 64 * 32 * 8
        if tamper == 'deleted':
            if method == 'inPlace':
                os.remove(path)
            else:
                os.rename(path, path + '.moved')
            sys.exit(0)
        def npy(array):
            import io
            b = io.BytesIO(); np.save(b, array); return b.getvalue()
        if tamper == 'randomBytesSameLength':
            new = os.urandom(len(original))
        elif tamper == 'truncated':
            new = original[: len(original) // 2]
        elif tamper == 'empty':
            new = b''
        elif tamper == 'otherDTypeAndShape':
            new = npy(np.arange(100, dtype='<i4').reshape(10, 10))
        elif tamper == 'dataBytesFlipped':
            body = bytearray(original[header_len:])
            for i in range(0, len(body), 97):
                body[i] ^= 0xFF
            new = original[:header_len] + bytes(body)
        elif tamper == 'sameDTypeAndShapeOtherValues':
            new = npy(np.full((64, 32), 7.25, dtype='<f8'))
            assert len(new) == len(original), (len(new), len(original))
        if method == 'inPlace':
            with open(path, 'r+b') as f:
                f.write(new)
                f.truncate(len(new))
        else:
            tmp = path + '.tmp'
            with open(tmp, 'wb') as f:
                f.write(new)
            os.replace(tmp, path)
        """

    @Test(arguments: cases)
    func alteredFileIsAMissAndIsRecomputed(_ c: Case) throws {
        guard NumPyPython.require("alteredFileIsAMissAndIsRecomputed") else { return }
        let dir = TemporaryDirectory("integrity")
        defer { dir.cleanup() }
        let memory = try ArrayMemory(directory: dir.path, options: ArrayCacheOptions(loadMode: c.mode.loadMode))
        let computed = Mutex(0)
        let f = try memory.cached(name: "tampered", version: "1") { (seed: Int) in
            computed.withLock { $0 += 1 }
            return try Self.compute(seed)
        }
        let expected = try Self.compute(3).elements
        #expect(try f(3).elements == expected)
        // A hit before the tamper (mapped in mmap mode), released before the file is altered.
        do {
            let hit = try f(3)
            #expect(hit.isMemoryMapped == (c.mode == .mmap))
            #expect(hit.elements == expected)
        }
        #expect(computed.withLock { $0 } == 1)
        let entry = try #require(try memory.cache.entries().first)
        let failuresBefore = memory.cache.stats.decodeFailures

        _ = try NumPyPython.script(Self.tamperScript, [dir.file(entry.file), c.tamper.rawValue, c.method.rawValue])

        let again = try f(3)
        #expect(again.elements == expected, "an altered file was served as the result")
        #expect(computed.withLock { $0 } == 2, "the altered entry must be recomputed")
        let failures = memory.cache.stats.decodeFailures - failuresBefore
        #expect(failures == (c.tamper == .deleted ? 0 : 1))
        // The recomputed result is stored again, whole, and served.
        let entries = try memory.cache.entries()
        #expect(entries.count == 1)
        #expect(entries.first?.file != entry.file)
        #expect(try f(3).elements == expected)
        #expect(computed.withLock { $0 } == 2)
    }

    /// Bytes rewritten in place with the modification time set back: the file's identity
    /// (device, inode, size, mtime) is unchanged, so only the content hash sees it. A copied
    /// load hashes every time and refuses it at once; a memory-mapped load in a new process
    /// (its first load of that file) refuses it too.
    @Test(arguments: [Mode.copy, .mmap])
    func inPlaceChangeWithRestoredModificationTime(_ mode: Mode) throws {
        guard NumPyPython.require("inPlaceChangeWithRestoredModificationTime") else { return }
        guard let cachectl = BuiltExecutable.path("cachectl") else {
            if ProcessInfo.processInfo.environment["SWIFT_CACHE_REQUIRE_SERVICES"] == "1" {
                Issue.record("cachectl was not built beside the test bundle")
            } else {
                print("skipping: the cachectl executable was not found beside the test bundle")
            }
            return
        }
        let dir = TemporaryDirectory("integrity-mtime")
        defer { dir.cleanup() }
        do {
            let memory = try ArrayMemory(directory: dir.path, options: ArrayCacheOptions(loadMode: mode.loadMode))
            let f = try memory.cached(name: "restored", version: "1") { (seed: Int) in try Self.compute(seed) }
            _ = try f(5)
        }
        let entry = try #require(try ArrayCache(directory: dir.path).entries().first)
        let path = dir.file(entry.file)
        let before = try FileManager.default.attributesOfItem(atPath: path)
        _ = try NumPyPython.script("""
            import os, sys, numpy as np, io
            path = sys.argv[1]
            st = os.stat(path)
            b = io.BytesIO(); np.save(b, np.full((64, 32), -1.0, dtype='<f8')); new = b.getvalue()
            assert len(new) == st.st_size
            with open(path, 'r+b') as f:
                f.write(new)
            os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
            st2 = os.stat(path)
            assert (st2.st_ino, st2.st_size, st2.st_mtime_ns) == (st.st_ino, st.st_size, st.st_mtime_ns)
            """, [path])
        let after = try FileManager.default.attributesOfItem(atPath: path)
        #expect(before[.modificationDate] as? Date == after[.modificationDate] as? Date)

        if mode == .copy {
            // A copied load hashes what it read: refused at once, even by the process that wrote it.
            let memory = try ArrayMemory(directory: dir.path, options: ArrayCacheOptions(loadMode: .copy))
            let f = try memory.cached(name: "restored", version: "1") { (seed: Int) in try Self.compute(seed) }
            #expect(try f(5).elements == (try Self.compute(5)).elements, "the rewritten file was served")
            #expect(memory.cache.stats.decodeFailures == 1)
        } else {
            // A memory-mapped load in a new process (the user's next run) hashes the file once: refused.
            let probe = try CrashAndCLITests.run(cachectl, ["joblib-probe", dir.path, "--name", "restored", "--version", "1", "--argument", "5", "--mode", "mmap"])
            #expect(probe.status == 0, "\(probe.output)")
            #expect(probe.output.contains("miss decodeFailures=1"), "the rewritten file was served: \(probe.output)")
        }
        #expect(try ArrayCache(directory: dir.path).entries().allSatisfy { $0.file != entry.file }, "the altered entry is dropped")
    }

    /// An entry of an index written before checksums existed (schema 1) is never served:
    /// the index is migrated, the entry is a miss (not a decode failure) and is recomputed once.
    @Test func entriesWithoutChecksumAreRecomputedOnce() throws {
        let dir = TemporaryDirectory("integrity-legacy")
        defer { dir.cleanup() }
        do {
            let memory = try ArrayMemory(directory: dir.path)
            let f = try memory.cached(name: "legacy", version: "1") { (seed: Int) in try Self.compute(seed) }
            _ = try f(1)
        }
        // Make it a schema-1 index: the columns the old version had, no identity, no checksum.
        do {
            let index = try ArrayCacheIndex(directory: dir.path)
            try index.connection.execute("""
                ALTER TABLE entries DROP COLUMN file_identity;
                ALTER TABLE entries DROP COLUMN checksum;
                UPDATE cache_meta SET value = '1' WHERE name = 'schema';
                """)
        }
        let memory = try ArrayMemory(directory: dir.path)
        let schema = try ArrayCacheIndex(directory: dir.path).connection.scalarText("SELECT value FROM cache_meta WHERE name = 'schema'")
        #expect(schema == "2")
        let computed = Mutex(0)
        let f = try memory.cached(name: "legacy", version: "1") { (seed: Int) in
            computed.withLock { $0 += 1 }
            return try Self.compute(seed)
        }
        #expect(try f(1).elements == (try Self.compute(1)).elements)
        #expect(try f(1).elements == (try Self.compute(1)).elements)
        #expect(computed.withLock { $0 } == 1)
        #expect(memory.cache.stats.decodeFailures == 0)
        #expect(try memory.cache.entries().allSatisfy { $0.checksum != nil && $0.fileIdentity != nil })
    }

    /// A memory-mapped hit of a file this process has not verified hashes it once; later
    /// hits of the same file identity do not, and a changed identity is refused even then.
    @Test func mappedLoadsVerifyOncePerFileIdentity() throws {
        let dir = TemporaryDirectory("integrity-once")
        defer { dir.cleanup() }
        let cache = try ArrayCache(directory: dir.path, options: ArrayCacheOptions(loadMode: .memoryMapped))
        let key = try CacheKey(name: "once", arguments: 1)
        try cache.setArray(try Self.compute(1), forKey: key)
        let entry = try #require(try cache.entry(forKey: key))
        let record = ArrayFileIntegrity.Verified(path: dir.file(entry.file), identity: try #require(entry.fileIdentity), checksum: try #require(entry.checksum))
        #expect(ArrayFileIntegrity.isVerified(record), "the writing process knows its own file")
        ArrayFileIntegrity.verified.withLock { _ = $0.remove(record) }
        #expect(try cache.array(forKey: key, as: ShapedArray<Double>.self)?.isMemoryMapped == true)
        #expect(ArrayFileIntegrity.isVerified(record))
        #expect(try cache.array(forKey: key, as: ShapedArray<Double>.self) != nil)
        #expect(cache.stats.decodeFailures == 0)
    }
}
