import CacheCore

/// How cache keys map to Redis keys: the configured prefix, then the ``CacheKey``'s
/// `storageBytes` (the namespace, length-prefixed, then the canonical argument bytes).
/// Every process computing the same key gets the same Redis key; the length prefix
/// keeps one namespace from being a prefix of another's keys.
public struct RedisKeys: Sendable {
    public let prefix: [UInt8]
    /// Lease keys live under a separate prefix so they never collide with values.
    public let leasePrefix: [UInt8]

    public init(prefix: String) {
        self.prefix = Array(prefix.utf8)
        self.leasePrefix = Array((prefix + "lease:").utf8) + [0]
    }

    public func redisKey(_ key: CacheKey) -> [UInt8] { prefix + key.storageBytes }

    public func leaseKey(_ key: CacheKey) -> [UInt8] { leasePrefix + key.storageBytes }

    /// The `SCAN MATCH` pattern of every value key under `namespace`.
    public func pattern(namespace: String) -> [UInt8] {
        var encoder = CanonicalKeyEncoder()
        encoder.writeString(namespace)
        return RedisKeys.globEscaped(prefix + encoder.bytes) + [UInt8(ascii: "*")]
    }

    /// The pattern of every value key under the prefix.
    public var allPattern: [UInt8] { RedisKeys.globEscaped(prefix) + [UInt8(ascii: "*")] }

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
