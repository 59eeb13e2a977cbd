import CacheCore
import CacheKlepto
import Foundation
import Synchronization
import Testing

@Suite struct EngineTests {
    @Test func registersWithItsCapabilities() throws {
        let registry = CacheRegistry()
        CacheKleptoEngine.register(in: registry)
        let engine = try #require(registry.engine(CacheKleptoEngine.id))
        #expect(engine.id.rawValue == "CacheKlepto")
        for capability in [CacheCapability.persistent, .multiProcess, .boundedPolicies, .syncStores] {
            #expect(engine.traits.capabilities.contains(capability))
        }
    }

    @Test(arguments: ["directory", "sql", "file"])
    func storesPersistAcrossEngineInstances(archive: String) throws {
        let directory = temporaryPath("engine-\(archive)")
        let configuration = try CacheConfiguration(maxSize: 8, policy: .lfu, directory: directory, namespace: "app",
                                                   options: ["archive": archive])
        #expect(!CacheKleptoEngine().hasStoredData(configuration: configuration, settings: nil))
        let calls = Atomic<Int>(0)
        do {
            let store = AnyCacheStore(try CacheKleptoEngine().makeStore(of: [String].self, configuration: configuration))
            let f = try Memoized(store: store, name: "words") { (n: Int) -> [String] in
                calls.add(1, ordering: .relaxed)
                return (0..<n).map { "w\($0)" }
            }
            #expect(try f(3) == ["w0", "w1", "w2"])
        }
        #expect(CacheKleptoEngine().hasStoredData(configuration: configuration, settings: nil))
        let store = AnyCacheStore(try CacheKleptoEngine().makeStore(of: [String].self, configuration: configuration))
        let f = try Memoized(store: store, name: "words") { (n: Int) -> [String] in
            calls.add(1, ordering: .relaxed)
            return []
        }
        #expect(try f(3) == ["w0", "w1", "w2"])
        #expect(calls.load(ordering: .relaxed) == 1)
        let other = try CacheKleptoEngine().makeStore(of: [String].self, configuration: configuration.replacing(namespace: "other"))
        #expect(other.count == 0, "namespaces share entries")
        try other.removeAll()
        #expect(store.count == 1, "another namespace's removeAll removed this one's entries")
    }

    @Test func badOptionsAreTypedErrors() throws {
        let directory = temporaryPath("engine-bad")
        let engine = CacheKleptoEngine()
        for options in [["archive": "tape"], ["serializer": "xml"], ["keymap": "md5"], ["tolerance": "x"], ["tolerance": "-1"],
                        ["writeMode": "sideways"], ["writeMode": "back", "flushInterval": "0"], ["colour": "red"]] {
            #expect(throws: CacheConfigurationError.self, "options \(options)") {
                _ = try engine.makeStore(of: Int.self, configuration: CacheConfiguration(directory: directory, options: options))
            }
        }
        #expect(throws: CacheConfigurationError.self) {
            _ = try engine.makeStore(of: Int.self, configuration: CacheConfiguration(maxSize: 4, policy: .fifo, directory: directory))
        }
        #expect(throws: CacheConfigurationError.self) {
            _ = try engine.makeStore(of: Int.self, configuration: CacheConfiguration(ttl: .seconds(1), directory: directory))
        }
    }

    @Test func jsonStringKeymapThroughTheEngine() throws {
        let directory = temporaryPath("engine-json")
        let configuration = try CacheConfiguration(directory: directory, options: ["serializer": "json", "keymap": "string", "tolerance": "0.5"])
        let store = try CacheKleptoEngine().makeKleptoStore(of: [Double].self, configuration: configuration)
        try store.setValue([1.5, 2.5], forKey: CacheKey(name: "pair", arguments: 1.2))
        #expect(try store.value(forKey: CacheKey(name: "pair", arguments: 0.8)) == [1.5, 2.5])
        #expect(try store.archiveKeyDescriptions() == ["pair:(double:1.0)"])
        let entries = try FileManager.default.contentsOfDirectory(atPath: directory + "/default/entries")
        let text = try String(contentsOfFile: directory + "/default/entries/" + entries[0], encoding: .utf8)
        #expect(text.hasSuffix("\n[1.5,2.5]\n"))
    }
}
