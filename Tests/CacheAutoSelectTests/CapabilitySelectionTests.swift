import CacheAsync
import CacheAutoSelect
import CacheCore
import CacheDisk
import CacheFunctools
import CacheJoblib
import CacheRedis
import CacheTools
import Foundation
import Testing

/// Selection by capability: a rule names its family engine first and, when neither it nor
/// an alternative is usable, takes any registered engine declaring what the rule needs.
@Suite struct CapabilitySelectionTests {
    static let acme: CacheEngineID = "AcmeSharedStore"

    /// CacheTools plus a third-party engine shared across processes; no CacheDisk.
    func toolsAndAcme(_ capabilities: CacheStoreCapabilities = [.multiProcess, .persistent]) -> CacheRegistry {
        let registry = CacheRegistry()
        CacheToolsEngine.register(in: registry)
        registry.register(TestEngine(id: Self.acme, traits: CacheEngineTraits(capabilities: capabilities)))
        return registry
    }

    @Test func aThirdPartyMultiProcessEngineStandsInForCacheDiskAndTheExplanationSaysWhichCapabilityMatched() throws {
        let registry = toolsAndAcme()
        let d = DataDescription(String.self, hints: .init(concurrency: .multiProcess))
        let explanation = StrategyChain.shared.explain(d, availability: registry, storeKind: .sync)
        #expect(explanation.chosen?.engine == Self.acme)
        // Chosen by the rule that recommended CacheDisk, not by the last-resort default.
        #expect(explanation.chosenBy == "shared-across-processes")
        #expect(explanation.matchedCapabilities == [.multiProcess])
        let step = try #require(explanation.steps.first { $0.analyzer == "shared-across-processes" })
        #expect(step.engines.map(\.engine) == [KnownEngines.cacheDisk, KnownEngines.cacheKlepto, Self.acme])
        #expect(step.engines.last?.role == .substitute)
        #expect(step.engines.last?.detail.contains("multi-process") == true)
        #expect(explanation.report.contains("standing in for the engines the rule names: it declares [multi-process]"))
        let json = try explanation.json()
        #expect(json.contains("\"matchedCapabilities\" : [\n    \"multi-process\"\n  ]"))
        let decoded = try JSONDecoder().decode(SelectionExplanation.self, from: Data(json.utf8))
        #expect(decoded.matchedCapabilities == [.multiProcess])
        // And through the public memoize entry point.
        let f = try memoize(name: "f", hints: .init(concurrency: .multiProcess), registry: registry) { (n: Int) in "\(n)" }
        #expect(f.engine == Self.acme)
        #expect(try f(3) == "3")
    }

    @Test func anEngineWithoutTheCapabilityIsNotAStandIn() {
        // An engine that persists but is not shared cannot stand in for a multi-process rule.
        let registry = toolsAndAcme([.persistent])
        let d = DataDescription(String.self, hints: .init(concurrency: .multiProcess))
        let explanation = StrategyChain.shared.explain(d, availability: registry, storeKind: .sync)
        #expect(explanation.chosen == nil)
        #expect(explanation.steps.flatMap(\.engines).allSatisfy { $0.role != .substitute })
    }

    @Test func theFamilyEngineWinsOverAStandInWhenItIsRegistered() {
        let registry = toolsAndAcme()
        registry.register(TestEngine(id: KnownEngines.cacheDisk, traits: CacheEngineTraits(
            capabilities: KnownEngines.capabilities[KnownEngines.cacheDisk]!)))
        let d = DataDescription(String.self, hints: .init(concurrency: .multiProcess))
        let explanation = StrategyChain.shared.explain(d, availability: registry, storeKind: .sync)
        #expect(explanation.chosen?.engine == KnownEngines.cacheDisk)
        #expect(explanation.matchedCapabilities == nil)
    }

    @Test func aStandInRefusingItsConfigurationGivesWayToTheNextOneInOrder() {
        let registry = toolsAndAcme()
        registry.register(TestEngine(id: "ZetaSharedStore", traits: CacheEngineTraits(capabilities: [.multiProcess, .persistent])))
        let d = DataDescription(String.self, hints: .init(concurrency: .multiProcess))
        let explanation = StrategyChain.shared.explain(d, availability: registry, storeKind: .sync,
                                                       rejected: [Self.acme: "no space left on device"])
        #expect(explanation.chosen?.engine == "ZetaSharedStore")
        #expect(explanation.fallback?.contains("no space left on device") == true)
    }

    @Test func aBackendMayDeclareACapabilityOfItsOwnAndACustomRuleMayNeedIt() {
        let vectorSearch: CacheCapability = "acme.vector-search"
        let registry = CacheRegistry()
        CacheToolsEngine.register(in: registry)
        registry.register(TestEngine(id: "AcmeVectors", traits: CacheEngineTraits(capabilities: [vectorSearch, .inMemory])))
        let chain = StrategyChain()
        chain.register(ClosureAnalyzer(name: "embeddings", priority: 2_000) { d in
            guard d.type.description.contains("Embedding") else { return nil }
            return Recommendation(engine: "SomeVectorEngine", configuration: try CacheConfiguration(),
                                  reason: "embeddings want a vector index", capabilities: [vectorSearch])
        })
        let d = DataDescription(type: .named("Embedding", codable: true, category: .customCodable))
        let explanation = chain.explain(d, availability: registry, storeKind: .sync)
        #expect(explanation.chosen?.engine == "AcmeVectors")
        #expect(explanation.matchedCapabilities == [vectorSearch])
        #expect(explanation.matchedCapabilities?.names == ["acme.vector-search"])
    }

    @Test func memoryRulesTakeOnlyMemoryEnginesAsStandIns() {
        // Only CacheDisk-like and an in-memory third-party engine: a small value goes to memory.
        let registry = CacheRegistry()
        registry.register(TestEngine(id: KnownEngines.cacheDisk, traits: CacheEngineTraits(
            capabilities: KnownEngines.capabilities[KnownEngines.cacheDisk]!)))
        registry.register(TestEngine(id: "AcmeMemory", traits: CacheEngineTraits(capabilities: [.inMemory])))
        let explanation = StrategyChain.shared.explain(DataDescription(Int.self), availability: registry, storeKind: .sync)
        #expect(explanation.chosen?.engine == "AcmeMemory")
        #expect(explanation.matchedCapabilities == [.inMemory])
        // LFU needs a policy-bounded memory cache: a plain memory engine does not qualify.
        let lfu = StrategyChain.shared.explain(DataDescription(Int.self, hints: .init(access: .frequency)),
                                               availability: registry, storeKind: .sync)
        let access = lfu.steps.first { $0.analyzer == "access-pattern" }
        #expect(access?.engines.allSatisfy { $0.role != .substitute } == true)
    }

    @Test func everyFamilyEngineDeclaresTheCapabilitiesKnownEnginesLists() {
        for (id, traits) in linkedFamilyTraits() {
            let declared = traits.capabilities.subtracting([.syncStores, .asyncStores])
            #expect(KnownEngines.capabilities[id] == declared, "\(id)")
        }
    }

    @Test func capabilitiesAreAnOpenSetEncodedByName() throws {
        let set: CacheStoreCapabilities = [.persistent, "acme.custom", .multiProcess]
        #expect(set.names == ["persistent", "multi-process", "acme.custom"])
        let json = String(decoding: try JSONEncoder().encode(set), as: UTF8.self)
        #expect(json == #"["persistent","multi-process","acme.custom"]"#)
        #expect(try JSONDecoder().decode(CacheStoreCapabilities.self, from: Data(json.utf8)) == set)
        let traits = CacheEngineTraits(capabilities: [.persistent], providesSyncStores: false, providesAsyncStores: true)
        #expect(traits.capabilities == [.persistent, .asyncStores])
        #expect(!traits.providesSyncStores && traits.providesAsyncStores)
    }
}

/// The traits of every family engine this test target links, as their modules register them.
func linkedFamilyTraits() -> [(CacheEngineID, CacheEngineTraits)] {
    let registry = CacheRegistry()
    CacheToolsEngine.register(in: registry)
    CacheFunctoolsEngine.register(in: registry)
    CacheDiskEngine.register(in: registry)
    CacheJoblibEngine.register(in: registry)
    CacheRedisEngine.register(in: registry)
    return registry.registeredIDs.compactMap { id in registry.engine(id).map { (id, $0.traits) } }
}

/// One way to ask why: every selecting memoizer answers `engine`, `explanation` and `history`.
@Suite struct OneSpellingTests {
    @Test func selectedAndAutoMemoizersAnswerTheSameQuestionsTheSameWay() throws {
        let registry = CacheRegistry()
        CacheToolsEngine.register(in: registry)
        let fixed = try memoize(name: "fixed", registry: registry) { (n: Int) in n }
        let auto = try autoMemoize(name: "auto", registry: registry) { (n: Int) in n }
        _ = try fixed(1)
        _ = try auto(1)
        #expect(fixed.engine == CacheToolsEngine.id && auto.engine == CacheToolsEngine.id)
        #expect(fixed.explanation.chosen?.engine == fixed.engine)
        #expect(auto.explanation.chosen?.engine == auto.engine)
        #expect(fixed.history == [fixed.explanation])
        #expect(auto.history.last == auto.explanation)
        #expect(fixed.info.loadSuccesses == 1 && auto.info.loadSuccesses == 1)
        try fixed.clear()
        try auto.clear()
        #expect(fixed.info.loadSuccesses == 0 && auto.info.loadSuccesses == 0)
    }

    @Test func theAsyncMemoizersAnswerThemTooAndTheAsyncRowChoosesAnAsyncStore() async throws {
        let registry = CacheRegistry()
        CacheToolsEngine.register(in: registry)
        CacheAsyncEngine.register(in: registry)
        let fixed = try memoize(name: "afixed", registry: registry) { (n: Int) async throws in n }
        let auto = try autoMemoize(name: "aauto", registry: registry) { (n: Int) async throws in n }
        #expect(try await fixed(2) == 2)
        #expect(try await auto(2) == 2)
        #expect(fixed.engine == CacheAsyncEngine.id && auto.engine == CacheAsyncEngine.id)
        #expect(fixed.history == [fixed.explanation])
        #expect(auto.history.last == auto.explanation)
        #expect(fixed.explanation.storeKind == .async)
    }
}
