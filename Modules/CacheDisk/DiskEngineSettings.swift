import CacheCore

/// CacheDisk's typed engine settings: what ``CacheEngineSettings/disk(directory:sizeLimit:shards:evictionPolicy:defaultTTL:inlineThreshold:synchronous:)``
/// makes, and what a ``CacheConfiguration``'s fields and text options are parsed into
/// (in ``init(parsing:)``, the one place CacheDisk reads options text).
public struct DiskEngineSettings: CacheEngineSettingsValue, Hashable {
    public static var engine: CacheEngineID { CacheDiskEngine.id }

    /// The cache directory; `nil`: the one the memoize call or ``CacheDirectories`` gives.
    public var directory: String?
    /// The size bound; `nil`: not given here (the configuration's `maxSize`, else the default 1 GiB).
    public var sizeLimit: CacheSizeLimit?
    /// Shards of a ``FanoutDiskCache`` (1…256); `nil`: one ``DiskCache``.
    public var shards: Int?
    public var evictionPolicy: DiskEvictionPolicy?
    public var defaultTTL: Duration?
    /// Values of at least this many bytes go to their own file.
    public var inlineThreshold: Int?
    public var synchronous: DiskSynchronousMode?

    /// The default size bound when none is given: 1 GiB, like diskcache's (the same as
    /// ``DiskCacheOptions/defaultSizeLimit``).
    public static var defaultSizeLimit: Int { DiskCacheOptions.defaultSizeLimit }

    public init(
        directory: String? = nil, sizeLimit: CacheSizeLimit? = nil, shards: Int? = nil,
        evictionPolicy: DiskEvictionPolicy? = nil, defaultTTL: Duration? = nil,
        inlineThreshold: Int? = nil, synchronous: DiskSynchronousMode? = nil
    ) throws(CacheConfigurationError) {
        self.directory = directory
        self.sizeLimit = sizeLimit
        self.shards = shards
        self.evictionPolicy = evictionPolicy
        self.defaultTTL = defaultTTL
        self.inlineThreshold = inlineThreshold
        self.synchronous = synchronous
        try validate()
    }

    /// Reads a ``CacheConfiguration``: `directory`, `maxSize` (bytes), `ttl`, `policy`
    /// (`fifo` = least recently stored, `lru`, `lfu`; `ttl` needs a `ttl`) and the options
    /// `shards`, `eviction` (`none`), `inlineThreshold` (bytes), `synchronous`
    /// (`normal` | `full` | `off`) and `sizeLimit` (bytes, `default` or `unbounded`).
    /// An option CacheDisk does not know is a typed error.
    public init(parsing configuration: CacheConfiguration) throws(CacheConfigurationError) {
        try configuration.validate()
        var eviction: DiskEvictionPolicy
        switch configuration.policy {
        case .fifo: eviction = .leastRecentlyStored
        case .lru: eviction = .leastRecentlyUsed
        case .lfu: eviction = .leastFrequentlyUsed
        case .ttl:
            guard configuration.ttl != nil else {
                throw CacheConfigurationError(setting: "policy", value: "ttl", reason: "the ttl policy needs a ttl")
            }
            eviction = .leastRecentlyStored
        case .rr, .mru, .tlru:
            throw CacheConfigurationError(setting: "policy", value: configuration.policy.rawValue,
                                          reason: "CacheDisk evicts fifo (least recently stored), lru or lfu")
        }
        var sizeLimit = configuration.maxSize.map(CacheSizeLimit.bytes)
        var shards: Int?, inline: Int?, synchronous: DiskSynchronousMode?
        for (name, value) in configuration.options.sorted(by: { $0.key < $1.key }) {
            switch name {
            case "shards":
                guard let n = Int(value) else {
                    throw CacheConfigurationError(setting: "options.shards", value: value, reason: "expected 1…256")
                }
                shards = n
            case "eviction":
                guard value == "none" else {
                    throw CacheConfigurationError(setting: "options.eviction", value: value, reason: "expected 'none' (or use policy)")
                }
                eviction = .none
            case "inlineThreshold":
                guard let bytes = Int(value), bytes >= 0 else {
                    throw CacheConfigurationError(setting: "options.inlineThreshold", value: value, reason: "expected a byte count ≥ 0")
                }
                inline = bytes
            case "synchronous":
                guard let mode = DiskSynchronousMode(rawValue: value.uppercased()) else {
                    throw CacheConfigurationError(setting: "options.synchronous", value: value, reason: "expected normal, full or off")
                }
                synchronous = mode
            case "sizeLimit":
                if configuration.maxSize != nil {
                    throw CacheConfigurationError(setting: "options.sizeLimit", value: value, reason: "maxSize is set too; give one of them")
                }
                sizeLimit = try CacheSizeLimit(parsing: value, setting: "options.sizeLimit")
            default:
                throw CacheConfigurationError(setting: "options.\(name)", value: value,
                                              reason: "unknown CacheDisk option; known: eviction, inlineThreshold, shards, sizeLimit, synchronous")
            }
        }
        try self.init(directory: configuration.directory, sizeLimit: sizeLimit, shards: shards, evictionPolicy: eviction,
                      defaultTTL: configuration.ttl, inlineThreshold: inline, synchronous: synchronous)
    }

    /// Throws the first invalid field.
    public func validate() throws(CacheConfigurationError) {
        if let directory, directory.isEmpty {
            throw CacheConfigurationError(setting: "directory", value: "''", reason: "must not be empty")
        }
        try sizeLimit?.validate(setting: "sizeLimit")
        if let shards, !(1...256).contains(shards) {
            throw CacheConfigurationError(setting: "shards", value: "\(shards)", reason: "expected 1…256")
        }
        if let defaultTTL { try CacheConfiguration.checkTTL(defaultTTL, setting: "defaultTTL") }
        if let inlineThreshold { try CacheConfiguration.checkSize(inlineThreshold, setting: "inlineThreshold") }
    }

    /// These settings with every field `other` gives replacing this one's.
    public func overlaid(by other: DiskEngineSettings) -> DiskEngineSettings {
        var out = self
        if let v = other.directory { out.directory = v }
        if let v = other.sizeLimit { out.sizeLimit = v }
        if let v = other.shards { out.shards = v }
        if let v = other.evictionPolicy { out.evictionPolicy = v }
        if let v = other.defaultTTL { out.defaultTTL = v }
        if let v = other.inlineThreshold { out.inlineThreshold = v }
        if let v = other.synchronous { out.synchronous = v }
        return out
    }

    /// The cache options these settings ask for (the size bound resolved: 1 GiB by default).
    public var cacheOptions: DiskCacheOptions {
        var options = DiskCacheOptions(
            sizeLimit: (sizeLimit ?? .default).resolved(defaultBytes: Self.defaultSizeLimit), defaultTTL: defaultTTL)
        if let evictionPolicy { options.evictionPolicy = evictionPolicy }
        if let inlineThreshold { options.inlineThreshold = inlineThreshold }
        if let synchronous { options.synchronous = synchronous }
        return options
    }

    public var description: String {
        var parts: [String] = []
        if let directory { parts.append("directory=\(directory)") }
        parts.append("sizeLimit=\(sizeLimit ?? .default)")
        if let shards { parts.append("shards=\(shards)") }
        if let evictionPolicy { parts.append("eviction=\(evictionPolicy.rawValue)") }
        if let defaultTTL { parts.append("defaultTTL=\(defaultTTL)") }
        if let inlineThreshold { parts.append("inlineThreshold=\(inlineThreshold)") }
        if let synchronous { parts.append("synchronous=\(synchronous.rawValue.lowercased())") }
        return "DiskEngineSettings(" + parts.joined(separator: ", ") + ")"
    }
}

extension CacheEngineSettings {
    /// CacheDisk's settings: a directory (default: the memoize call's, else
    /// ``CacheDirectories/defaultRoot()``), a size bound (default 1 GiB; `.unbounded` by
    /// name), shards for a ``FanoutDiskCache``, and the disk cache's own options.
    /// - Throws: ``CacheConfigurationError`` for an invalid value, now.
    public static func disk(
        directory: String? = nil, sizeLimit: CacheSizeLimit? = nil, shards: Int? = nil,
        evictionPolicy: DiskEvictionPolicy? = nil, defaultTTL: Duration? = nil,
        inlineThreshold: Int? = nil, synchronous: DiskSynchronousMode? = nil
    ) throws(CacheConfigurationError) -> CacheEngineSettings {
        CacheEngineSettings(try DiskEngineSettings(
            directory: directory, sizeLimit: sizeLimit, shards: shards, evictionPolicy: evictionPolicy,
            defaultTTL: defaultTTL, inlineThreshold: inlineThreshold, synchronous: synchronous))
    }
}
