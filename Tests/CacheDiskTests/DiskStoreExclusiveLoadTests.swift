import CacheCore
import CacheDisk
import Foundation
import Synchronization
import Testing

/// `DiskStore` adopts CacheCore's `ExclusiveLoadingCacheStore`, and `Memoized` uses it:
/// callers in different cache instances (as in different processes) over one directory
/// compute a missing key once.
@Suite struct DiskStoreExclusiveLoadTests {
    @Test func memoizedOverTwoInstancesOfOneDirectoryComputesAMissingKeyOnce() throws {
        let directory = temporaryDirectory("exclusive")
        let calls = Atomic<Int>(0)
        let function: @Sendable (Int) -> Int = { n in
            calls.add(1, ordering: .relaxed)
            Thread.sleep(forTimeInterval: 0.2)  // long enough for the other instance to arrive and wait
            return n * 2
        }
        let first = try Memoized(store: DiskStore<Int>(directory: directory), name: "slow", function)
        let second = try Memoized(store: AnyCacheStore(DiskStore<Int>(directory: directory)), name: "slow", function)
        let results = Mutex<[Int]>([])
        let threads = [
            Thread { let v = (try? first(21)) ?? -2; results.withLock { $0.append(v) } },
            Thread { let v = (try? second(21)) ?? -2; results.withLock { $0.append(v) } },
        ]
        threads.forEach { $0.start() }
        while results.withLock({ $0.count }) < 2 { Thread.sleep(forTimeInterval: 0.01) }
        #expect(results.withLock { $0 } == [42, 42])
        #expect(calls.load(ordering: .relaxed) == 1)
    }

    @Test func theOutcomesOfAnExclusiveLoad() throws {
        let store = try DiskStore<Int>(directory: temporaryDirectory("exclusive-outcomes"))
        let key = try CacheKey(name: "f", arguments: 1)
        guard case .loaded(let stored) = try store.withExclusiveLoad(forKey: key, {
            try store.setValue(7, forKey: key, ttl: nil)
            return 7
        }) else { Issue.record("expected .loaded"); return }
        #expect(stored == 7)
        guard case .found(let found, let waited) = try store.withExclusiveLoad(forKey: key, { () -> Int in
            Issue.record("loaded although the value is present"); return 0
        }) else { Issue.record("expected .found"); return }
        #expect(found == 7 && !waited)
        struct Boom: Error {}
        let other = try CacheKey(name: "f", arguments: 2)
        #expect(throws: Boom.self) { _ = try store.withExclusiveLoad(forKey: other, { () -> Int in throw Boom() }) }
        // A failed load released the lease: the next caller loads at once.
        guard case .loaded = try store.withExclusiveLoad(forKey: other, { 1 }) else { Issue.record("lease not released"); return }
    }
}
