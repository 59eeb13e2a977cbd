import CacheCore
import CacheDisk
import CacheTestKit
import Foundation
import Synchronization
import Testing

/// `AsyncDiskStore` adopts CacheCore's `ExclusiveLoadingStore` with the lease rows
/// `DiskStore` uses, and `AsyncCache`/`AsyncMemoized` load under it: callers in different
/// cache instances or processes over one directory compute a missing key once.
@Suite(.serialized) struct AsyncDiskStoreExclusiveLoadTests {
    /// How many times a memoized body ran, across tasks.
    final class Calls: Sendable { let count = Atomic<Int>(0) }

    static func slowDouble(
        over directory: String, counting calls: Calls, erased: Bool
    ) throws -> AsyncMemoized<AnyAsyncCacheStore<CacheKey, AsyncCacheEntry<Int>>, Int, Int> {
        let disk = AsyncDiskStore(try DiskStore<AsyncCacheEntry<Int>>(directory: directory))
        // Through the type-erased store too: the erasure looks through to the lease.
        let store = AnyAsyncCacheStore(erased ? AnyAsyncCacheStore(disk) : disk)
        return try AsyncMemoized(cache: AsyncCache(store: store), name: "slow-double") { (n: Int) async throws -> Int in
            calls.count.add(1, ordering: .relaxed)
            try await Task.sleep(for: .milliseconds(200))  // long enough for the other instance to arrive and wait
            return n * 2
        }
    }

    @Test func asyncMemoizedOverTwoInstancesOfOneDirectoryComputesAMissingKeyOnce() async throws {
        let directory = temporaryDirectory("async-exclusive")
        let calls = Calls()
        let first = try Self.slowDouble(over: directory, counting: calls, erased: false)
        let second = try Self.slowDouble(over: directory, counting: calls, erased: true)
        async let a = first(21)
        async let b = second(21)
        let results = await [try a, try b]
        #expect(results == [42, 42])
        #expect(calls.count.load(ordering: .relaxed) == 1)
        // Both instances now hold the value: no further computation.
        #expect(try await second(21) == 42)
        #expect(calls.count.load(ordering: .relaxed) == 1)
    }

    @Test func theOutcomesOfAnAsyncExclusiveLoad() async throws {
        let store = AsyncDiskStore(try DiskStore<Int>(directory: temporaryDirectory("async-exclusive-outcomes")))
        let key = try CacheKey(name: "f", arguments: 1)
        guard case .loaded(let stored) = try await store.withExclusiveLoad(forKey: key, {
            try await store.setValue(7, forKey: key, ttl: nil)
            return 7
        }) else { Issue.record("expected .loaded"); return }
        #expect(stored == 7)
        guard case .found(let found, let waited) = try await store.withExclusiveLoad(forKey: key, { () -> Int in
            Issue.record("loaded although the value is present"); return 0
        }) else { Issue.record("expected .found"); return }
        #expect(found == 7 && !waited)
        struct Boom: Error {}
        let other = try CacheKey(name: "f", arguments: 2)
        await #expect(throws: Boom.self) { _ = try await store.withExclusiveLoad(forKey: other, { () -> Int in throw Boom() }) }
        // A failed load released the lease: the next caller loads at once.
        guard case .loaded = try await store.withExclusiveLoad(forKey: other, { 1 }) else { Issue.record("lease not released"); return }
    }

    @Test(.timeLimit(.minutes(1))) func twoProcessesComputeEachMissingKeyOnce() throws {
        guard let cachectl = BuiltExecutable.path("cachectl") else {
            print("skipping: the cachectl executable was not found beside the test bundle (\(CommandLine.arguments[0]))")
            return
        }
        let directory = temporaryDirectory("async-exclusive-processes")
        _ = try DiskCache(directory: directory)  // created once, so the workers only open it
        let keys = 4
        var workers: [(process: Process, input: Pipe, output: Pipe)] = []
        for _ in 0..<2 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: cachectl)
            process.arguments = ["disk-worker", "async-memoize", directory, "--count", "\(keys)", "--barrier"]
            let input = Pipe(), output = Pipe()
            process.standardInput = input
            process.standardOutput = output
            try process.run()
            workers.append((process, input, output))
        }
        for worker in workers {
            // "ready\n": the worker has opened its cache and waits at the barrier.
            #expect(worker.output.fileHandleForReading.readData(ofLength: 6) == Data("ready\n".utf8))
        }
        for worker in workers { worker.input.fileHandleForWriting.write(Data("go\n".utf8)) }
        var computations = 0
        for worker in workers {
            let output = worker.output.fileHandleForReading.readDataToEndOfFile()
            worker.process.waitUntilExit()
            #expect(worker.process.terminationStatus == 0)
            let result = try #require(try JSONSerialization.jsonObject(with: output) as? [String: Int], "\(String(decoding: output, as: UTF8.self))")
            #expect(result["wrong"] == 0)
            computations += result["computations"] ?? 0
        }
        #expect(computations == keys, "each key computed once between both processes")
    }
}
