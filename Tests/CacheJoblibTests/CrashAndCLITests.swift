import CacheCore
import CacheJoblib
import CacheTestKit
import Foundation
import Testing

/// Real subprocesses: `cachectl` built beside this test bundle.
@Suite struct CrashAndCLITests {
    static func cachectlPath() -> String? { BuiltExecutable.path("cachectl") }

    static func run(_ cachectl: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: cachectl)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// A writer killed with SIGKILL at arbitrary points leaves only whole results visible.
    @Test func processKilledMidWriteLeavesNoHalfFileVisible() throws {
        guard let cachectl = Self.cachectlPath() else {
            print("skipping: the cachectl executable was not found beside the test bundle (\(CommandLine.arguments[0]))")
            return
        }
        let dir = TemporaryDirectory("crash")
        defer { dir.cleanup() }
        let observer = try ArrayCache(directory: dir.path)
        for round in 0..<3 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: cachectl)
            process.arguments = ["joblib-crash-writer", dir.path, "--count", "\(200_000 + round * 37_123)"]
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            let target = observer.count + 2
            let deadline = Date().addingTimeInterval(30)
            while observer.count < target && Date() < deadline && process.isRunning { usleep(5_000) }
            usleep(UInt32(1_000 + round * 3_000))   // land somewhere inside a later write
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            #expect(process.terminationReason == .uncaughtSignal)
        }
        let cache = try ArrayCache(directory: dir.path, options: ArrayCacheOptions(loadMode: .memoryMapped))
        let entries = try cache.entries()
        #expect(entries.count >= 6)
        for entry in entries {
            let key = try #require(CacheKey(storageBytes: entry.key))
            let array = try #require(try cache.array(forKey: key, as: ShapedArray<Double>.self), "entry \(entry.file) must load")
            let first = array[flat: 0]
            let whole = array.withUnsafeBufferPointer { $0.dropFirst().allSatisfy { $0 == first * 0.5 } }
            #expect(whole, "entry \(entry.file) holds a half-written array")
        }
        #expect(cache.stats.decodeFailures == 0)
        // Leftovers of the killed writes (temporary files) are swept, entries stay.
        try cache.sweep(temporaryOlderThan: 0, orphanAge: 0)
        #expect(PosixList.names(dir.path + "/tmp").isEmpty)
        #expect(cache.count == entries.count)
    }

    /// Two processes writing the same keys into one directory at once: every entry stays whole.
    @Test func twoWriterProcessesShareADirectory() throws {
        guard let cachectl = Self.cachectlPath() else {
            print("skipping: the cachectl executable was not found beside the test bundle")
            return
        }
        let dir = TemporaryDirectory("two-writers")
        defer { dir.cleanup() }
        let observer = try ArrayCache(directory: dir.path)
        let writers = try [150_000, 90_001].map { count -> Process in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: cachectl)
            process.arguments = ["joblib-crash-writer", dir.path, "--count", "\(count)"]
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            return process
        }
        let deadline = Date().addingTimeInterval(30)
        while observer.count < 12 && Date() < deadline && writers.allSatisfy(\.isRunning) {
            // Read while they write: every hit must be a whole array.
            for entry in (try? observer.entries()) ?? [] {
                guard let key = CacheKey(storageBytes: entry.key),
                      let array = try? observer.array(forKey: key, as: ShapedArray<Double>.self) else { continue }
                let first = array[flat: 0]
                #expect(array.withUnsafeBufferPointer { $0.dropFirst().allSatisfy { $0 == first * 0.5 } })
            }
            usleep(5_000)
        }
        for writer in writers {
            #expect(writer.isRunning, "a writer failed while sharing the directory")
            kill(writer.processIdentifier, SIGKILL)
            writer.waitUntilExit()
        }
        #expect(observer.count >= 12)
        #expect(observer.stats.decodeFailures == 0)
    }

    @Test func cachectlStatsAndClearUnderstandAnArrayCache() throws {
        guard let cachectl = Self.cachectlPath() else {
            print("skipping: the cachectl executable was not found beside the test bundle")
            return
        }
        let dir = TemporaryDirectory("cli")
        defer { dir.cleanup() }
        do {
            let cache = try ArrayCache(directory: dir.path)
            for i in 0..<3 { try cache.setArray([Double(i)], forKey: CacheKey(name: "alpha", version: "1", arguments: i)) }
            try cache.setArray([1.0], forKey: CacheKey(name: "beta", arguments: 0))
            _ = try cache.array(forKey: CacheKey(name: "beta", arguments: 0), as: [Double].self)
        }
        let stats = try Self.run(cachectl, ["stats", dir.path, "--json"])
        #expect(stats.status == 0, "\(stats.output)")
        let report = try JSONSerialization.jsonObject(with: Data(stats.output.utf8)) as? [String: Any]
        #expect(report?["entries"] as? Int == 4)
        #expect(report?["hits"] as? Int == 1)
        #expect((report?["functions"] as? [[String: Any]])?.map { $0["namespace"] as? String } == ["alpha@1", "beta"])
        let text = try Self.run(cachectl, ["stats", dir.path])
        #expect(text.output.contains("alpha@1: 3 entries"))

        let clearAlpha = try Self.run(cachectl, ["clear", dir.path, "--function", "alpha"])
        #expect(clearAlpha.status == 0 && clearAlpha.output.contains("removed 3 entries of alpha"))
        let clearAll = try Self.run(cachectl, ["clear", dir.path])
        #expect(clearAll.status == 0 && clearAll.output.contains("0 entries, 0 bytes remain"))
        let notACache = try Self.run(cachectl, ["stats", dir.path + "/arrays"])
        #expect(notACache.status == 64 && notACache.output.contains("holds no cache"))
    }
}

enum PosixList {
    static func names(_ path: String) -> [String] { (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] }
}
