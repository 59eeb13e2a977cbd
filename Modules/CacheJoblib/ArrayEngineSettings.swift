import CacheCore

/// CacheJoblib's typed engine settings: what ``CacheEngineSettings/arrays(directory:loadMode:compression:bytesLimit:itemsLimit:)``
/// makes, and what a ``CacheConfiguration`` is parsed into (in ``init(parsing:)``, the one
/// place CacheJoblib reads options text).
public struct ArrayEngineSettings: CacheEngineSettingsValue, Hashable {
    public static var engine: CacheEngineID { CacheJoblibEngine.id }

    /// The cache directory; `nil`: the one the memoize call or ``CacheDirectories`` gives.
    public var directory: String?
    public var loadMode: ArrayLoadMode?
    public var compression: ArrayCompression?
    /// Bytes on disk; `nil`: not given here (the default 1 GiB).
    public var bytesLimit: CacheSizeLimit?
    /// Most entries kept; `nil`: no count bound.
    public var itemsLimit: Int?

    /// The default bytes bound when none is given: 1 GiB (``ArrayCacheOptions/defaultBytesLimit``).
    public static var defaultBytesLimit: Int { ArrayCacheOptions.defaultBytesLimit }

    public init(
        directory: String? = nil, loadMode: ArrayLoadMode? = nil, compression: ArrayCompression? = nil,
        bytesLimit: CacheSizeLimit? = nil, itemsLimit: Int? = nil
    ) throws(CacheConfigurationError) {
        self.directory = directory
        self.loadMode = loadMode
        self.compression = compression
        self.bytesLimit = bytesLimit
        self.itemsLimit = itemsLimit
        try cacheOptions.validate()
        if let directory, directory.isEmpty {
            throw CacheConfigurationError(setting: "directory", value: "''", reason: "must not be empty")
        }
        try bytesLimit?.validate(setting: "bytesLimit")
    }

    /// Reads a ``CacheConfiguration``: `directory`, `maxSize` = most entries kept, and the
    /// options `bytesLimit` (bytes, `default` or `unbounded`), `compression` (`none`,
    /// `zlib`, `zlib:LEVEL`) and `loadMode` (`mmap`, `copy`, `auto`, `auto:BYTES`). No TTL
    /// (use `reduceSize(ageLimit:)`) and no policy but `lru`. Anything else is a typed error.
    public init(parsing configuration: CacheConfiguration) throws(CacheConfigurationError) {
        try configuration.validate()
        if let ttl = configuration.ttl {
            throw CacheConfigurationError(setting: "ttl", value: "\(ttl)", reason: "CacheJoblib has no time to live; use reduceSize(ageLimit:)")
        }
        if configuration.policy != .lru {
            throw CacheConfigurationError(setting: "policy", value: configuration.policy.rawValue, reason: "CacheJoblib trims least recently accessed entries (lru) only")
        }
        let known: Set<String> = ["bytesLimit", "compression", "loadMode"]
        if let unknown = configuration.options.keys.sorted().first(where: { !known.contains($0) }) {
            throw CacheConfigurationError(setting: "options.\(unknown)", value: configuration.options[unknown] ?? "",
                                          reason: "unknown CacheJoblib option; known: \(known.sorted().joined(separator: ", "))")
        }
        try self.init(
            directory: configuration.directory,
            loadMode: try configuration.options["loadMode"].map(CacheJoblibEngine.parseLoadMode),
            compression: try configuration.options["compression"].map(CacheJoblibEngine.parseCompression),
            bytesLimit: try configuration.options["bytesLimit"].map { (text) throws(CacheConfigurationError) in
                try CacheSizeLimit(parsing: text, setting: "options.bytesLimit")
            },
            itemsLimit: configuration.maxSize)
    }

    /// These settings with every field `other` gives replacing this one's.
    public func overlaid(by other: ArrayEngineSettings) -> ArrayEngineSettings {
        var out = self
        if let v = other.directory { out.directory = v }
        if let v = other.loadMode { out.loadMode = v }
        if let v = other.compression { out.compression = v }
        if let v = other.bytesLimit { out.bytesLimit = v }
        if let v = other.itemsLimit { out.itemsLimit = v }
        return out
    }

    /// The array cache options these settings ask for (bytes bound resolved: 1 GiB by default).
    public var cacheOptions: ArrayCacheOptions {
        ArrayCacheOptions(
            loadMode: loadMode ?? .default, compression: compression ?? .none,
            bytesLimit: (bytesLimit ?? .default).resolved(defaultBytes: Self.defaultBytesLimit), itemsLimit: itemsLimit)
    }

    public var description: String {
        var parts: [String] = []
        if let directory { parts.append("directory=\(directory)") }
        if let loadMode { parts.append("loadMode=\(loadMode)") }
        if let compression { parts.append("compression=\(compression)") }
        parts.append("bytesLimit=\(bytesLimit ?? .default)")
        if let itemsLimit { parts.append("itemsLimit=\(itemsLimit)") }
        return "ArrayEngineSettings(" + parts.joined(separator: ", ") + ")"
    }
}

extension CacheEngineSettings {
    /// CacheJoblib's settings: a directory (default: the memoize call's, else
    /// ``CacheDirectories/defaultRoot()``), how hits load (memory-mapped from 1 MiB by
    /// default), compression, and bounds (1 GiB on disk by default; `.unbounded` by name).
    /// - Throws: ``CacheConfigurationError`` for an invalid value, now.
    public static func arrays(
        directory: String? = nil, loadMode: ArrayLoadMode? = nil, compression: ArrayCompression? = nil,
        bytesLimit: CacheSizeLimit? = nil, itemsLimit: Int? = nil
    ) throws(CacheConfigurationError) -> CacheEngineSettings {
        CacheEngineSettings(try ArrayEngineSettings(
            directory: directory, loadMode: loadMode, compression: compression, bytesLimit: bytesLimit, itemsLimit: itemsLimit))
    }
}
