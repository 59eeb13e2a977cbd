import CacheCore
import Dispatch
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct Boom: Error, Equatable { var n: Int }

@Suite struct MemoizeTests {
    @Test func hitsAndMissesAreCounted() throws {
        let calls = Atomic<Int>(0)
        let square = try Memoized(store: DictionaryStore<ArgumentsKey<Int>, Int>()) { (n: Int) in
            calls.add(1, ordering: .relaxed)
            return n * n
        }
        #expect(try square(4) == 16)
        #expect(try square(4) == 16)
        #expect(try square(5) == 25)
        #expect(calls.load(ordering: .relaxed) == 2)
        let info = square.info
        #expect(info.hits == 1)
        #expect(info.loadSuccesses == 2)
        try square.clear()
        #expect(square.store.count == 0)
        #expect(try square(4) == 16)
        #expect(calls.load(ordering: .relaxed) == 3)
    }

    @Test func severalArguments() throws {
        let f = try Memoized(store: DictionaryStore<ArgumentsKey<Int, String, Bool>, String>()) { (a: Int, b: String, c: Bool) in
            "\(a)\(b)\(c)"
        }
        #expect(try f(1, "x", true) == "1xtrue")
        #expect(try f(1, "x", false) == "1xfalse")
        #expect(f.store.count == 2)
    }

    @Test func recursionThroughTheCache() throws {
        let calls = Atomic<Int>(0)
        let fib = try Memoized(store: DictionaryStore<ArgumentsKey<Int>, Int>()) { (fib, n: Int) throws -> Int in
            calls.add(1, ordering: .relaxed)
            return n < 2 ? n : try fib(n - 1) + fib(n - 2)
        }
        #expect(try fib(90) == 2_880_067_194_370_816_120)
        #expect(calls.load(ordering: .relaxed) == 91)
    }

    @Test func selfRecursionWithTheSameKeyIsReportedNotDeadlocked() throws {
        let bad = try Memoized(store: DictionaryStore<ArgumentsKey<Int>, Int>()) { (me, n: Int) throws -> Int in
            try me(n)
        }
        #expect(throws: MemoizeRecursionError.self) { try bad(1) }
    }

    @Test func singleFlightRunsOneComputationForManyThreads() throws {
        let calls = Atomic<Int>(0)
        let slow = try Memoized(store: DictionaryStore<ArgumentsKey<Int>, Int>()) { (n: Int) -> Int in
            calls.add(1, ordering: .relaxed)
            usleep(50_000)
            return n + 1
        }
        let results = Mutex<[Int]>([])
        DispatchQueue.concurrentPerform(iterations: 32) { _ in
            let v = try! slow(41)
            results.withLock { $0.append(v) }
        }
        #expect(calls.load(ordering: .relaxed) == 1)
        #expect(results.withLock { $0 } == Array(repeating: 42, count: 32))
    }

    @Test func errorsAreNotCachedByDefault() throws {
        let calls = Atomic<Int>(0)
        let f = try Memoized(store: DictionaryStore<ArgumentsKey<Int>, Int>()) { (n: Int) throws -> Int in
            calls.add(1, ordering: .relaxed)
            throw Boom(n: n)
        }
        #expect(throws: Boom(n: 3)) { try f(3) }
        #expect(throws: Boom(n: 3)) { try f(3) }
        #expect(calls.load(ordering: .relaxed) == 2)
        #expect(f.info.loadFailures == 2)
    }

    @Test func errorsAreCachedWhenAsked() throws {
        let calls = Atomic<Int>(0)
        let f = try Memoized(store: DictionaryStore<ArgumentsKey<Int>, Int>(), options: .init(cacheErrors: true)) { (n: Int) throws -> Int in
            calls.add(1, ordering: .relaxed)
            throw Boom(n: n)
        }
        #expect(throws: Boom(n: 3)) { try f(3) }
        #expect(throws: Boom(n: 3)) { try f(3) }
        #expect(calls.load(ordering: .relaxed) == 1)
    }

    @Test func conditionDecidesWhatIsCached() throws {
        let f = try Memoized(store: DictionaryStore<ArgumentsKey<Int>, [Int]>(), options: .init(shouldCache: { !$0.isEmpty })) { (n: Int) in
            Array(0..<n)
        }
        _ = try f(0)
        _ = try f(3)
        #expect(f.store.count == 1)
    }

    @Test func storeFailureStillReturnsTheValue() throws {
        let reported = Mutex<[String]>([])
        let f = try Memoized(
            store: DictionaryStore<ArgumentsKey<Int>, Int>(failSets: true),
            options: .init(onStoreFailure: { error, key in reported.withLock { $0.append("\(error)") } })
        ) { (n: Int) in n * 3 }
        #expect(try f(2) == 6)
        #expect(f.info.storeFailures == 1)
        #expect(reported.withLock { $0.count } == 1)
        #expect(reported.withLock { $0[0] }.contains("disk full"))
    }

    @Test func persistentStoresKeyByNameAndCanonicalArguments() throws {
        let store = DictionaryStore<CacheKey, Int>()
        let v1 = try Memoized(store: store, name: "triple", version: "1") { (n: Int) in n * 3 }
        let v2 = try Memoized(store: store, name: "triple", version: "2") { (n: Int) in n * 3 + 1 }
        #expect(try v1(2) == 6)
        #expect(try v2(2) == 7)
        #expect(store.count == 2)
        #expect(try store.contains(CacheKey(name: "triple", version: "1", arguments: 2)))
        #expect(throws: CacheConfigurationError.self) {
            _ = try Memoized(store: store, name: "") { (n: Int) in n }
        }
    }

    @Test func ttlNeedsAStoreThatExpires() {
        #expect(throws: CacheConfigurationError.self) {
            _ = try Memoized(store: DictionaryStore<ArgumentsKey<Int>, Int>(), options: .init(ttl: .seconds(5))) { (n: Int) in n }
        }
    }
}
