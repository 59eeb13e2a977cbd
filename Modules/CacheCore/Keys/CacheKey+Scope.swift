extension CacheKey {
    /// The key as a store with namespace `storeNamespace` keeps it: the one place a
    /// store's namespace is applied to a key.
    ///
    /// The rule, for every store in the package that takes a namespace (``CacheConfiguration/namespace``,
    /// `DiskStore(namespace:)`, the Redis stores, the array store):
    /// - A key carries its function's namespace (`name` or `name@version`) from where it is
    ///   made (``init(name:version:digestThreshold:arguments:)``); nothing adds it again.
    /// - A store's namespace is added in front of a key's only when the key does not already
    ///   carry it: `key.namespace == storeNamespace` is kept as it is (this is every key a
    ///   memoizer made by `memoize(name:version:)` writes through the store chosen for it),
    ///   any other key is kept as `<storeNamespace>/<key namespace>`, so stores with different
    ///   namespaces over one directory or server keep equal keys apart.
    /// - A store's `count` and `removeAll()` cover the entries whose kept namespace is in its
    ///   scope (``isNamespace(_:inScopeOf:)``).
    ///
    /// With `storeNamespace` `nil` the key is returned unchanged.
    /// - Complexity: O(1) when the key is kept as it is, else O(key size).
    @inlinable
    public func scoped(in storeNamespace: String?) -> CacheKey {
        guard let storeNamespace, namespace != storeNamespace else { return self }
        return CacheKey(namespace: storeNamespace + "/" + namespace, encodedArguments: encodedArguments)
    }

    /// Whether a kept namespace (as ``scoped(in:)`` wrote it) belongs to the store
    /// namespace `storeNamespace`: it is `storeNamespace` itself or starts with `storeNamespace/`.
    public static func isNamespace(_ keptNamespace: String, inScopeOf storeNamespace: String) -> Bool {
        keptNamespace == storeNamespace
            || (keptNamespace.utf8.count > storeNamespace.utf8.count
                && keptNamespace.utf8.starts(with: storeNamespace.utf8)
                && keptNamespace.utf8.dropFirst(storeNamespace.utf8.count).first == UInt8(ascii: "/"))
    }
}
