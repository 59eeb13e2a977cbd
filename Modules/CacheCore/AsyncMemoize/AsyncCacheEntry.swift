/// What an ``AsyncCache`` keeps in its store: the value, when it was stored, and —
/// when stale-if-error keeps entries past their time to live — when it expires.
///
/// Times are seconds of the cache's ``CacheClock`` (wall-clock seconds by default,
/// so processes sharing a Redis store agree).
public struct AsyncCacheEntry<Value: Sendable>: Sendable {
    public var value: Value
    /// When the value was stored.
    public var storedAt: Double
    /// When the value stops being fresh, if later than the store's own expiry is needed
    /// (stale-if-error); `nil` means the store's time to live alone decides.
    public var expiresAt: Double?

    @inlinable
    public init(value: Value, storedAt: Double, expiresAt: Double? = nil) {
        self.value = value
        self.storedAt = storedAt
        self.expiresAt = expiresAt
    }
}

extension AsyncCacheEntry: Equatable where Value: Equatable {}
extension AsyncCacheEntry: Hashable where Value: Hashable {}
extension AsyncCacheEntry: Codable where Value: Codable {}
