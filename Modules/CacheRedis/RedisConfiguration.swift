import CacheCore

/// Where and how to reach a Redis server. Parse one from a `redis://` URL:
/// `redis://[[user]:password@]host[:port][/db][?timeout=ms&connectTimeout=ms&pool=n&prefix=p]`.
public struct RedisConfiguration: Sendable, Hashable {
    public var host: String
    public var port: Int
    /// ACL user name for `AUTH user password` (Redis 6+); `nil` for `AUTH password`.
    public var username: String?
    public var password: String?
    /// The database `SELECT`ed on every connection.
    public var database: Int
    /// Connections in the pool; each is shared by many pipelined callers.
    public var poolSize: Int
    /// How long to wait for the TCP connection.
    public var connectTimeout: Duration
    /// How long to wait for a reply before failing the command and closing its connection.
    public var commandTimeout: Duration
    /// Prepended to every cache key, so caches can share a server with other data.
    public var keyPrefix: String

    /// - Throws: ``CacheConfigurationError`` for values that cannot work.
    public init(
        host: String = "127.0.0.1", port: Int = 6379, username: String? = nil, password: String? = nil,
        database: Int = 0, poolSize: Int = 2, connectTimeout: Duration = .seconds(2),
        commandTimeout: Duration = .seconds(2), keyPrefix: String = "swift-cache:"
    ) throws(CacheConfigurationError) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.poolSize = poolSize
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
        self.keyPrefix = keyPrefix
        try validate()
    }

    public func validate() throws(CacheConfigurationError) {
        if host.isEmpty { throw CacheConfigurationError(setting: "host", value: "''", reason: "must not be empty") }
        if !(1...65_535).contains(port) { throw CacheConfigurationError(setting: "port", value: "\(port)", reason: "must be 1–65535") }
        if database < 0 { throw CacheConfigurationError(setting: "database", value: "\(database)", reason: "must be ≥ 0") }
        if poolSize < 1 { throw CacheConfigurationError(setting: "poolSize", value: "\(poolSize)", reason: "must be ≥ 1") }
        try CacheConfiguration.checkTTL(connectTimeout, setting: "connectTimeout")
        try CacheConfiguration.checkTTL(commandTimeout, setting: "commandTimeout")
        if username != nil && password == nil {
            throw CacheConfigurationError(setting: "username", value: username!, reason: "an ACL user needs a password")
        }
    }

    /// `host:port`, for messages.
    public var address: String { "\(host):\(port)" }

    /// Parses a `redis://` URL. Percent-escapes in the user and password are decoded.
    /// - Throws: ``CacheConfigurationError`` naming the part that is wrong.
    public init(url: String) throws(CacheConfigurationError) {
        func fail(_ reason: String) -> CacheConfigurationError {
            CacheConfigurationError(setting: "url", value: "'\(CredentialRedaction.redact(url))'", reason: reason)
        }
        guard url.hasPrefix("redis://") else { throw fail("must start with redis:// (TLS, rediss://, is not supported)") }
        var rest = Substring(url.dropFirst("redis://".count))
        var query: [String: String] = [:]
        if let q = rest.firstIndex(of: "?") {
            for pair in rest[rest.index(after: q)...].split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2 else { throw fail("query item '\(pair)' is not name=value") }
                query[parts[0]] = parts[1]
            }
            rest = rest[..<q]
        }
        var path = ""
        if let slash = rest.firstIndex(of: "/") {
            path = String(rest[rest.index(after: slash)...])
            rest = rest[..<slash]
        }
        var user: String?, password: String?
        if let at = rest.lastIndex(of: "@") {
            let credentials = rest[..<at]
            rest = rest[rest.index(after: at)...]
            if let colon = credentials.firstIndex(of: ":") {
                let u = String(credentials[..<colon])
                user = u.isEmpty ? nil : try RedisConfiguration.percentDecode(u, url: url, secret: true)
                password = try RedisConfiguration.percentDecode(String(credentials[credentials.index(after: colon)...]), url: url, secret: true)
            } else {
                password = try RedisConfiguration.percentDecode(String(credentials), url: url, secret: true)
            }
        }
        var host = String(rest), port = 6379
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { throw fail("unclosed IPv6 bracket") }
            let after = host[host.index(after: close)...]
            let inside = String(host[host.index(after: host.startIndex)..<close])
            if after.hasPrefix(":") {
                guard let p = Int(after.dropFirst()) else { throw fail("port '\(after.dropFirst())' is not a number") }
                port = p
            }
            host = inside
        } else if let colon = host.lastIndex(of: ":") {
            guard let p = Int(host[host.index(after: colon)...]) else { throw fail("port '\(host[host.index(after: colon)...])' is not a number") }
            port = p
            host = String(host[..<colon])
        }
        if host.isEmpty { host = "127.0.0.1" }
        var database = 0
        if !path.isEmpty {
            guard let db = Int(path) else { throw fail("database '\(path)' is not a number") }
            database = db
        }
        func milliseconds(_ name: String) throws(CacheConfigurationError) -> Duration? {
            guard let text = query[name] else { return nil }
            guard let ms = Int(text), ms > 0 else { throw fail("\(name)=\(text) is not a positive number of milliseconds") }
            return .milliseconds(ms)
        }
        var pool = 2
        if let text = query["pool"] {
            guard let n = Int(text) else { throw fail("pool=\(text) is not a number") }
            pool = n
        }
        try self.init(
            host: host, port: port, username: user, password: password, database: database, poolSize: pool,
            connectTimeout: try milliseconds("connectTimeout") ?? .seconds(2),
            commandTimeout: try milliseconds("timeout") ?? .seconds(2),
            keyPrefix: query["prefix"].map { (try? RedisConfiguration.percentDecode($0, url: url)) ?? $0 } ?? "swift-cache:")
    }

    /// `text` with its percent-escapes decoded; a bad escape in a `secret` part (the user or
    /// password) is reported without echoing the part.
    static func percentDecode(_ text: String, url: String, secret: Bool = false) throws(CacheConfigurationError) -> String {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8)[...]
        while let byte = iterator.popFirst() {
            if byte == UInt8(ascii: "%") {
                guard iterator.count >= 2, let value = UInt8(String(decoding: iterator.prefix(2), as: UTF8.self), radix: 16) else {
                    throw CacheConfigurationError(setting: "url", value: "'\(CredentialRedaction.redact(url))'",
                                                  reason: secret ? "bad percent-escape in the user or password" : "bad percent-escape in '\(text)'")
                }
                bytes.append(value)
                iterator = iterator.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension RedisConfiguration: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The server, database, pool, timeouts and prefix; never the password or the ACL user.
    public var description: String {
        "RedisConfiguration(\(address)/\(database)\(password == nil ? "" : ", auth=<redacted>"), pool=\(poolSize), "
            + "connectTimeout=\(connectTimeout), timeout=\(commandTimeout), prefix=\(keyPrefix))"
    }

    public var debugDescription: String { description }

    /// What `dump` and debuggers show: the same fields as ``description``, credentials redacted.
    public var customMirror: Mirror {
        Mirror(self, children: [
            "host": host, "port": port, "database": database, "poolSize": poolSize,
            "username": username == nil ? "nil" : "<redacted>", "password": password == nil ? "nil" : "<redacted>",
            "connectTimeout": connectTimeout, "commandTimeout": commandTimeout, "keyPrefix": keyPrefix,
        ])
    }
}
