import CacheCore

extension AsyncCacheEntry: CacheWeighable {
    /// The value's weight (its own ``CacheWeighable`` weight, else its size in memory) plus the two times.
    public var cacheWeight: Int {
        ((value as? any CacheWeighable)?.cacheWeight ?? MemoryLayout<Value>.stride) + 16
    }
}
