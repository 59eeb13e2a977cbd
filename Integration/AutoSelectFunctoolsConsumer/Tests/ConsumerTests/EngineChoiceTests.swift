import CacheAutoSelect
import CacheCore
import CacheFunctools
import Testing

/// The same two functions in every consumer; here only CacheFunctools is linked.
@Suite struct EngineChoiceTests {
    @Test func theSameFunctionsGetCacheFunctools() throws {
        CacheFunctoolsEngine.register(in: .shared)
        #expect(CacheRegistry.shared.registeredIDs == ["CacheFunctools"])

        let square = try memoize(name: "square") { (n: Int) -> Int in n * n }
        #expect(square.engine == "CacheFunctools")
        #expect(try square(12) == 144)
        #expect(try square(12) == 144)
        #expect(square.info.hits == 1)

        let vectors = try memoize(name: "vectors", hints: .init(persistence: .longTerm)) { (n: Int) -> [Double] in
            (0..<n).map(Double.init)
        }
        #expect(vectors.engine == "CacheFunctools")
        #expect(vectors.explanation.missingEngines.contains("CacheJoblib"))
        #expect(try vectors(3) == [0, 1, 2])
        print(vectors.explanation.report)
    }
}
