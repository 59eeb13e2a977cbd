import CacheCore

/// How cache keys map to Redis keys: the configured prefix, then the `storageBytes` of the
/// ``CacheKey`` as the store's namespace keeps it (``CacheKey/scoped(in:)``: the key's own
/// namespace, length-prefixed, then the canonical argument bytes). Every process computing
/// the same key gets the same Redis key; the length prefix keeps one namespace from being a
/// prefix of another's keys.
///
/// A key's namespace appears in the Redis key once: `memoize(name: "fib", version: "1")`
/// over Redis writes `<prefix>\u{05}fib@1<arguments>` whether or not the store's namespace
/// is `fib@1`.
public struct RedisKeys: Sendable {
    public let prefix: [UInt8]
    /// Lease keys live under a separate prefix so they never collide with values.
    public let leasePrefix: [UInt8]
    /// The store's namespace: applied to keys by ``CacheKey/scoped(in:)``; a store with
    /// one counts and clears only the keys in its scope (``isInScope(_:)``).
    public let namespace: String?

    public init(prefix: String, namespace: String? = nil) {
        self.prefix = Array(prefix.utf8)
        self.leasePrefix = Array((prefix + "lease:").utf8) + [0]
        self.namespace = namespace
    }

    public func redisKey(_ key: CacheKey) -> [UInt8] { prefix + key.scoped(in: namespace).storageBytes }

    public func leaseKey(_ key: CacheKey) -> [UInt8] { leasePrefix + key.scoped(in: namespace).storageBytes }

    /// The `SCAN MATCH` pattern of every value key whose key namespace is `namespace`
    /// (as this store keeps it: ``CacheKey/scoped(in:)``).
    public func pattern(namespace: String) -> [UInt8] {
        var encoder = CanonicalKeyEncoder()
        encoder.writeString(CacheKey(namespace: namespace, encodedArguments: []).scoped(in: self.namespace).namespace)
        return RedisKeys.globEscaped(prefix + encoder.bytes) + [UInt8(ascii: "*")]
    }

    /// The pattern of every key under the prefix (values and leases). A store with a
    /// namespace keeps only those ``isInScope(_:)`` accepts.
    public var allPattern: [UInt8] { RedisKeys.globEscaped(prefix) + [UInt8(ascii: "*")] }

    /// Whether a Redis key found by ``allPattern`` is this store's: every key without a
    /// store namespace; with one, the value and lease keys whose kept namespace is in its
    /// scope (``CacheKey/isNamespace(_:inScopeOf:)``).
    public func isInScope(_ redisKey: [UInt8]) -> Bool {
        guard let namespace else { return true }
        let body: ArraySlice<UInt8>
        if redisKey.starts(with: leasePrefix) {
            body = redisKey.dropFirst(leasePrefix.count)
        } else if redisKey.starts(with: prefix) {
            body = redisKey.dropFirst(prefix.count)
        } else {
            return false
        }
        guard let key = CacheKey(storageBytes: Array(body)) else { return false }
        return CacheKey.isNamespace(key.namespace, inScopeOf: namespace)
    }

    /// Escapes `* ? [ ] \` so `bytes` match only themselves in a glob.
    static func globEscaped(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 4)
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "*"), UInt8(ascii: "?"), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "\\"):
                out.append(UInt8(ascii: "\\"))
            default: break
            }
            out.append(byte)
        }
        return out
    }
}
