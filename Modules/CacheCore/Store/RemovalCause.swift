/// Why an entry left a cache.
public enum RemovalCause: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// The user removed it (`removeValue`, `pop`, `delete`).
    case explicit
    /// A newer value for the same key replaced it.
    case replaced
    /// The cache was over its size bound and the policy chose this entry.
    case size
    /// Its time to live ran out.
    case expired
    /// `removeAll()` / `clear()` removed every entry.
    case cleared

    /// Whether the cache removed the entry on its own (size or expiry), as
    /// opposed to the user asking for it.
    public var isEviction: Bool { self == .size || self == .expired }

    public var description: String { rawValue }
}

/// Called with every entry that leaves a cache, after the cache's lock is released,
/// so the listener may call back into the cache.
public typealias RemovalListener<Key, Value> = @Sendable (_ key: Key, _ value: Value, _ cause: RemovalCause) -> Void
