import CacheAutoSelect
import CacheCore
import Synchronization
import Testing
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

struct AnalyzerFailure: Error, CustomStringConvertible {
    var description: String { "the rules file could not be read" }
}

func config(_ policy: EvictionPolicy = .lru) -> CacheConfiguration {
    (try? CacheConfiguration(policy: policy)) ?? { preconditionFailure("valid") }()
}

func recommend(_ engine: CacheEngineID, _ alternatives: [CacheEngineID] = [], reason: String = "test") -> Recommendation {
    Recommendation(engine: engine, configuration: config(), reason: reason, alternatives: alternatives)
}

@Suite struct StrategyChainTests {
    @Test func asksInDescendingPriorityAndStopsAtTheFirstRegisteredEngine() {
        let chain = StrategyChain(analyzers: [
            ClosureAnalyzer(name: "low", priority: 1) { _ in recommend("CacheFunctools") },
            ClosureAnalyzer(name: "high", priority: 10) { _ in recommend("CacheTools") },
            ClosureAnalyzer(name: "middle", priority: 5) { _ in nil },
        ])
        let e = chain.explain(DataDescription(Int.self), availability: registry(["CacheTools", "CacheFunctools"]))
        #expect(e.steps.map(\.analyzer) == ["high"])
        #expect(e.chosen?.engine == "CacheTools")
        let onlyFunctools = chain.explain(DataDescription(Int.self), availability: registry(["CacheFunctools"]))
        #expect(onlyFunctools.steps.map(\.analyzer) == ["high", "middle", "low"])
        #expect(onlyFunctools.steps.map(\.outcome) == [.recommended, .passed, .recommended])
        #expect(onlyFunctools.chosen?.engine == "CacheFunctools")
        #expect(onlyFunctools.chosenBy == "low")
    }

    @Test func equalPrioritiesKeepRegistrationOrder() {
        let chain = StrategyChain(analyzers: [])
        for name in ["first", "second", "third"] {
            chain.register(ClosureAnalyzer(name: name, priority: 7) { _ in recommend(CacheEngineID(name == "second" ? "CacheTools" : "CacheDisk")) })
        }
        #expect(chain.analyzers.map(\.name) == ["first", "second", "third"])
        let e = chain.explain(DataDescription(Int.self), availability: registry(["CacheTools", "CacheDisk"]))
        #expect(e.chosenBy == "first")
        #expect(e.chosen?.engine == "CacheDisk")
        let withoutDisk = chain.explain(DataDescription(Int.self), availability: registry(["CacheTools"]))
        #expect(withoutDisk.chosenBy == "second")
        // "third" recommends CacheDisk again: never asked, the decision was made.
        #expect(withoutDisk.steps.map(\.analyzer) == ["first", "second"])
    }

    @Test func unknownEngineIDIsSkippedAndExplained() {
        let chain = StrategyChain(analyzers: [
            ClosureAnalyzer(name: "typo", priority: 10) { _ in recommend("CacheDsik") },
            ClosureAnalyzer(name: "fine", priority: 5) { _ in recommend("CacheTools") },
        ])
        let e = chain.explain(DataDescription(Int.self), availability: everythingBuilt())
        #expect(e.chosen?.engine == "CacheTools")
        let skipped = e.steps[0].engines[0]
        #expect(skipped.verdict == .unknownEngine)
        #expect(skipped.detail.contains("unknown engine id"))
        #expect(e.missingEngines == ["CacheDsik"])
        #expect(e.skipped.contains { $0.contains("CacheDsik") && $0.contains("typo") })
        #expect(e.report.contains("CacheDsik"))
    }

    @Test func throwingAnalyzerIsSkippedAndExplained() {
        let chain = StrategyChain(analyzers: [
            ClosureAnalyzer(name: "broken", priority: 10) { _ in throw AnalyzerFailure() },
            ClosureAnalyzer(name: "fine", priority: 5) { _ in recommend("CacheTools") },
        ])
        let e = chain.explain(DataDescription(Int.self), availability: everythingBuilt())
        #expect(e.chosen?.engine == "CacheTools")
        #expect(e.steps[0].outcome == .failed)
        #expect(e.steps[0].error == "the rules file could not be read")
        #expect(e.skipped.first == "analyzer broken threw: the rules file could not be read")
        #expect(e.report.contains("FAILED"))
    }

    @Test func cyclicAlternativesEnd() {
        // Klepto → Disk → Klepto → Disk …: each engine is considered once.
        let chain = StrategyChain(analyzers: [
            ClosureAnalyzer(name: "cycle", priority: 10) { _ in
                recommend("CacheKlepto", ["CacheDisk", "CacheKlepto", "CacheDisk", "CacheKlepto"])
            },
            ClosureAnalyzer(name: "again", priority: 5) { _ in recommend("CacheKlepto", ["CacheTools"]) },
        ])
        let e = chain.explain(DataDescription(Int.self), availability: registry(["CacheTools"]))
        #expect(e.chosen?.engine == "CacheTools")
        #expect(e.chosenBy == "again")
        let verdicts = e.steps[0].engines.map(\.verdict)
        #expect(verdicts == [.notRegistered, .notRegistered, .alreadyConsidered, .alreadyConsidered, .alreadyConsidered])
        #expect(e.steps[1].engines.map(\.verdict) == [.alreadyConsidered, .chosen])
        #expect(e.skipped.contains { $0.contains("cycle") && $0.contains("already considered") })
    }

    @Test func fallsBackToTheDefaultMemoryEngine() {
        let chain = StrategyChain(analyzers: [ClosureAnalyzer(name: "disk only", priority: 1) { _ in recommend("CacheDisk") }])
        let e = chain.explain(DataDescription(Int.self), availability: registry(["CacheFunctools"]))
        #expect(e.chosen?.engine == "CacheFunctools")
        #expect(e.chosenBy == "default")
        #expect(e.defaults.map(\.verdict) == [.notRegistered, .chosen])
        #expect(e.fallback?.contains("CacheDisk") == true)
    }

    @Test func nothingRegisteredMeansATypedError() {
        let chain = StrategyChain()
        let e = chain.explain(DataDescription(Int.self), availability: CacheRegistry())
        #expect(e.chosen == nil)
        #expect(e.report.contains("chosen: nothing"))
        #expect(throws: CacheEngineUnavailableError.self) { try chain.select(DataDescription(Int.self), availability: CacheRegistry()) }
        #expect(throws: CacheEngineUnavailableError.self) {
            _ = try AutoSelect.makeStore(for: DataDescription(Int.self), of: Int.self, registry: CacheRegistry(), chain: chain)
        }
    }

    @Test func usersRegisterAnalyzersAtAnyPriorityAndRemoveBuiltIns() {
        let chain = StrategyChain()
        let everything = everythingBuilt()
        let d = DataDescription(Int.self)
        #expect(chain.explain(d, availability: everything).chosen?.engine == "CacheTools")
        chain.register(ClosureAnalyzer(name: "ints-to-redis", priority: 2_000) { d in
            d.type == .scalar("Int") ? recommend("CacheRedis", reason: "our ints are shared") : nil
        })
        #expect(chain.explain(d, availability: everything).chosen?.engine == "CacheRedis")
        #expect(chain.remove(named: "ints-to-redis"))
        #expect(chain.remove(named: "size"))
        #expect(chain.remove(named: "data-type"))
        #expect(!chain.remove(named: "no-such-analyzer"))
        let e = chain.explain(d, availability: everything)
        #expect(e.chosenBy == "default")
        #expect(e.steps.allSatisfy { $0.outcome == .passed })
        #expect(!chain.analyzers.contains { $0.name == "size" })
    }

    @Test func enginesThatCannotMakeTheStoreKindAreSkipped() {
        let registry = CacheRegistry()
        registry.register(TestEngine(id: "CacheRedis", traits: CacheEngineTraits(capabilities: [.distributed], providesSyncStores: false, providesAsyncStores: true)))
        registry.register(TestEngine(id: "CacheTools"))
        let d = DataDescription(Int.self, hints: .init(concurrency: .distributed))
        #expect(StrategyChain().explain(d, availability: registry, storeKind: .async).chosen?.engine == "CacheRedis")
        let sync = StrategyChain().explain(d, availability: registry, storeKind: .sync)
        #expect(sync.steps[0].engines[0].verdict == .unsuitable)
        // A distributed hint needs a distributed store: memory is chosen only when waived.
        #expect(sync.chosen == nil)
        let waived = StrategyChain().explain(d, availability: registry, storeKind: .sync, waivingRequirements: true)
        #expect(waived.chosen?.engine == "CacheTools")
        #expect(waived.requirementsWaived)
    }

    @Test func anEngineRefusingItsConfigurationIsRejectedAndTheNextChosen() throws {
        let registry = CacheRegistry()
        registry.register(TestEngine(id: "CacheBox", refusesPolicies: [.lfu]))
        registry.register(TestEngine(id: "CacheTools"))
        let d = DataDescription(Int.self, hints: .init(access: .frequency))
        let selected = try AutoSelect.makeStore(for: d, of: Int.self, registry: registry, chain: StrategyChain())
        #expect(selected.choice.engine == "CacheTools")
        #expect(selected.explanation.steps.flatMap(\.engines).contains { $0.engine == "CacheBox" && $0.verdict == .rejected })
    }

    @Test func decidingWhileAnotherThreadRegistersIsSafe() async {
        let chain = StrategyChain()
        let everything = everythingBuilt()
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for i in 0..<200 {
                    chain.register(ClosureAnalyzer(name: "user-\(i)", priority: i % 3 == 0 ? 5_000 : 10) { _ in nil })
                    if i % 2 == 0 { chain.remove(named: "user-\(i - 1)") }
                }
            }
            for _ in 0..<2 {
                group.addTask {
                    for _ in 0..<200 {
                        let e = chain.explain(DataDescription(Int.self), availability: everything)
                        precondition(e.chosen?.engine == "CacheTools")
                    }
                }
            }
        }
        #expect(chain.explain(DataDescription(Int.self), availability: everything).chosen?.engine == "CacheTools")
        #expect(chain.analyzers.count > BuiltinAnalyzers.all.count)
    }

    @Test func explanationIsDataAndJSONHasChosen() throws {
        let e = StrategyChain().explain(DataDescription([Double].self, size: 8_000_000, hints: .init(persistence: .longTerm)),
                                        availability: registry(["CacheDisk"]))
        let json = try e.json()
        #expect(json.contains("\"chosen\" : {"))
        #expect(json.contains("\"type\" : \"[Double]\""))
        #expect(json.contains("\"requiredCapabilities\" : [\n    \"persistent\"\n  ]"))
        let decoded = try JSONDecoder().decode(SelectionExplanation.self, from: Data(json.utf8))
        #expect(decoded == e)
        let none = try StrategyChain().explain(DataDescription(Int.self), availability: CacheRegistry()).json()
        #expect(none.contains("\"chosen\" : null"))
    }
}

@Suite struct LastResortTests {
    @Test func onlyPersistentEnginesLinkedStillGivesACache() throws {
        let linked = registry(["CacheDisk", "CacheJoblib"])
        let e = StrategyChain().explain(DataDescription(Int.self), availability: linked)
        #expect(e.chosen?.engine == "CacheDisk")
        #expect(e.chosenBy == "default")
        #expect(e.defaults.map(\.engine) == ["CacheTools", "CacheFunctools", "CacheDisk"])
        #expect(e.reason?.contains("only kind linked") == true)
        let thirdParty = registry(["AcmeCache"])
        #expect(StrategyChain().explain(DataDescription(Int.self), availability: thirdParty).chosen?.engine == "AcmeCache")
    }
}
