import CacheCore
import CacheDisk
import Foundation
import Synchronization

extension DiskWorkerCommand {
    /// `async-memoize`: an `AsyncMemoized` over an `AsyncDiskStore` in the directory, whose
    /// body takes 200 ms, called for keys 0..<count in order. Prints one JSON line: how many
    /// times this process ran the body and how many results were wrong — processes started
    /// together compute each key once between them (the disk lease).
    func asyncMemoize() throws {
        let store = AsyncDiskStore(try DiskStore<AsyncCacheEntry<Int>>(directory: directory))
        let computations = Mutex(0)
        let cache = try AsyncCache(store: store, name: "async-memoize-worker")
        let slowDouble = try AsyncMemoized(cache: cache, name: "slow-double") { (n: Int) async throws -> Int in
            computations.withLock { $0 += 1 }
            try await Task.sleep(for: .milliseconds(200))
            return n * 2
        }
        if barrier {
            print("ready")
            fflush(nil)
            _ = readLine()
        }
        let wrong = Mutex(0)
        let keys = count
        try runDetachedBench {
            for n in 0..<keys where try await slowDouble(n) != n * 2 { wrong.withLock { $0 += 1 } }
        }
        let json = ["computations": computations.withLock { $0 }, "wrong": wrong.withLock { $0 }]
        print(String(decoding: try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys]), as: UTF8.self))
    }
}
