import CacheCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Registers CacheJoblib in a ``CacheRegistry`` as engine `"CacheJoblib"`.
///
/// Typed settings: ``CacheEngineSettings/arrays(directory:loadMode:compression:bytesLimit:itemsLimit:)``.
/// From a ``CacheConfiguration`` (see ``ArrayEngineSettings/init(parsing:)``): `directory`
/// (required); `maxSize` = most entries kept (trimmed on write, least recently accessed
/// first); `options`: `"bytesLimit"` (bytes on disk, default 1 GiB, or `unbounded`),
/// `"compression"` (`"none"` or `"zlib"` / `"zlib:LEVEL"`), `"loadMode"` (`"mmap"`,
/// `"copy"`, `"auto"` or `"auto:BYTES"`). No TTL: use `reduceSize(ageLimit:)`.
/// Array values (``CacheArrayConvertible``, e.g. ``ShapedArray``) are stored as `.npy`;
/// anything else through `CacheSerializers.default(for:)`. `namespace` keeps the store's
/// keys apart in a shared directory (applied once, ``CacheKey/scoped(in:)``); its
/// `removeAll()` and `count` then cover that namespace only.
public struct CacheJoblibEngine: CacheEngine {
    public static let id: CacheEngineID = "CacheJoblib"
    public init() {}
    public var id: CacheEngineID { Self.id }
    public var summary: String { "numeric arrays as memory-mapped NumPy .npy files with a SQLite index (joblib.Memory)" }
    public var traits: CacheEngineTraits { CacheEngineTraits(capabilities: [.persistent, .multiProcess, .memoryMappedArrays, .weighted]) }

    public func makeStore<Value: Codable & Sendable>(
        of valueType: Value.Type, configuration: CacheConfiguration
    ) throws -> any CacheStore<CacheKey, Value> {
        try makeStore(of: valueType, configuration: configuration, settings: nil)
    }

    public func makeStore<Value: Codable & Sendable>(
        of valueType: Value.Type, configuration: CacheConfiguration, settings: CacheEngineSettings?
    ) throws -> any CacheStore<CacheKey, Value> {
        let resolved = try Self.settings(configuration, settings)
        guard let directory = resolved.directory else {
            throw CacheConfigurationError(setting: "directory", value: "nil", reason: "CacheJoblib stores files: give a directory")
        }
        let cache = try ArrayCache(directory: directory, options: resolved.cacheOptions)
        if let arrayType = Value.self as? any CacheArrayConvertible.Type {
            func open<A: CacheArrayConvertible>(_ type: A.Type) -> any CacheStore<CacheKey, Value> {
                // A is Value (the cast above succeeded), so this cast cannot fail.
                ArrayCacheStore<A>(cache: cache, namespace: configuration.namespace) as! any CacheStore<CacheKey, Value>
            }
            return open(arrayType)
        }
        return ArrayCacheStore<Value>(codableValuesIn: cache, namespace: configuration.namespace)
    }

    public func hasStoredData(configuration: CacheConfiguration, settings: CacheEngineSettings?) -> Bool {
        guard let resolved = try? Self.settings(configuration, settings), let directory = resolved.directory else { return false }
        return access(directory + "/" + ArrayCacheIndex.fileName, F_OK) == 0
    }

    /// The configuration parsed, overlaid with typed `settings`.
    static func settings(_ configuration: CacheConfiguration, _ settings: CacheEngineSettings?) throws -> ArrayEngineSettings {
        let parsed = try ArrayEngineSettings(parsing: configuration)
        guard let settings else { return parsed }
        return parsed.overlaid(by: try settings.require(ArrayEngineSettings.self))
    }

    /// Reads the engine's settings, rejecting what it cannot honour.
    public static func options(_ configuration: CacheConfiguration) throws -> ArrayCacheOptions {
        try ArrayEngineSettings(parsing: configuration).cacheOptions
    }

    /// `none`, `zlib` (level 6) or `zlib:LEVEL`.
    public static func parseCompression(_ text: String) throws(CacheConfigurationError) -> ArrayCompression {
        if text == "none" { return .none }
        if text == "zlib" { return .zlib(level: 6) }
        if text.hasPrefix("zlib:"), let level = Int(text.dropFirst(5)), (1...9).contains(level) { return .zlib(level: level) }
        throw CacheConfigurationError(setting: "compression", value: text, reason: "expected none, zlib or zlib:1…9")
    }

    /// `mmap`, `copy`, `auto` (map from 1 MiB) or `auto:BYTES`.
    public static func parseLoadMode(_ text: String) throws(CacheConfigurationError) -> ArrayLoadMode {
        switch text {
        case "mmap": return .memoryMapped
        case "copy": return .copy
        case "auto": return .default
        default:
            if text.hasPrefix("auto:"), let threshold = Int(text.dropFirst(5)), threshold >= 0 { return .automatic(threshold: threshold) }
            throw CacheConfigurationError(setting: "loadMode", value: text, reason: "expected mmap, copy, auto or auto:BYTES")
        }
    }

    /// Adds this engine to `registry`.
    public static func register(in registry: CacheRegistry = .shared) {
        registry.register(CacheJoblibEngine())
    }
}
