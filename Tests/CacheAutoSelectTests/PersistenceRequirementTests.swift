import CacheAutoSelect
import CacheCore
import CacheDisk
import CacheJoblib
import CacheRedis
import CacheTestKit
import CacheTools
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Issue 10's defects 1, 4, 5 and 7: hints that ask for persistence or sharing are kept or
/// construction throws with the real reasons; typed settings and a preset's configuration
/// reach the chosen engine; nothing the caller set is dropped; names are checked first.
@Suite struct PersistenceRequirementTests {
    /// The real engines a user of the persistent backends links.
    func realEngines() -> CacheRegistry {
        let registry = CacheRegistry()
        CacheToolsEngine.register(in: registry)
        CacheDiskEngine.register(in: registry)
        CacheJoblibEngine.register(in: registry)
        CacheRedisEngine.register(in: registry)
        return registry
    }

    /// A fresh directory, and a regular file beside it.
    func scratch() throws -> (directory: String, file: String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("swift-cache-req-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let file = dir + "/plain-file"
        #expect(FileManager.default.createFile(atPath: file, contents: Data("x".utf8)))
        return (dir, file)
    }

    // MARK: defect 1 — no silent downgrade to memory

    @Test(arguments: ["file", "below-file"])
    func longTermOverAnUnusableDirectoryThrowsNamingEachEngineAndItsRealReasonInsteadOfFallingBackToMemory(_ where_: String) throws {
        let (dir, file) = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let target = where_ == "file" ? file : file + "/sub"
        let error = try #require(throws: CacheSelectionError.self) {
            _ = try memoize(name: "f", hints: .init(persistence: .longTerm), registry: realEngines(), directory: target) { (n: Int) in n }
        }
        #expect(error.required == .persistent)
        #expect(error.refusals.map(\.engine).contains(CacheDiskEngine.id))
        #expect(error.refusals.map(\.engine).contains(CacheJoblibEngine.id))
        // The real reason (ENOTDIR / not a directory / exists), not "CacheKlepto not available".
        let disk = try #require(error.refusals.first { $0.engine == CacheDiskEngine.id })
        #expect(disk.reason.lowercased().contains("directory") || disk.reason.lowercased().contains("exists"))
        #expect(error.description.contains("allowMemoryFallback"))
        #expect(!error.refusals.map(\.engine).contains(CacheToolsEngine.id))
    }

    @Test func autoMemoizeOverAnUnusableDirectoryThrowsAtConstructionInsteadOfAfterItsFirstResult() throws {
        let (dir, file) = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(throws: CacheSelectionError.self) {
            _ = try autoMemoize(name: "f", hints: .init(persistence: .longTerm), registry: realEngines(), directory: file) { (n: Int) in n }
        }
        #expect(throws: CacheSelectionError.self) {
            _ = try autoMemoize(name: "g", hints: .init(concurrency: .multiProcess), registry: realEngines(), directory: file) { (n: Int) in n }
        }
    }

    @Test func readOnlyDirectoryIsARefusalWithItsRealReason() throws {
        let (dir, _) = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let readOnly = dir + "/ro"
        try FileManager.default.createDirectory(atPath: readOnly, withIntermediateDirectories: true)
        var mounted = false
        if getuid() == 0 {
            // Root ignores permission bits: a read-only tmpfs is the real thing.
            mounted = mount("tmpfs", readOnly, "tmpfs", UInt(MS_RDONLY), "size=1m") == 0
            if !mounted {
                let why = String(cString: strerror(errno))
                if ProcessInfo.processInfo.environment["SWIFT_CACHE_REQUIRE_SERVICES"] == "1" {
                    Issue.record("cannot mount a read-only tmpfs as root: \(why)")
                }
                print("skipping readOnlyDirectoryIsARefusalWithItsRealReason: mount failed: \(why)")
                return
            }
        } else {
            chmod(readOnly, 0o500)
        }
        defer { if mounted { umount(readOnly) } else { chmod(readOnly, 0o700) } }
        let error = try #require(throws: CacheSelectionError.self) {
            _ = try memoize(name: "f", hints: .init(persistence: .session), registry: realEngines(), directory: readOnly) { (n: Int) in n }
        }
        let reasons = error.refusals.map(\.reason).joined(separator: " | ").lowercased()
        #expect(reasons.contains("read-only") || reasons.contains("permission") || reasons.contains("writable"), "\(reasons)")
    }

    @Test func allowMemoryFallbackChoosesMemoryLogsOneWarningAndTheFallbackNamesTheRealReason() throws {
        let (dir, file) = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let log = CapturedLog()
        let f = try memoize(name: "f", hints: .init(persistence: .longTerm), registry: realEngines(), directory: file,
                            allowMemoryFallback: true, options: .init(logger: log.logger)) { (n: Int) in n * 2 }
        #expect(f.engine == CacheToolsEngine.id)
        #expect(try f(2) == 4)
        #expect(try f(2) == 4)
        #expect(log.warnings.count == 1)
        let fallback = try #require(f.explanation.fallback)
        #expect(fallback.contains("CacheDisk refused its configuration"))
        #expect(fallback.contains("waived (allowMemoryFallback)"))
        #expect(f.explanation.requirementsWaived)
    }

    @Test func noPersistentEngineLinkedIsAnErrorTooUnlessMemoryIsAllowed() throws {
        let tools = CacheRegistry()
        CacheToolsEngine.register(in: tools)
        let error = try #require(throws: CacheSelectionError.self) {
            _ = try memoize(name: "f", hints: .init(persistence: .longTerm), registry: tools) { (n: Int) in n }
        }
        #expect(error.refusals.isEmpty)
        #expect(error.notRegistered.contains(CacheDiskEngine.id))
        let f = try memoize(name: "f", hints: .init(persistence: .longTerm), registry: tools, allowMemoryFallback: true) { (n: Int) in n }
        #expect(f.engine == CacheToolsEngine.id)
    }

    @Test func aThirdPartyEngineWithTheCapabilityIsChosenWhenTheFamilyEngineIsNotLinked() throws {
        let registry = CacheRegistry()
        CacheToolsEngine.register(in: registry)
        registry.register(TestEngine(id: "AcmeSharedStore", traits: CacheEngineTraits(capabilities: [.persistent, .multiProcess])))
        let f = try memoize(name: "f", hints: .init(concurrency: .multiProcess), registry: registry) { (n: Int) in n }
        #expect(f.engine == "AcmeSharedStore")
    }

    @Test func aLaterTierThatCannotBeMadeLeavesTheValueUnstoredCountedAndLoggedOnceNeverInMemory() throws {
        let registry = CacheRegistry()
        CacheToolsEngine.register(in: registry)
        let disk = RefusingEngine(id: CacheDiskEngine.id, storesAllowed: 1)
        registry.register(disk)
        registry.register(RefusingEngine(id: CacheJoblibEngine.id, storesAllowed: 0))
        // Large results go to CacheJoblib (CacheDisk as its alternative); small ones to CacheDisk.
        let chain = StrategyChain()
        chain.register(ClosureAnalyzer(name: "large-to-arrays", priority: 5_000) { d in
            guard let size = d.sizeClass, size >= .large else { return nil }
            return Recommendation(engine: CacheJoblibEngine.id, configuration: try CacheConfiguration(),
                                  reason: "large", alternatives: [CacheDiskEngine.id])
        })
        let log = CapturedLog()
        let failures = Mutex(0)
        let f = try autoMemoize(
            name: "big", hints: .init(persistence: .longTerm), registry: registry, chain: chain,
            directory: try scratch().directory,
            options: .init(onStoreFailure: { _, _ in failures.withLock { $0 += 1 } }, logger: log.logger)
        ) { (n: Int) -> String in String(repeating: "x", count: n) }
        #expect(f.tiers.map { $0.choice.engine } == [CacheDiskEngine.id])
        #expect(try f(10) == String(repeating: "x", count: 10))
        // 2 MB results re-decide: CacheJoblib refuses, its alternative CacheDisk refuses now
        // too, and CacheTools cannot persist: each value is returned, unstored, counted.
        #expect(try f(2_000_001).count == 2_000_001)
        #expect(try f(2_000_002).count == 2_000_002)
        #expect(f.info.storeFailures == 2)
        #expect(failures.withLock { $0 } == 2)
        #expect(log.warnings.count == 1)
        #expect(f.tiers.allSatisfy { $0.choice.engine != CacheToolsEngine.id })
        // Nothing went to memory: the large results are recomputed.
        _ = try f(2_000_001)
        #expect(f.info.loadSuccesses == 4)
    }

    /// README's "Let the data choose" example, over a scratch directory.
    @Test func theReadmeExampleChoosesArraysAndServesTheSecondCallFromThem() throws {
        let registry = realEngines()
        let dir = try scratch().directory
        let spectrum = try memoize(name: "spectrum", version: "2", hints: CacheHints(persistence: .longTerm),
                                   registry: registry, directory: dir) {
            (n: Int) -> [Double] in (0..<n).map { Double($0) * 0.5 }
        }
        #expect(spectrum.engine == CacheJoblibEngine.id)
        #expect(try spectrum(4) == [0, 0.5, 1, 1.5])
        #expect(try spectrum(4) == [0, 0.5, 1, 1.5])
        #expect(spectrum.info.hits == 1)
        #expect(spectrum.explanation.description.contains("persistent-arrays"))
        let reopened = try memoize(name: "spectrum", version: "2", hints: CacheHints(persistence: .longTerm),
                                   registry: registry, directory: dir) { (n: Int) -> [Double] in
            Issue.record("recomputed \(n)"); return []
        }
        #expect(try reopened(4) == [0, 0.5, 1, 1.5])
    }

    @Test func withoutADirectoryPersistentEnginesUseTheDocumentedDefault() throws {
        #expect(try CacheDirectories.defaultRoot(environment: { ["SWIFT_CACHE_DIR": "/tmp/x", "HOME": "/home/u"][$0] }) == "/tmp/x")
        #expect(try CacheDirectories.defaultRoot(environment: { ["SWIFT_CACHE_DIR": "", "HOME": "/home/u"][$0] })
                .hasSuffix("swift-cache"))
        #if !canImport(Darwin)
        #expect(try CacheDirectories.defaultRoot(environment: { ["XDG_CACHE_HOME": "/xdg", "HOME": "/home/u"][$0] }) == "/xdg/swift-cache")
        #expect(try CacheDirectories.defaultRoot(environment: { ["XDG_CACHE_HOME": "relative", "HOME": "/home/u"][$0] }) == "/home/u/.cache/swift-cache")
        #expect(try CacheDirectories.defaultRoot(environment: { ["HOME": "/home/u"][$0] }) == "/home/u/.cache/swift-cache")
        #else
        #expect(try CacheDirectories.defaultRoot(environment: { ["HOME": "/Users/u"][$0] }) == "/Users/u/Library/Caches/swift-cache")
        #endif
    }

    @Test(.timeLimit(.minutes(2))) func aChildWithoutADirectoryStoresUnderSWIFT_CACHE_DIR() throws {
        let cachectl = try #require(BuiltExecutable.path("cachectl"), "cachectl is built beside the tests")
        let (dir, _) = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let out = try AutoWorker.run(cachectl, "long-term-ints", directory: nil, environment: ["SWIFT_CACHE_DIR": dir])
        #expect(out["computations"] as? Int == 3)
        #expect(FileManager.default.fileExists(atPath: dir + "/cache.db"))
        let again = try AutoWorker.run(cachectl, "long-term-ints", directory: nil, environment: ["SWIFT_CACHE_DIR": dir])
        #expect(again["computations"] as? Int == 0)
    }

    // MARK: defect 4 — configuration reaches the engine; nothing is dropped

    @Test func aPresetsConfigurationReachesTheEngineTheChainChoseEvenWithoutAnEngineOfItsOwn() throws {
        let preset = CachePreset(name: "shared", hints: .init(concurrency: .distributed),
                                 configuration: try CacheConfiguration(options: ["url": "redis://127.0.0.1:6399/3"]))
        let selected = try AutoSelect.makeStore(preset: preset, of: Int.self, registry: realEngines(), namespace: "n")
        #expect(selected.choice.engine == CacheRedisEngine.id)
        let redis = try #require(selected.store.base as? RedisSyncStore<Int>)
        #expect(redis.client.configuration.port == 6399)
        #expect(redis.client.configuration.database == 3)
    }

    @Test func typedRedisSettingsReachTheStoreAndADistributedHintWithoutAnAddressIsATypedError() throws {
        let f = try memoize(name: "f", hints: .init(concurrency: .distributed), registry: realEngines(),
                            settings: [.redis(url: "redis://127.0.0.1:6398")]) { (n: Int) in n }
        #expect(f.engine == CacheRedisEngine.id)
        #expect((f.memoized.store.base as? RedisSyncStore<Int>)?.client.configuration.port == 6398)
        let error = try #require(throws: CacheSelectionError.self) {
            _ = try memoize(name: "f", hints: .init(concurrency: .distributed), registry: realEngines()) { (n: Int) in n }
        }
        #expect(error.refusals.first { $0.engine == CacheRedisEngine.id }?.reason.contains("needs a server address") == true)
    }

    @Test func settingsForAnEngineNotChosenAreAnErrorUnlessTheCallIgnoresThem() throws {
        let (dir, _) = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let settings: [CacheEngineSettings] = [try .disk(directory: dir), try .redis(url: "redis://127.0.0.1:6379")]
        let error = try #require(throws: CacheConfigurationError.self) {
            _ = try memoize(name: "f", hints: .init(persistence: .longTerm), registry: realEngines(), settings: settings) { (n: Int) in n }
        }
        #expect(error.reason.contains("not CacheRedis"))
        let f = try memoize(name: "f", hints: .init(persistence: .longTerm), registry: realEngines(), settings: settings,
                            unusedSettings: .ignore) { (n: Int) in n }
        #expect(f.engine == CacheDiskEngine.id)
        #expect(f.choice.configuration.directory == nil || FileManager.default.fileExists(atPath: dir + "/cache.db"))
        #expect(FileManager.default.fileExists(atPath: dir + "/cache.db"))
        #expect(throws: CacheConfigurationError.self) {
            _ = try memoize(name: "f", registry: realEngines(), settings: [try .disk(), try .disk()]) { (n: Int) in n }
        }
    }

    @Test func anOptionOrSettingTheChosenEngineDoesNotUnderstandIsATypedErrorNeverIgnored() throws {
        let (dir, _) = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let preset = CachePreset(name: "p", hints: .init(persistence: .longTerm),
                                 configuration: try CacheConfiguration(options: ["url": "redis://x"]))
        let error = try #require(throws: CacheConfigurationError.self) {
            _ = try memoize(preset: preset, name: "f", registry: realEngines(), directory: dir) { (n: Int) in n }
        }
        #expect(error.setting == "options.url")
        // Settings of one engine handed to another, and engines that take none.
        #expect(throws: CacheConfigurationError.self) {
            _ = try realEngines().makeStore(engine: CacheToolsEngine.id, of: Int.self, configuration: .init(), settings: try .disk())
        }
        #expect(throws: CacheConfigurationError.self) {
            _ = try CacheToolsEngine().makeStore(of: Int.self, configuration: .init(), settings: try .disk())
        }
        #expect(throws: CacheConfigurationError.self) {
            _ = try CacheToolsEngine().makeStore(of: Int.self, configuration: .init(options: ["shards": "2"]))
        }
    }

    @Test func typedDiskSettingsBoundTheStoreAndTheDefaultIsOneGibibyteWithUnboundedByName() throws {
        let (dir, _) = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(try DiskEngineSettings().cacheOptions.sizeLimit == 1 << 30)
        #expect(try DiskEngineSettings(sizeLimit: .unbounded).cacheOptions.sizeLimit == nil)
        #expect(try DiskEngineSettings(parsing: .init(options: ["sizeLimit": "unbounded"])).cacheOptions.sizeLimit == nil)
        #expect(try ArrayEngineSettings().cacheOptions.bytesLimit == 1 << 30)
        #expect(try ArrayEngineSettings(bytesLimit: .unbounded).cacheOptions.bytesLimit == nil)
        #expect(throws: CacheConfigurationError.self) { _ = try CacheEngineSettings.disk(sizeLimit: .bytes(-1)) }
        #expect(throws: CacheConfigurationError.self) { _ = try CacheEngineSettings.disk(shards: 0) }
        // A 64 KiB bound keeps a 16 KiB-valued cache from growing past it.
        let f = try memoize(name: "blobs", hints: .init(persistence: .longTerm), registry: realEngines(),
                            settings: [try .disk(directory: dir, sizeLimit: .bytes(64 << 10))]) { (n: Int) in
            [UInt8](repeating: UInt8(n % 256), count: 16 << 10)
        }
        #expect(f.engine == CacheDiskEngine.id)
        for n in 0..<40 { _ = try f(n) }
        #expect(f.memoized.store.stats.bytes <= 64 << 10)
        #expect(f.memoized.store.stats.evictionCount > 0)
    }

    // MARK: defect 5 — validation cannot be bypassed

    @Test func aConfigurationMadeInvalidAfterConstructionIsATypedErrorNotAMemoryFallback() throws {
        let (dir, _) = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var config = try CacheConfiguration()
        config.maxSize = -1
        let preset = CachePreset(name: "disk", engine: CacheDiskEngine.id, configuration: config)
        let error = try #require(throws: CacheConfigurationError.self) {
            _ = try memoize(preset: preset, name: "f", registry: realEngines(), directory: dir) { (n: Int) in n }
        }
        #expect(error.setting == "maxSize")
        #expect(throws: CacheConfigurationError.self) {
            _ = try CacheDiskEngine().makeStore(of: Int.self, configuration: config.replacing(namespace: "n"))
        }
    }

    // MARK: defect 7 — names are checked before any side effect

    @Test(arguments: ["", " ", "\t\n", " f", "f ", "f@1", "a\u{7}b"])
    func badNamesAreRefusedBeforeAnyDirectoryIsCreated(_ name: String) throws {
        let (dir, _) = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let target = dir + "/never-created"
        #expect(throws: CacheConfigurationError.self) {
            _ = try memoize(name: name, hints: .init(persistence: .longTerm), registry: realEngines(), directory: target) { (n: Int) in n }
        }
        #expect(throws: CacheConfigurationError.self) {
            _ = try autoMemoize(name: name, hints: .init(persistence: .longTerm), registry: realEngines(), directory: target) { (n: Int) in n }
        }
        #expect(!FileManager.default.fileExists(atPath: target))
    }
}

/// A persistent test engine that makes `storesAllowed` stores, then refuses like a disk
/// that went read-only.
final class RefusingEngine: CacheEngine {
    let id: CacheEngineID
    let made = Mutex(0)
    let storesAllowed: Int
    var summary: String { "test engine that refuses after \(storesAllowed) stores" }
    var traits: CacheEngineTraits { CacheEngineTraits(capabilities: [.persistent, .multiProcess, .perEntryTTL]) }

    init(id: CacheEngineID, storesAllowed: Int) {
        self.id = id
        self.storesAllowed = storesAllowed
    }

    func makeStore<Value: Codable & Sendable>(
        of valueType: Value.Type, configuration: CacheConfiguration
    ) throws -> any CacheStore<CacheKey, Value> {
        let allowed = made.withLock { n in
            defer { n += 1 }
            return n < storesAllowed
        }
        guard allowed else {
            throw CacheIOError(operation: "open cache", location: configuration.directory ?? "?", reason: "Read-only file system", code: 30)
        }
        return DictionaryStore<CacheKey, Value>(engine: id, configuration: configuration)
    }
}

/// Runs `cachectl auto-worker` and parses its JSON line.
enum AutoWorker {
    static func run(_ cachectl: String, _ mode: String, directory: String?, environment: [String: String] = [:]) throws -> [String: Any] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: cachectl)
        process.arguments = ["auto-worker", mode] + (directory.map { [$0] } ?? [])
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "auto-worker \(mode) exited \(process.terminationStatus)")
        let line = String(decoding: data, as: UTF8.self).split(separator: "\n").last.map(String.init) ?? ""
        return (try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]) ?? [:]
    }
}
