import CacheAutoSelect
import CacheCore
import CacheFunctools
import Testing

@Suite struct AutoMemoizeTests {
    @Test func reDecidesFromObservedResultsWithoutRunningTheFunctionTwice() throws {
        let linked = everythingBuilt()
        let calls = Counter()
        let render = try autoMemoize(name: "render", registry: linked) { (n: Int) -> String in
            calls.increment()
            return String(repeating: "x", count: n)
        }
        #expect(render.initialExplanation.chosen?.engine == "CacheTools")
        #expect(try render(100).count == 100)  // small → memory
        #expect(render.currentEngine == "CacheTools")
        #expect(calls.value == 1)
        #expect(try render(3_000_000).count == 3_000_000)  // large → disk, decided from the result
        #expect(calls.value == 2)
        #expect(render.currentEngine == "CacheDisk")
        #expect(render.tiers.map { $0.choice.engine } == ["CacheTools", "CacheDisk"])
        // Both results are served from where they were stored; nothing recomputed.
        #expect(try render(100).count == 100)
        #expect(try render(3_000_000).count == 3_000_000)
        #expect(calls.value == 2)
        #expect(try render.tiers[0].store.contains(CacheKey(name: "render", arguments: 100)))
        #expect(try !render.tiers[1].store.contains(CacheKey(name: "render", arguments: 100)))
        #expect(try render.tiers[1].store.contains(CacheKey(name: "render", arguments: 3_000_000)))
        // Smaller results later do not move it back.
        #expect(try render(5).count == 5)
        #expect(render.currentEngine == "CacheDisk")
        #expect(render.history.count == 3)
        #expect(render.info.hits == 2)
        #expect(render.info.loadSuccesses == 3)
    }

    @Test func sameEngineForALargerClassKeepsTheStore() throws {
        let linked = registry(["CacheTools"])
        let calls = Counter()
        let f = try autoMemoize(name: "grow", registry: linked) { (n: Int) -> String in
            calls.increment()
            return String(repeating: "y", count: n)
        }
        _ = try f(10)
        _ = try f(50_000)  // medium → Klepto/Disk unavailable → default CacheTools again
        #expect(f.tiers.count == 1)
        #expect(f.tiers[0].sizeClass == .medium)
        _ = try f(10)
        #expect(calls.value == 2)
    }

    @Test func concurrentCallersShareOneComputation() async throws {
        let calls = Counter()
        let f = try autoMemoize(name: "slow", registry: everythingBuilt()) { (n: Int) -> Int in
            calls.increment()
            var x = 0
            for i in 0..<200_000 { x &+= i &* n }
            return x
        }
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<8 { group.addTask { for n in 0..<20 { _ = try? f(n) } } }
        }
        #expect(calls.value == 20)
    }

    @Test func errorsAreNotCachedAndStoreFailuresLoseNothing() throws {
        struct Boom: Error {}
        let calls = Counter()
        let f = try autoMemoize(name: "fails", registry: everythingBuilt()) { (n: Int) -> Int in
            calls.increment()
            if n < 0 { throw Boom() }
            return n
        }
        #expect(throws: Boom.self) { try f(-1) }
        #expect(throws: Boom.self) { try f(-1) }
        #expect(calls.value == 2)
        #expect(f.info.loadFailures == 2)
    }

    @Test func badConfigurationFailsAtConstruction() {
        #expect(throws: CacheConfigurationError.self) { _ = try autoMemoize(name: "", registry: everythingBuilt()) { (n: Int) in n } }
        #expect(throws: CacheConfigurationError.self) {
            _ = try autoMemoize(name: "ttl", registry: everythingBuilt(), options: .init(ttl: .seconds(1))) { (n: Int) in n }
        }
        #expect(throws: CacheEngineUnavailableError.self) { _ = try autoMemoize(name: "none", registry: CacheRegistry()) { (n: Int) in n } }
    }

    @Test func staticSelectionFromTheResultType() throws {
        let linked = everythingBuilt()
        let table = try memoize(name: "table", hints: .init(persistence: .longTerm), registry: linked) { (rows: Int) -> [String: [Double]] in
            ["x": (0..<rows).map(Double.init)]
        }
        #expect(table.engine == "CacheJoblib")
        #expect(try table(3) == ["x": [0, 1, 2]])
        #expect(try table(3) == ["x": [0, 1, 2]])
        #expect(table.info.hits == 1)
        let shared = try memoize(name: "shared", hints: .init(concurrency: .multiProcess), registry: linked) { (s: String) in s.uppercased() }
        #expect(shared.engine == "CacheDisk")
        #expect(shared.choice.configuration.namespace == "shared")
    }
}
