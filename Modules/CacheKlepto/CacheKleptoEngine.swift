import CacheCore
import Logging
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Registers CacheKlepto in a ``CacheRegistry`` as engine `"CacheKlepto"`.
///
/// From a ``CacheConfiguration``: `directory` (default: ``CacheDirectories/defaultRoot()``
/// + `/klepto`), `maxSize` bounds the front (entries; default unbounded), `policy` picks
/// the front's policy (`lru`, `lfu`, `mru`, `rr`; `fifo`, `ttl` and `tlru` are refused),
/// asynchronous stores are the same store as a ``KleptoCache/asynchronous`` adapter;
/// `namespace` gives the store its own archive (directory, table or file), so its `count`
/// and `removeAll()` cover only it. Options:
/// - `archive`: `directory` (default), `sql` (table in `<directory>/klepto.db`), `file`
///   (`<directory>/<name>.klepto`) or `memory`;
/// - `serializer`: `binary` (default) or `json`;
/// - `keymap`: `hashing` (default), `canonical` or `string`; `tolerance`: a positive number;
/// - `writeMode`: `through` (default) or `back`; `flushInterval`: seconds (write-back, default 5).
public struct CacheKleptoEngine: CacheEngine {
    public static let id: CacheEngineID = "CacheKlepto"
    public init() {}
    public var id: CacheEngineID { Self.id }
    public var summary: String {
        "policy front cache over a persistent archive (directory, SQLite table, single file), keymaps with tolerance (klepto)"
    }
    public var traits: CacheEngineTraits {
        CacheEngineTraits(capabilities: [.persistent, .multiProcess, .boundedPolicies], providesSyncStores: true, providesAsyncStores: true)
    }

    static let knownOptions: Set<String> = ["archive", "serializer", "keymap", "tolerance", "writeMode", "flushInterval"]

    public func makeStore<Value: Codable & Sendable>(
        of valueType: Value.Type, configuration: CacheConfiguration
    ) throws -> any CacheStore<CacheKey, Value> {
        try makeKleptoStore(of: valueType, configuration: configuration)
    }

    /// The same store behind CacheCore's ``OffloadedAsyncStore``: archive I/O runs on a
    /// dispatch queue, never on the cooperative pool.
    public func makeAsyncStore<Value: Codable & Sendable>(
        of valueType: Value.Type, configuration: CacheConfiguration
    ) throws -> any AsyncCacheStore<CacheKey, Value> {
        try makeKleptoStore(of: valueType, configuration: configuration).asynchronous
    }

    public func hasStoredData(configuration: CacheConfiguration, settings: CacheEngineSettings?) -> Bool {
        guard settings == nil, let location = try? Self.location(configuration) else { return false }
        switch configuration.options["archive"] ?? "directory" {
        case "sql": return access(location.directory + "/klepto.db", F_OK) == 0
        case "file": return access(location.directory + "/\(location.name).klepto", F_OK) == 0
        case "memory": return false
        default: return access(location.directory + "/\(location.name)/index.log", F_OK) == 0
        }
    }

    /// The directory and the per-namespace archive name.
    static func location(_ configuration: CacheConfiguration) throws -> (directory: String, name: String) {
        let directory = try configuration.directory ?? (CacheDirectories.defaultRoot() + "/klepto")
        let name = configuration.namespace.map { "ns_" + CacheHash.digest(Array($0.utf8)).hex } ?? "default"
        return (directory, name)
    }

    /// The typed store for `configuration` (what ``makeStore(of:configuration:)`` returns).
    public func makeKleptoStore<Value: Codable & Sendable>(
        of valueType: Value.Type, configuration: CacheConfiguration
    ) throws -> KleptoCache<CacheKey, Value> {
        try configuration.validate()
        try configuration.rejectUnknownOptions(known: Self.knownOptions, engine: Self.id)
        let options = configuration.options
        func refuse(_ setting: String, _ reason: String) -> CacheConfigurationError {
            CacheConfigurationError(setting: setting, value: options[setting.replacingPrefix("options.")] ?? "\(configuration.policy)", reason: reason)
        }
        let policy: KleptoPolicy
        switch (configuration.policy, configuration.maxSize) {
        case (_, nil): policy = .unbounded
        case (.lru, let n?): policy = .lru(maxSize: n)
        case (.lfu, let n?): policy = .lfu(maxSize: n)
        case (.mru, let n?): policy = .mru(maxSize: n)
        case (.rr, let n?): policy = .rr(maxSize: n)
        case (.fifo, _?), (.ttl, _?), (.tlru, _?):
            throw refuse("policy", "CacheKlepto's front is lru, lfu, mru or rr")
        }
        if configuration.ttl != nil { throw CacheConfigurationError(setting: "ttl", value: "\(configuration.ttl!)", reason: "CacheKlepto has no time to live") }
        let serializer: AnyCacheSerializer<Value>
        switch options["serializer"] ?? "binary" {
        case "binary": serializer = CacheSerializers.default(for: Value.self)
        case "json": serializer = AnyCacheSerializer(JSONCacheSerializer<Value>())
        default: throw refuse("options.serializer", "expected binary or json")
        }
        var tolerance: Double?
        if let text = options["tolerance"] {
            guard let value = Double(text) else { throw refuse("options.tolerance", "not a number") }
            tolerance = value
        }
        guard let encoding = KleptoKeymap.Encoding(rawValue: options["keymap"] ?? "hashing") else {
            throw refuse("options.keymap", "expected hashing, canonical or string")
        }
        let keymap = try KleptoKeymap(encoding, tolerance: tolerance)
        let writeMode: KleptoWriteMode
        switch options["writeMode"] ?? "through" {
        case "through": writeMode = .writeThrough
        case "back":
            var interval: Duration? = .seconds(5)
            if let text = options["flushInterval"] {
                guard let seconds = Double(text), seconds > 0, seconds.isFinite else { throw refuse("options.flushInterval", "expected seconds > 0") }
                interval = .milliseconds(Int64(seconds * 1_000))
            }
            writeMode = .writeBack(flushInterval: interval)
        default: throw refuse("options.writeMode", "expected through or back")
        }
        let (directory, name) = try Self.location(configuration)
        let archive: any KleptoArchive
        switch options["archive"] ?? "directory" {
        case "directory":
            try KleptoFileIO.makeDirectories(directory)
            archive = try DirectoryArchive(path: directory + "/" + name)
        case "sql":
            try KleptoFileIO.makeDirectories(directory)
            archive = try SQLTableArchive(path: directory + "/klepto.db", name: name)
        case "file":
            try KleptoFileIO.makeDirectories(directory)
            archive = try SingleFileArchive(path: directory + "/\(name).klepto",
                                            mode: writeMode == .writeThrough ? .writeThrough : .writeBack)
        case "memory": archive = MemoryArchive()
        default: throw refuse("options.archive", "expected directory, sql, file or memory")
        }
        let namespace = configuration.namespace
        return try KleptoCache(archive: archive, policy: policy, writeMode: writeMode, keymap: keymap, serializer: serializer,
                               purgesWhenFull: false, logger: Logger(label: "swift-cache.klepto"), makeKey: { $0.scoped(in: namespace) })
    }

    /// Adds this engine to `registry`.
    public static func register(in registry: CacheRegistry = .shared) {
        registry.register(CacheKleptoEngine())
    }
}

extension String {
    func replacingPrefix(_ prefix: String) -> String { hasPrefix(prefix) ? String(dropFirst(prefix.count)) : self }
}
