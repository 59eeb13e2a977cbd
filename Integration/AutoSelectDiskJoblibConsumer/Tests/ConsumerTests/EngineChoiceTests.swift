import CacheAutoSelect
import CacheCore
import CacheDisk
import CacheJoblib
import Foundation
import Testing

/// The same two functions in every consumer; here CacheDisk and CacheJoblib are linked.
@Suite struct EngineChoiceTests {
    @Test func theSameFunctionsGetCacheJoblibAndCacheDisk() throws {
        CacheDiskEngine.register(in: .shared)
        CacheJoblibEngine.register(in: .shared)
        #expect(CacheRegistry.shared.registeredIDs == ["CacheDisk", "CacheJoblib"])
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("autoselect-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }

        // No memory engine is linked: the chain's last resort is the first family engine linked.
        let square = try memoize(name: "square", directory: directory + "/square") { (n: Int) -> Int in n * n }
        #expect(square.engine == "CacheDisk")
        #expect(try square(12) == 144)
        #expect(try square(12) == 144)

        let vectors = try memoize(name: "vectors", hints: .init(persistence: .longTerm), directory: directory + "/vectors") { (n: Int) -> [Double] in
            (0..<n).map(Double.init)
        }
        #expect(vectors.engine == "CacheJoblib")
        #expect(try vectors(3) == [0, 1, 2])
        #expect(try vectors(3) == [0, 1, 2])
        print(vectors.explanation.report)
    }
}
