import CacheCore

/// CacheRedis's typed engine settings: the server to reach and the stores' default TTL.
/// Made by ``CacheEngineSettings/redis(url:defaultTTL:)`` or
/// ``CacheEngineSettings/redis(_:defaultTTL:)``; a configuration's `url` option is parsed
/// into the same shape (``init(parsing:)``, the one place CacheRedis reads options text).
public struct RedisEngineSettings: CacheEngineSettingsValue, Hashable {
    public static var engine: CacheEngineID { CacheRedisEngine.id }

    /// The server; `nil`: not given here.
    public var server: RedisConfiguration?
    /// The stores' default time to live; `nil`: the configuration's `ttl`, else none.
    public var defaultTTL: Duration?

    public init(server: RedisConfiguration?, defaultTTL: Duration? = nil) throws(CacheConfigurationError) {
        try server?.validate()
        if let defaultTTL { try CacheConfiguration.checkTTL(defaultTTL, setting: "defaultTTL") }
        self.server = server
        self.defaultTTL = defaultTTL
    }

    /// Reads a ``CacheConfiguration``: the option `url` (a `redis://` URL) and `ttl`.
    /// `maxSize` is refused (Redis bounds memory with the server's `maxmemory`), and so is
    /// any other option.
    public init(parsing configuration: CacheConfiguration) throws(CacheConfigurationError) {
        try configuration.validate()
        if let maxSize = configuration.maxSize {
            throw CacheConfigurationError(setting: "maxSize", value: "\(maxSize)", reason: "Redis bounds memory with the server's maxmemory policy, not per cache")
        }
        if let unknown = configuration.options.keys.sorted().first(where: { $0 != "url" }) {
            throw CacheConfigurationError(setting: "options.\(unknown)", value: configuration.options[unknown] ?? "",
                                          reason: "unknown CacheRedis option; known: url")
        }
        try self.init(server: try configuration.options["url"].map { (url) throws(CacheConfigurationError) in
            try RedisConfiguration(url: url)
        }, defaultTTL: configuration.ttl)
    }

    /// These settings with every field `other` gives replacing this one's.
    public func overlaid(by other: RedisEngineSettings) -> RedisEngineSettings {
        var out = self
        if let v = other.server { out.server = v }
        if let v = other.defaultTTL { out.defaultTTL = v }
        return out
    }

    /// Never shows a password or an ACL user name.
    public var description: String {
        var parts: [String] = []
        if let server {
            parts.append("server=\(server.address)/\(server.database)")
            if server.password != nil { parts.append("auth=<redacted>") }
        } else {
            parts.append("server=none")
        }
        if let defaultTTL { parts.append("defaultTTL=\(defaultTTL)") }
        return "RedisEngineSettings(" + parts.joined(separator: ", ") + ")"
    }
}

extension CacheEngineSettings {
    /// CacheRedis's settings from a `redis://` URL (see ``RedisConfiguration/init(url:)``).
    /// - Throws: ``CacheConfigurationError`` for a URL that does not parse, now.
    public static func redis(url: String, defaultTTL: Duration? = nil) throws(CacheConfigurationError) -> CacheEngineSettings {
        CacheEngineSettings(try RedisEngineSettings(server: try RedisConfiguration(url: url), defaultTTL: defaultTTL))
    }

    /// CacheRedis's settings from a typed server configuration.
    public static func redis(_ server: RedisConfiguration, defaultTTL: Duration? = nil) throws(CacheConfigurationError) -> CacheEngineSettings {
        CacheEngineSettings(try RedisEngineSettings(server: server, defaultTTL: defaultTTL))
    }
}
