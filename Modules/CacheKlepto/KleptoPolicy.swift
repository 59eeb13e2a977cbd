/// The front of a ``KleptoCache``: which entries it keeps in memory in front of the archive.
public enum KleptoPolicy: Sendable, Hashable, CustomStringConvertible {
    /// Every entry read or written stays in memory.
    case unbounded
    /// At most `maxSize` entries; the least recently used leaves first.
    case lru(maxSize: Int)
    /// At most `maxSize` entries; the least frequently used leaves first (ties: oldest count).
    case lfu(maxSize: Int)
    /// At most `maxSize` entries; the most recently used leaves first.
    case mru(maxSize: Int)
    /// At most `maxSize` entries; a random one leaves (`seed` for a reproducible sequence).
    case rr(maxSize: Int, seed: UInt64? = nil)
    /// No front: every read and write goes to the archive (klepto's `no_cache`).
    case none

    /// The bound, or `nil` for unbounded and none.
    public var maxSize: Int? {
        switch self {
        case .lru(let n), .lfu(let n), .mru(let n), .rr(let n, _): n
        case .unbounded, .none: nil
        }
    }

    public var description: String {
        switch self {
        case .unbounded: "unbounded"
        case .lru(let n): "lru(\(n))"
        case .lfu(let n): "lfu(\(n))"
        case .mru(let n): "mru(\(n))"
        case .rr(let n, _): "rr(\(n))"
        case .none: "none"
        }
    }
}

/// When a ``KleptoCache``'s writes reach its archive.
public enum KleptoWriteMode: Sendable, Hashable {
    /// Every `setValue` writes the archive before it returns (klepto's `cached=False`
    /// behaviour for writes): nothing is lost on a crash.
    case writeThrough
    /// Writes stay in the front and reach the archive on ``KleptoCache/dump()``, when
    /// the front evicts them, on deinit, and every `flushInterval` (a background flush;
    /// `nil` for none). A crash loses at most the writes of the last `flushInterval`.
    case writeBack(flushInterval: Duration? = .seconds(5))
}
