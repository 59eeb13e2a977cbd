import CacheCore

/// The name the policy states use for ``PolicyRemovals``.
@usableFromInline
package typealias Removals<Key, Value> = PolicyRemovals<Key, Value>

/// Entries that left a cache during one locked operation. They are handed back out of
/// the lock so that the removal listener runs (and the values are released) unlocked.
/// Holds the first entry inline so the common single eviction allocates nothing.
///
/// Public only because ``CachePolicyState``'s requirements mention it; it has no public
/// members and users never see one.
public struct PolicyRemovals<Key, Value> {
    @usableFromInline package var first: (key: Key, value: Value, cause: RemovalCause)?
    @usableFromInline package var rest: [(key: Key, value: Value, cause: RemovalCause)]

    @inlinable
    package init() {
        first = nil
        rest = []
    }

    @inlinable
    package mutating func append(_ key: Key, _ value: Value, _ cause: RemovalCause) {
        if first == nil { first = (key, value, cause) } else { rest.append((key, value, cause)) }
    }

    /// Calls `listener` for each entry in removal order. Call only with no lock held.
    @inlinable
    package func deliver(to listener: RemovalListener<Key, Value>?) {
        guard let listener, let first else { return }
        listener(first.key, first.value, first.cause)
        for r in rest { listener(r.key, r.value, r.cause) }
    }

    /// The removed pairs with the given cause, in order.
    @usableFromInline
    package func pairs(_ cause: RemovalCause) -> [(key: Key, value: Value)] {
        var out: [(key: Key, value: Value)] = []
        if let first, first.cause == cause { out.append((first.key, first.value)) }
        for r in rest where r.cause == cause { out.append((r.key, r.value)) }
        return out
    }
}

extension PolicyRemovals: Sendable where Key: Sendable, Value: Sendable {}

/// The counters every policy keeps under its lock (public only because
/// ``CachePolicyState`` requires one; it has no public members).
public struct PolicyCounters: Sendable {
    @usableFromInline package var hits = 0
    @usableFromInline package var misses = 0
    @usableFromInline package var sizeEvictions = 0
    @usableFromInline package var expiredEvictions = 0
    @usableFromInline package var storeFailures = 0

    @inlinable package init() {}

    @usableFromInline
    package func snapshot(count: Int, bytes: Int) -> CacheStats {
        var s = CacheStats()
        s.hits = hits
        s.misses = misses
        if sizeEvictions > 0 { s.evictions[.size] = sizeEvictions }
        if expiredEvictions > 0 { s.evictions[.expired] = expiredEvictions }
        s.count = count
        s.bytes = bytes
        s.storeFailures = storeFailures
        return s
    }
}

/// Weighs an item before the lock is taken and checks it against `maxSize`, with the
/// rules of cachetools' `Cache.__setitem__` (negative weights and items heavier than the
/// whole cache are refused).
@inlinable
package func weighItem<Key, Value>(
    _ key: Key, _ value: Value, weigher: (@Sendable (Key, Value) -> Int)?, maxSize: Int
) throws(CacheStoreError) -> Int {
    guard let weigher else {
        if maxSize < 1 { throw tooLargeError(key, weight: 1, maxSize: maxSize) }
        return 1
    }
    let w = weigher(key, value)
    if w < 0 { throw negativeWeightError(key, weight: w) }
    if w > maxSize { throw tooLargeError(key, weight: w, maxSize: maxSize) }
    return w
}

@usableFromInline
package func tooLargeError<Key>(_ key: Key, weight: Int, maxSize: Int) -> CacheStoreError {
    CacheStoreError(.itemTooLarge, key: cacheDescribeKey(key),
                    detail: "item weight \(weight) exceeds maxSize \(maxSize); not stored")
}

@usableFromInline
package func negativeWeightError<Key>(_ key: Key, weight: Int) -> CacheStoreError {
    CacheStoreError(.unsupported, key: cacheDescribeKey(key),
                    detail: "weigher returned a negative weight (\(weight)); not stored")
}

@usableFromInline
package func perEntryTTLError<Key>(_ key: Key, cache: String) -> CacheStoreError {
    CacheStoreError(.unsupported, key: cacheDescribeKey(key),
                    detail: "\(cache) has no per-entry TTL; pass ttl: nil")
}
