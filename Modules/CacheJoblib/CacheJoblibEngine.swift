import CacheCore

/// Registers CacheJoblib in a ``CacheRegistry`` as engine `"CacheJoblib"`.
///
/// Configuration: `directory` (required); `maxSize` = most entries kept (trimmed on
/// write, least recently accessed first); `options`: `"bytesLimit"` (bytes on disk),
/// `"compression"` (`"none"` or `"zlib"` / `"zlib:LEVEL"`), `"loadMode"` (`"mmap"`,
/// `"copy"`, `"auto"` or `"auto:BYTES"`). No TTL: use `reduceSize(ageLimit:)`.
/// Array values (``CacheArrayConvertible``, e.g. ``ShapedArray``) are stored as `.npy`;
/// anything else through `CacheSerializers.default(for:)`.
public struct CacheJoblibEngine: CacheEngine {
    public static let id: CacheEngineID = "CacheJoblib"
    public init() {}
    public var id: CacheEngineID { Self.id }
    public var summary: String { "numeric arrays as memory-mapped NumPy .npy files with a SQLite index (joblib.Memory)" }
    public var traits: CacheEngineTraits { CacheEngineTraits(capabilities: [.persistent, .multiProcess]) }

    public func makeStore<Value: Codable & Sendable>(
        of valueType: Value.Type, configuration: CacheConfiguration
    ) throws -> any CacheStore<CacheKey, Value> {
        let cache = try ArrayCache(directory: try Self.directory(configuration), options: try Self.options(configuration))
        if let arrayType = Value.self as? any CacheArrayConvertible.Type {
            func open<A: CacheArrayConvertible>(_ type: A.Type) -> any CacheStore<CacheKey, Value> {
                // A is Value (the cast above succeeded), so this cast cannot fail.
                ArrayCacheStore<A>(cache: cache) as! any CacheStore<CacheKey, Value>
            }
            return open(arrayType)
        }
        return ArrayCacheStore<Value>(codableValuesIn: cache)
    }

    static func directory(_ configuration: CacheConfiguration) throws -> String {
        try configuration.validate()
        guard let directory = configuration.directory else {
            throw CacheConfigurationError(setting: "directory", value: "nil", reason: "CacheJoblib stores files: give a directory")
        }
        return directory
    }

    /// Reads the engine's settings, rejecting what it cannot honour.
    public static func options(_ configuration: CacheConfiguration) throws -> ArrayCacheOptions {
        try configuration.validate()
        if let ttl = configuration.ttl {
            throw CacheConfigurationError(setting: "ttl", value: "\(ttl)", reason: "CacheJoblib has no time to live; use reduceSize(ageLimit:)")
        }
        if configuration.policy != .lru {
            throw CacheConfigurationError(setting: "policy", value: configuration.policy.rawValue, reason: "CacheJoblib trims least recently accessed entries (lru) only")
        }
        let known: Set<String> = ["bytesLimit", "compression", "loadMode"]
        if let unknown = configuration.options.keys.sorted().first(where: { !known.contains($0) }) {
            throw CacheConfigurationError(setting: "options[\(unknown)]", value: configuration.options[unknown] ?? "", reason: "unknown CacheJoblib option; expected \(known.sorted())")
        }
        var bytesLimit: Int? = nil
        if let text = configuration.options["bytesLimit"] {
            guard let value = Int(text) else {
                throw CacheConfigurationError(setting: "options[bytesLimit]", value: text, reason: "not an integer")
            }
            bytesLimit = value
        }
        let options = ArrayCacheOptions(
            loadMode: try parseLoadMode(configuration.options["loadMode"] ?? "auto"),
            compression: try parseCompression(configuration.options["compression"] ?? "none"),
            bytesLimit: bytesLimit, itemsLimit: configuration.maxSize)
        try options.validate()
        return options
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
