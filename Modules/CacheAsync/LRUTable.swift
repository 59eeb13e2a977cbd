import CacheCore

/// The state of an ``AsyncMemoryStore``: a hash index over a doubly linked list kept
/// in arrays (no per-entry allocation), most recently used at the head.
/// Not thread-safe on its own: the store keeps it behind a `Mutex`.
@usableFromInline
struct LRUTable<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    @usableFromInline
    struct Slot: Sendable {
        @usableFromInline var key: Key
        @usableFromInline var value: Value
        /// Monotonic seconds after which the entry is gone; `.infinity` for no TTL.
        @usableFromInline var expiresAt: Double
        @usableFromInline var weight: Int

        @inlinable
        init(key: Key, value: Value, expiresAt: Double, weight: Int) {
            self.key = key
            self.value = value
            self.expiresAt = expiresAt
            self.weight = weight
        }
    }

    @usableFromInline var index: [Key: Int] = [:]
    @usableFromInline var slots: [Slot?] = []
    @usableFromInline var prev: [Int] = []
    @usableFromInline var next: [Int] = []
    @usableFromInline var free: [Int] = []
    @usableFromInline var head = -1
    @usableFromInline var tail = -1
    @usableFromInline var bytes = 0
    /// Whether any entry was ever stored with a TTL (when not, reads skip the clock).
    @usableFromInline var anyTTL = false
    @usableFromInline var stats = CacheStats()

    @usableFromInline init() {}

    @inlinable var count: Int { index.count }

    @inlinable
    mutating func unlink(_ i: Int) {
        let p = prev[i], n = next[i]
        if p >= 0 { next[p] = n } else { head = n }
        if n >= 0 { prev[n] = p } else { tail = p }
    }

    @inlinable
    mutating func pushFront(_ i: Int) {
        prev[i] = -1
        next[i] = head
        if head >= 0 { prev[head] = i }
        head = i
        if tail < 0 { tail = i }
    }

    /// Moves slot `i` to the head (most recently used).
    @inlinable
    mutating func touch(_ i: Int) {
        guard head != i else { return }
        unlink(i)
        pushFront(i)
    }

    /// Removes slot `i`, returning its key and value.
    @inlinable
    @discardableResult
    mutating func remove(at i: Int) -> Slot {
        let slot = slots[i]!
        unlink(i)
        slots[i] = nil
        free.append(i)
        index.removeValue(forKey: slot.key)
        bytes -= slot.weight
        return slot
    }

    /// Inserts or replaces; returns the replaced slot, if any.
    @inlinable
    mutating func insert(_ key: Key, _ value: Value, expiresAt: Double, weight: Int) -> Slot? {
        if expiresAt < .infinity { anyTTL = true }
        if let i = index[key] {
            let old = slots[i]
            slots[i] = Slot(key: key, value: value, expiresAt: expiresAt, weight: weight)
            bytes += weight - (old?.weight ?? 0)
            touch(i)
            return old
        }
        let i: Int
        if let reused = free.popLast() {
            i = reused
            slots[i] = Slot(key: key, value: value, expiresAt: expiresAt, weight: weight)
        } else {
            i = slots.count
            slots.append(Slot(key: key, value: value, expiresAt: expiresAt, weight: weight))
            prev.append(-1)
            next.append(-1)
        }
        index[key] = i
        bytes += weight
        pushFront(i)
        return nil
    }

    /// The least recently used slot's index, or -1 when empty.
    @inlinable var leastRecent: Int { tail }
}
