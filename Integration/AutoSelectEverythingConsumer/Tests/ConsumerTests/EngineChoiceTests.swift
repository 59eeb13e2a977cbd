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

/// The same two functions in every consumer; here every backend is linked.
@Suite struct EngineChoiceTests {
    @Test func theSameFunctionsGetCacheToolsAndCacheJoblib() throws {
        CacheFunctoolsEngine.register(in: .shared)
        CacheToolsEngine.register(in: .shared)
        CacheDiskEngine.register(in: .shared)
        CacheJoblibEngine.register(in: .shared)
        CacheAsyncEngine.register(in: .shared)
        CacheRedisEngine.register(in: .shared)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("autoselect-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }

        let square = try memoize(name: "square") { (n: Int) -> Int in n * n }
        #expect(square.engine == "CacheTools")
        #expect(try square(12) == 144)
        #expect(try square(12) == 144)
        #expect(square.info.hits == 1)

        let vectors = try memoize(name: "vectors", hints: .init(persistence: .longTerm), directory: directory + "/vectors") { (n: Int) -> [Double] in
            (0..<n).map(Double.init)
        }
        #expect(vectors.engine == "CacheJoblib")
        #expect(vectors.explanation.fallback == nil)
        #expect(try vectors(3) == [0, 1, 2])
        print(vectors.explanation.report)
    }
}
