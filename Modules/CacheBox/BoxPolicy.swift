/// The eviction policy of a ``BoxCache``.
public enum BoxPolicy: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// The default: W-TinyLFU. New entries enter a small LRU *window*; an entry leaving
    /// the window is admitted to the segmented-LRU *main* space (probation, then protected
    /// on a second use) only if a count-min sketch says it is used more often than the
    /// entry it would evict. A hill climber resizes the window from the sampled hit rate,
    /// so recency-heavy work gets a large window and frequency-heavy work a small one.
    case adaptive
    /// Least recently used: hits and updates move an entry to the recent end.
    case lru
    /// Least frequently used, sampled: the victim is the least used of 16 entries picked
    /// at random (exact use counts; the entry just inserted is never its own victim).
    case lfu
    /// First in, first out: hits and updates do not reorder.
    case fifo
    /// Random replacement.
    case random

    public var description: String { rawValue }
}
