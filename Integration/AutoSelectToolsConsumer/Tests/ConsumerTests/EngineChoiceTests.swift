import CacheAutoSelect
import CacheCore
import CacheTools
import Testing

/// The same two functions in every consumer; here only CacheTools is linked.
@Suite struct EngineChoiceTests {
    @Test func theSameFunctionsGetCacheTools() throws {
        CacheToolsEngine.register(in: .shared)
        #expect(CacheRegistry.shared.registeredIDs == ["CacheTools"])

        let square = try memoize(name: "square") { (n: Int) -> Int in n * n }
        #expect(square.engine == "CacheTools")
        #expect(try square(12) == 144)
        #expect(try square(12) == 144)
        #expect(square.info.hits == 1)

        // A long-term hint is a requirement: with no persistent engine linked, construction
        // throws naming what is missing, unless the caller accepts memory.
        #expect(throws: CacheSelectionError.self) {
            _ = try memoize(name: "vectors", hints: .init(persistence: .longTerm)) { (n: Int) -> [Double] in [] }
        }
        let vectors = try memoize(name: "vectors", hints: .init(persistence: .longTerm), allowMemoryFallback: true) { (n: Int) -> [Double] in
            (0..<n).map(Double.init)
        }
        #expect(vectors.engine == "CacheTools")
        #expect(vectors.explanation.chosenBy == "default")
        #expect(vectors.explanation.missingEngines.contains("CacheJoblib"))
        #expect(try vectors(3) == [0, 1, 2])
        print(vectors.explanation.report)
    }
}
