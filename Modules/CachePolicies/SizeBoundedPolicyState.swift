import CacheCore

/// A ``CachePolicyState`` configured by its size bound alone (LRU, FIFO, MRU, LFU).
public protocol SizeBoundedPolicyState<Key, Value>: CachePolicyState, SendableMetatype, ~Copyable where _Settings == Void {
    /// An empty state for `maxSize`, its table sized for about `expected` entries.
    init(_maxSize: Int, expected: Int)
}

