import CacheAutoSelect
import CacheCore
import CacheFunctools
import Testing
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

@Suite struct PresetTests {
    @Test func presetsPickTheirEngines() throws {
        let everything = everythingBuilt()
        #expect(try CachePreset.numericArrays().explain(for: [Double].self, availability: everything).chosen?.engine == "CacheJoblib")
        #expect(try CachePreset.jsonDocuments().explain(for: Report.self, availability: everything).chosen?.engine == "CacheDisk")
        #expect(try CachePreset.images().explain(for: Data.self, availability: everything).chosen?.engine == "CacheDisk")
        #expect(try CachePreset.tabular().explain(for: [String: [Double]].self, availability: everything).chosen?.engine == "CacheJoblib")
        let forType = try CachePreset.forType([String: Int].self, hints: .init(access: .frequency)).explain(for: [String: Int].self, availability: everything)
        #expect(forType.chosen?.engine == "CacheBox")
        #expect(forType.chosen?.configuration.policy == .lfu)
    }

    @Test func anUnlinkedPreferredBackendIsARecordedFallback() throws {
        let withoutJoblib = registry(["CacheTools", "CacheDisk"])
        let e = try CachePreset.numericArrays().explain(for: [Double].self, availability: withoutJoblib)
        #expect(e.chosen?.engine == "CacheDisk")
        #expect(e.chosenBy == "preset numeric-arrays")
        #expect(e.missingEngines == ["CacheJoblib"])
        #expect(e.fallback == "CacheJoblib was recommended first; CacheJoblib not available (not registered: link the CacheJoblib product and call its register(in:)); fell back to CacheDisk")
        // Nothing persistent linked at all: the preset's long-term persistence cannot be kept,
        // so nothing is chosen (memoize throws CacheSelectionError) — not a silent memory cache.
        let memoryOnly = CacheRegistry()
        CacheFunctoolsEngine.register(in: memoryOnly)
        let last = try CachePreset.images().explain(for: Data.self, availability: memoryOnly)
        #expect(last.chosen == nil)
        #expect(last.requiredCapabilities == [.persistent])
        #expect(last.skipped.contains { $0.contains("CacheFunctools") && $0.contains("lacks [persistent]") })
    }

    @Test func anUnlinkedRequiredBackendIsATypedError() throws {
        let withoutJoblib = registry(["CacheTools", "CacheDisk"])
        let preset = CachePreset.numericArrays(requirement: .required)
        do {
            _ = try preset.explain(for: [Double].self, availability: withoutJoblib)
            Issue.record("expected CacheEngineUnavailableError")
        } catch {
            #expect(error.engine == "CacheJoblib")
            #expect(error.registered == ["CacheDisk", "CacheTools"])
            #expect(error.description.contains("numeric-arrays preset requires it"))
        }
        #expect(throws: CacheEngineUnavailableError.self) {
            _ = try memoize(preset: preset, name: "vectors", registry: withoutJoblib) { (n: Int) in [Double](repeating: 0, count: n) }
        }
        // Linked: fine.
        #expect(try preset.explain(for: [Double].self, availability: everythingBuilt()).chosen?.engine == "CacheJoblib")
    }

    @Test func presetsWorkDirectlyWithMemoize() throws {
        let linked = registry(["CacheTools", "CacheDisk"])
        let calls = Counter()
        let vectors = try memoize(preset: .numericArrays(), name: "vectors", registry: linked) { (n: Int) -> [Double] in
            calls.increment()
            return (0..<n).map(Double.init)
        }
        #expect(vectors.engine == "CacheDisk")
        #expect(engineOf(vectors.memoized.store) == "CacheDisk")
        #expect(try vectors(5) == [0, 1, 2, 3, 4])
        #expect(try vectors(5) == [0, 1, 2, 3, 4])
        #expect(calls.value == 1)
        #expect(vectors.info.hits == 1)

        let onlyFunctools = CacheRegistry()
        CacheFunctoolsEngine.register(in: onlyFunctools)
        let counts = try memoize(preset: .forType(Int.self), name: "count", registry: onlyFunctools) { (s: String) in s.count }
        #expect(counts.engine == "CacheFunctools")
        #expect(try counts("four") == 4)
    }
}
