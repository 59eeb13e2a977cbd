import CacheCore

extension PolicyCache where State: SizeBoundedPolicyState & ~Copyable {
    /// Creates an empty cache.
    /// - Parameters:
    ///   - maxSize: the bound on the total weight, ≥ 0.
    ///   - weigher: an entry's weight (default 1); must be ≥ 0. Runs outside the lock.
    ///   - onRemoval: called with every entry that leaves, after the lock is released.
    /// - Throws: `CacheConfigurationError` naming `maxSize` when it is negative.
    /// - Complexity: O(1).
    public convenience init(
        maxSize: Int,
        weigher: (@Sendable (Key, Value) -> Int)? = nil,
        clock: any CacheClock = MonotonicCacheClock(),
        onRemoval: RemovalListener<Key, Value>? = nil
    ) throws(CacheConfigurationError) {
        try CacheConfiguration.checkSize(maxSize, setting: "maxSize")
        let expected = Self.expectedEntries(maxSize: maxSize, weigher: weigher)
        self.init(maxSize: maxSize, weigher: weigher, clock: clock, onRemoval: onRemoval, settings: (),
                  state: State(_maxSize: maxSize, expected: expected))
    }
}
