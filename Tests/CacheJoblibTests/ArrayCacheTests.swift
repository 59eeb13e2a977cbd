import CacheCore
@testable import CacheJoblib
import Foundation
import Synchronization
import Testing

@Suite struct ArrayCacheTests {
    static func signal(_ n: Int, seed: Double = 1) -> ShapedArray<Double> {
        try! ShapedArray(shape: [n]) { buffer in
            for i in 0..<n { buffer[i] = sin(Double(i) * 0.001 * seed) }
        }
    }

    @Test func memoizedArrayIsComputedOnceAndMappedByAFreshInstance() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let calls = Atomic<Int>(0)
        let input = Self.signal(300_000)
        do {
            let memory = try ArrayMemory(directory: dir.path)
            let doubled = try memory.cached(name: "double", version: "1") { (x: ShapedArray<Double>, factor: Double) in
                calls.add(1, ordering: .relaxed)
                return try ShapedArray(shape: x.shape) { out in
                    x.withUnsafeBufferPointer { for i in 0..<$0.count { out[i] = $0[i] * factor } }
                }
            }
            let first = try doubled(input, 2)
            let second = try doubled(input, 2)
            #expect(first == second)
            #expect(calls.load(ordering: .relaxed) == 1)
            #expect(second.isMemoryMapped, "a 2.4 MB hit is memory-mapped by default")
            _ = try doubled(input, 3)
            #expect(calls.load(ordering: .relaxed) == 2, "another scalar argument is another key")
        }
        // A fresh instance (as after a restart) serves the stored result.
        let memory = try ArrayMemory(directory: dir.path)
        let doubled = try memory.cached(name: "double", version: "1") { (x: ShapedArray<Double>, factor: Double) -> ShapedArray<Double> in
            calls.add(1, ordering: .relaxed)
            return x
        }
        let hit = try doubled(input, 2)
        #expect(calls.load(ordering: .relaxed) == 2)
        #expect(hit.isMemoryMapped)
        #expect(hit[flat: 1234] == input[flat: 1234] * 2)
        let entries = try memory.cache.entries()
        #expect(entries.count == 2)
        let entry = try #require(entries.first { $0.hits == 2 }, "one hit in each instance")
        #expect(entry.function == "double" && entry.version == "1" && entry.dtype == "<f8" && entry.shape == "[300000]")
        #expect(entry.hashAlgorithm == "xxh3-128" && entry.compression == "none")
        #expect(entry.rawBytes == 300_000 * 8 + 128 && entry.fileBytes == entry.rawBytes)
        #expect(FileManager.default.fileExists(atPath: dir.file(entry.file)))
        #expect(memory.cache.stats.count == 2)
    }

    @Test func plainArraysAndSmallReads() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let cache = try ArrayCache(directory: dir.path)
        let key = try CacheKey(name: "small", arguments: 1)
        try cache.setArray([1.0, 2, 3] as [Double], forKey: key)
        #expect(try cache.array(forKey: key, as: [Double].self) == [1, 2, 3])
        let shaped = try #require(try cache.array(forKey: key, as: ShapedArray<Double>.self))
        #expect(!shaped.isMemoryMapped, "small arrays are read, not mapped")
        #expect(try cache.array(forKey: key, as: ContiguousArray<Double>.self) == [1, 2, 3])
        let bools = try CacheKey(name: "bools", arguments: 1)
        try cache.setArray([true, false], forKey: bools)
        #expect(try cache.array(forKey: bools, as: [Bool].self) == [true, false])
    }

    @Test func versionChangeMissesAndClearFunctionRemovesEveryVersion() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let memory = try ArrayMemory(directory: dir.path)
        let calls = Atomic<Int>(0)
        func make(_ name: String, _ version: String?) throws -> Memoized<ArrayCacheStore<[Float]>, Int> {
            try memory.cached(name: name, version: version) { (n: Int) -> [Float] in
                calls.add(1, ordering: .relaxed)
                return [Float](repeating: Float(n), count: 4)
            }
        }
        _ = try make("f", "1")(7)
        _ = try make("f", "1")(7)
        #expect(calls.load(ordering: .relaxed) == 1)
        _ = try make("f", "2")(7)
        #expect(calls.load(ordering: .relaxed) == 2, "a changed version misses")
        _ = try make("f", nil)(7)
        _ = try make("fg", "1")(7)
        _ = try make("f2", nil)(7)
        #expect(memory.cache.count == 5)
        #expect(try memory.clear(function: "f") == 3)
        #expect(memory.cache.count == 2, "fg@1 and f2 stay")
        _ = try make("f", "1")(7)
        #expect(calls.load(ordering: .relaxed) == 6)
    }

    @Test func reduceSizeByItemsBytesAndAge() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let clock = ManualCacheClock(start: 1_000)
        let cache = try ArrayCache(directory: dir.path, options: ArrayCacheOptions(hitFlushInterval: 1000, clock: clock))
        let keys = try (0..<10).map { try CacheKey(name: "r", arguments: $0) }
        for (i, key) in keys.enumerated() {
            try cache.setArray([Double](repeating: Double(i), count: 100), forKey: key)
            clock.advance(by: 10)
        }
        _ = try cache.array(forKey: keys[0], as: [Double].self)   // key 0 is now the most recent
        let fileBytes = try #require(try cache.entry(forKey: keys[0])).fileBytes
        #expect(try cache.reduceSize(itemsLimit: 8) == 2)
        #expect(try !cache.contains(keys[1]) && !cache.contains(keys[2]) && cache.contains(keys[0]))
        #expect(try cache.reduceSize(bytesLimit: fileBytes * 5) == 3)
        #expect(cache.count == 5)
        // Ages now: key 6 last accessed at 1060, key 0 at 1100; now is 1100.
        #expect(try cache.reduceSize(ageLimit: .seconds(25)) == 2)   // keys 6 and 7
        #expect(try cache.contains(keys[0]) && cache.contains(keys[9]) && cache.contains(keys[8]))
        #expect(cache.stats.evictions[.size] == 5 && cache.stats.evictions[.expired] == 2)
        #expect(throws: CacheConfigurationError.self) { try cache.reduceSize(itemsLimit: -1) }
    }

    @Test func bytesLimitIsEnforcedOnWrite() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let cache = try ArrayCache(directory: dir.path, options: ArrayCacheOptions(bytesLimit: 3 * (800 + 128)))
        for i in 0..<10 {
            try cache.setArray([Double](repeating: 1, count: 100), forKey: CacheKey(name: "b", arguments: i))
            #expect(cache.stats.bytes <= 3 * (800 + 128))
        }
        #expect(cache.count == 3)
        #expect(throws: CacheStoreError.self) {
            try cache.setArray([Double](repeating: 1, count: 1000), forKey: CacheKey(name: "b", arguments: "huge"))
        }
    }

    @Test func compressionIsRecordedAndRead() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let cache = try ArrayCache(directory: dir.path, options: ArrayCacheOptions(loadMode: .memoryMapped, compression: .zlib(level: 6)))
        let key = try CacheKey(name: "z", arguments: 1)
        let value = try ShapedArray((0..<200_000).map { Double($0 % 10) }, shape: [400, 500])
        try cache.setArray(value, forKey: key)
        let entry = try #require(try cache.entry(forKey: key))
        #expect(entry.compression == "zlib" && entry.compressionLevel == 6)
        #expect(entry.fileBytes < entry.rawBytes / 10)
        #expect(entry.file.hasSuffix(".npy.zlib"))
        // A reader with other options still reads it: the index says how.
        let reader = try ArrayCache(directory: dir.path)
        let loaded = try #require(try reader.array(forKey: key, as: ShapedArray<Double>.self))
        #expect(loaded == value && !loaded.isMemoryMapped)
        try cache.setValue("summary", forKey: CacheKey(name: "z", arguments: 2), serializer: CacheSerializers.default(for: String.self))
        #expect(try reader.value(forKey: CacheKey(name: "z", arguments: 2), serializer: CacheSerializers.default(for: String.self)) == "summary")
        #expect(throws: CacheConfigurationError.self) {
            _ = try ArrayCache(directory: dir.file("bad"), options: ArrayCacheOptions(compression: .zlib(level: 12)))
        }
        #expect(throws: CacheConfigurationError.self) {
            _ = try ArrayCache(directory: dir.file("bad"), options: ArrayCacheOptions(hitFlushInterval: 0))
        }
    }

    struct Summary: Codable, Equatable, Sendable { var mean: Double; var label: String }

    @Test func nonArrayResultsShareTheStore() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let memory = try ArrayMemory(directory: dir.path)
        let calls = Atomic<Int>(0)
        let summarize = try memory.cachedValue(name: "summarize") { (x: ShapedArray<Double>) -> Summary in
            calls.add(1, ordering: .relaxed)
            return Summary(mean: x.withUnsafeBufferPointer { $0.reduce(0, +) } / Double(x.count), label: "n=\(x.count)")
        }
        let input = try ShapedArray([1.0, 2, 3, 6])
        #expect(try summarize(input) == Summary(mean: 3, label: "n=4"))
        #expect(try summarize(input) == Summary(mean: 3, label: "n=4"))
        #expect(calls.load(ordering: .relaxed) == 1)
        let total = try memory.cachedValue(name: "total") { (x: [Int]) in x.reduce(0, +) }
        #expect(try total([1, 2, 3]) == 6 && total([1, 2, 3]) == 6)
        // Asking for an array where a value is stored (or the other way round) is a miss.
        let key = try CacheKey(name: "total", arguments: [1, 2, 3])
        #expect(try memory.cache.array(forKey: key, as: [Double].self) == nil)
        #expect(memory.cache.stats.decodeFailures == 1)
    }

    @Test func hitBookkeepingIsBatched() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let cache = try ArrayCache(directory: dir.path, options: ArrayCacheOptions(hitFlushInterval: 10))
        let key = try CacheKey(name: "h", arguments: 1)
        try cache.setArray([1.0], forKey: key)
        let observer = try ArrayCache(directory: dir.path)
        for _ in 0..<9 { _ = try cache.array(forKey: key, as: [Double].self) }
        #expect(try observer.entries().first?.hits == 0, "nine hits wrote nothing yet")
        #expect(try cache.entry(forKey: key)?.hits == 9, "the instance itself sees its pending hits")
        _ = try cache.array(forKey: key, as: [Double].self)
        #expect(try observer.entries().first?.hits == 10, "the tenth hit flushed the batch")
        _ = try cache.array(forKey: key, as: [Double].self)
        try cache.flushHitBookkeeping()
        #expect(try observer.entries().first?.hits == 11)
        #expect(cache.stats.hits == 11)
    }

    /// Replaces the first occurrence of `old` by `new` (same length) in the file at `path`.
    static func replaceInFile(_ path: String, _ old: String, _ new: String) throws {
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let range = try #require(bytes.firstRange(of: Array(old.utf8)))
        bytes.replaceSubrange(range, with: Array(new.utf8))
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    /// Replaces the file behind `key` with `bytes` (as another process or a disk fault might).
    func tamper(_ cache: ArrayCache, _ key: CacheKey, _ body: (String) throws -> Void) throws {
        let entry = try #require(try cache.entry(forKey: key))
        try body(cache.directory + "/" + entry.file)
    }

    @Test func damagedFilesAreMissesNeverWrongNumbers() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        for mode in [ArrayLoadMode.memoryMapped, .copy] {
            let cache = try ArrayCache(directory: dir.path, options: ArrayCacheOptions(loadMode: mode))
            try cache.removeAll()
            let value = (0..<1000).map(Double.init)
            let cases: [(String, (String) throws -> Void)] = [
                ("truncated body", { path in truncate(path, 128 + 4000) }),
                ("bad magic", { path in
                    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
                    try handle.write(contentsOf: Data("XNUMPY".utf8)); try handle.close()
                }),
                ("header lies about shape", { path in try Self.replaceInFile(path, "(1000,)", "(1001,)") }),
                ("header lies about dtype", { path in try Self.replaceInFile(path, "<f8", "<i8") }),
                ("big-endian from elsewhere", { path in try Self.replaceInFile(path, "<f8", ">f8") }),
                ("Fortran order", { path in
                    try Data(NumPyFileTests.npy(dict: "{'descr': '<f8', 'fortran_order': True, 'shape': (10, 100), }", body: [UInt8](repeating: 0, count: 8000))).write(to: URL(fileURLWithPath: path))
                }),
                ("deleted", { path in unlink(path) }),
            ]
            for (i, (label, damage)) in cases.enumerated() {
                let key = try CacheKey(name: "damaged", arguments: label, i)
                try cache.setArray(value, forKey: key)
                try tamper(cache, key, damage)
                #expect(try cache.array(forKey: key, as: [Double].self) == nil, "\(label) (\(mode)) must miss")
                #expect(try !cache.contains(key), "\(label): the bad entry is dropped")
            }
            #expect(cache.stats.decodeFailures == cases.count - 1, "every damaged file but the deleted one counts as a decode failure")
        }
    }
}
