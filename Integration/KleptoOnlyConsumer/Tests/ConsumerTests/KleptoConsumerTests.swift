import CacheKlepto
import Synchronization
import Testing
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

private func temporaryDirectory(_ name: String) -> String {
    let path = FileManager.default.temporaryDirectory
        .appendingPathComponent("klepto-consumer-\(name)-\(UInt64.random(in: 0 ... .max))").path
    return path
}

@Test func aDirectoryArchiveKeepsMemoizedResultsAcrossCaches() throws {
    let path = temporaryDirectory("dir")
    defer { try? FileManager.default.removeItem(atPath: path) }
    let calls = Atomic<Int>(0)
    func square() throws -> Memoized<KleptoCache<CacheKey, Int>, Int> {
        let cache = try KleptoCache<CacheKey, Int>(archive: DirectoryArchive(path: path), policy: .lru(maxSize: 16))
        return try Memoized(store: cache, name: "square") { (n: Int) -> Int in
            calls.add(1, ordering: .relaxed)
            return n * n
        }
    }
    #expect(try square()(12) == 144)
    #expect(try square()(12) == 144, "a second cache over the same directory reads the archived result")
    #expect(calls.load(ordering: .relaxed) == 1)
}

@Test func aSQLTableArchiveStoresAndTheEngineRegisters() throws {
    let path = temporaryDirectory("sql")
    defer { try? FileManager.default.removeItem(atPath: path) }
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    let cache = try KleptoCache<CacheKey, String>(archive: SQLTableArchive(path: path + "/archive.sqlite", name: "greetings"))
    let key = try CacheKey(name: "greeting", arguments: 1)
    try cache.setValue("hello", forKey: key, ttl: nil)
    #expect(try cache.value(forKey: key) == "hello")
    let registry = CacheRegistry()
    CacheKleptoEngine.register(in: registry)
    #expect(registry.isRegistered(CacheKleptoEngine.id))
}
