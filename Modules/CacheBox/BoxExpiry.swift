/// When the entries of a ``BoxCache`` expire. A `ttl` given to `setValue(_:forKey:ttl:)`
/// overrides it for that entry (a fixed time after that write).
public struct BoxExpiry<Key, Value>: Sendable {
    enum Kind: Sendable {
        case never
        case afterWrite(Double)
        case afterAccess(Double)
        case variable(@Sendable (Key, Value) -> Duration?)
    }

    let kind: Kind

    /// Entries never expire (the default).
    public static var never: Self { Self(kind: .never) }

    /// Each entry expires `duration` after it was last written.
    public static func afterWrite(_ duration: Duration) -> Self { Self(kind: .afterWrite(duration.cacheSeconds)) }

    /// Each entry expires `duration` after it was last read or written (time to idle).
    public static func afterAccess(_ duration: Duration) -> Self { Self(kind: .afterAccess(duration.cacheSeconds)) }

    /// Each entry expires the duration `expiry(key, value)` returns after it was written;
    /// nil means never. The function runs outside the cache's locks.
    public static func variable(_ expiry: @escaping @Sendable (Key, Value) -> Duration?) -> Self {
        Self(kind: .variable(expiry))
    }

    /// Whether entries may expire without a per-entry ttl.
    @usableFromInline var expires: Bool {
        if case .never = kind { return false }
        return true
    }

    /// The seconds a read extends an entry by, for ``afterAccess(_:)``.
    var accessSeconds: Double? {
        if case .afterAccess(let s) = kind { return s }
        return nil
    }

    /// The deadline of an entry written at `now`, and whether reads extend it.
    @usableFromInline func deadline(forKey key: Key, value: Value, now: Double) -> (deadline: Double, refreshOnAccess: Bool) {
        switch kind {
        case .never: return (.infinity, false)
        case .afterWrite(let s): return (now + s, false)
        case .afterAccess(let s): return (now + s, true)
        case .variable(let f):
            guard let d = f(key, value) else { return (.infinity, false) }
            return (now + d.cacheSeconds, false)
        }
    }
}
