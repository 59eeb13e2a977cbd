import CacheAutoSelect
import CacheCore
import CacheTestKit
import Testing
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Issue 10's defect 2: the first call of an auto-memoized function in a new process is
/// served from what an earlier process stored, and counted as a hit.
@Suite(.serialized) struct AutoMemoizeRestartTests {
    func directory() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("swift-cache-restart-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test(.timeLimit(.minutes(2))) func aSecondProcessIsServedFromTheInitialDecisionsStoreAndCountsHits() throws {
        let cachectl = try #require(BuiltExecutable.path("cachectl"), "cachectl is built beside the tests")
        let dir = try directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let first = try AutoWorker.run(cachectl, "long-term-ints", directory: dir)
        #expect(first["computations"] as? Int == 3)
        #expect(first["tiers"] as? [String] == ["CacheDisk"])
        let second = try AutoWorker.run(cachectl, "long-term-ints", directory: dir)
        #expect(second["computations"] as? Int == 0)
        #expect(second["hits"] as? Int == 3)
        #expect(second["misses"] as? Int == 0)
        #expect(second["loads"] as? Int == 0)
    }

    @Test(.timeLimit(.minutes(2))) func aSecondProcessReopensTheTierLargeResultsMovedToInAnEarlierRun() throws {
        let cachectl = try #require(BuiltExecutable.path("cachectl"), "cachectl is built beside the tests")
        let dir = try directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let first = try AutoWorker.run(cachectl, "growing-strings", directory: dir)
        #expect(first["computations"] as? Int == 3)
        let firstTiers = first["tiers"] as? [String] ?? []
        #expect(!firstTiers.isEmpty && firstTiers.last != "CacheTools", "2 MB strings go to a persistent tier: \(firstTiers)")
        let second = try AutoWorker.run(cachectl, "growing-strings", directory: dir)
        #expect(second["computations"] as? Int == 0)
        #expect(second["hits"] as? Int == 3)
        #expect(second["loads"] as? Int == 0)
    }
}
