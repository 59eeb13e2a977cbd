import CacheCore

/// A key under a namespace: `NamespacedKey(namespace: "users", key: "42")`.
/// Two namespaces never share entries, and a namespace can be cleared on its own.
public struct NamespacedKey<Key: Hashable & Sendable>: Hashable, Sendable, CustomStringConvertible {
    public let namespace: String
    public let key: Key

    @inlinable
    public init(namespace: String, key: Key) {
        self.namespace = namespace
        self.key = key
    }

    public var description: String { "\(namespace):\(key)" }
}

extension NamespacedKey: CacheWeighable {
    public var cacheWeight: Int {
        namespace.utf8.count + ((key as? any CacheWeighable)?.cacheWeight ?? MemoryLayout<Key>.stride)
    }
}
