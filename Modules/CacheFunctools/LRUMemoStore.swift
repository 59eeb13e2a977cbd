import CacheCore
import Synchronization

/// The store behind ``lruCache(maxSize:_:)``: `functools.lru_cache`'s bounded LRU
/// dictionary, unweighted and tuned for the hit path (one lock, one hash lookup,
/// a relink in a preallocated node array, no allocation).
///
/// - `maxSize == nil`: unbounded, no recency bookkeeping at all.
/// - `maxSize == 0`: nothing is stored; every lookup is a miss.
public final class LRUMemoStore<Key: Hashable & Sendable, Value: Sendable>: CacheStore {
    @usableFromInline let state: Mutex<LRUTable<Key, Value>>
    @usableFromInline let onRemoval: RemovalListener<Key, Value>?
    /// The bound, or `nil` for unbounded.
    public let maxSize: Int?

    /// - Throws: ``CacheConfigurationError`` for a negative `maxSize`.
    public init(maxSize: Int? = 128, onRemoval: RemovalListener<Key, Value>? = nil) throws(CacheConfigurationError) {
        if let maxSize { try CacheConfiguration.checkSize(maxSize, setting: "maxSize") }
        self.maxSize = maxSize
        self.onRemoval = onRemoval
        self.state = Mutex(LRUTable(maxSize: maxSize))
    }

    /// - Complexity: O(1).
    @inlinable
    public func value(forKey key: Key) -> Value? {
        state.withLock { $0.get(key) }
    }

    /// - Complexity: O(1).
    @inlinable
    public func setValue(_ value: Value, forKey key: Key, ttl: Duration?) throws {
        if let ttl {
            throw CacheStoreError(.unsupported, key: cacheDescribeKey(key), detail: "LRUMemoStore has no time to live (asked for \(ttl))")
        }
        let removed = state.withLock { $0.set(key, value) }
        if let removed, let onRemoval { onRemoval(removed.key, removed.value, removed.cause) }
    }

    @discardableResult
    public func removeValue(forKey key: Key) -> Value? {
        let removed = state.withLock { $0.remove(key) }
        if let removed, let onRemoval { onRemoval(key, removed, .explicit) }
        return removed
    }

    /// Removes every entry and, like `functools`' `cache_clear()`, resets the counters.
    public func removeAll() {
        let removed = state.withLock { $0.removeAll(collect: onRemoval != nil) }
        if let onRemoval { for (k, v) in removed { onRemoval(k, v, .cleared) } }
    }

    public func contains(_ key: Key) -> Bool { state.withLock { $0.index[key] != nil } }

    public func peekValue(forKey key: Key) -> Value? {
        state.withLock { s in s.index[key].flatMap { s.nodes[Int($0)].value } }
    }

    public var count: Int { state.withLock { $0.index.count } }

    public var stats: CacheStats { state.withLock { $0.snapshot() } }

    /// Keys from most to least recently used (insertion order when unbounded).
    public var keysByRecency: [Key] { state.withLock { $0.keysByRecency() } }
}

/// The state of an ``LRUMemoStore``: a dictionary from key to node index and a
/// doubly linked recency list threaded through a node array.
@usableFromInline
struct LRUTable<Key: Hashable, Value>: ~Copyable {
    @usableFromInline
    struct Node {
        @usableFromInline var key: Key
        @usableFromInline var value: Value?
        @usableFromInline var prev: Int32
        @usableFromInline var next: Int32
    }

    @usableFromInline var index: [Key: Int32] = [:]
    @usableFromInline var nodes: [Node] = []
    /// Most recently used node, or -1.
    @usableFromInline var head: Int32 = -1
    /// Least recently used node, or -1.
    @usableFromInline var tail: Int32 = -1
    @usableFromInline var free: [Int32] = []
    @usableFromInline let maxSize: Int?
    @usableFromInline var hits = 0
    @usableFromInline var misses = 0
    @usableFromInline var sizeEvictions = 0

    @usableFromInline
    init(maxSize: Int?) {
        self.maxSize = maxSize
        if let maxSize, maxSize > 0, maxSize <= 1 << 16 {
            index.reserveCapacity(maxSize)
            nodes.reserveCapacity(maxSize)
        }
    }

    @inlinable
    mutating func get(_ key: Key) -> Value? {
        guard let i = index[key] else {
            misses &+= 1
            return nil
        }
        hits &+= 1
        if maxSize != nil { moveToFront(i) }
        return nodes.withUnsafeBufferPointer { $0[Int(i)].value }
    }

    @inlinable
    mutating func moveToFront(_ i: Int32) {
        guard head != i else { return }
        nodes.withUnsafeMutableBufferPointer { n in
            let p = n[Int(i)].prev, x = n[Int(i)].next
            // i is not the head, so p >= 0.
            n[Int(p)].next = x
            if x >= 0 { n[Int(x)].prev = p } else { tail = p }
            n[Int(i)].prev = -1
            n[Int(i)].next = head
            n[Int(head)].prev = i
        }
        head = i
    }

    @usableFromInline
    mutating func set(_ key: Key, _ value: Value) -> (key: Key, value: Value, cause: RemovalCause)? {
        if let maxSize, maxSize == 0 { return nil }
        if let i = index[key] {
            let old = nodes[Int(i)].value
            nodes[Int(i)].value = value
            if maxSize != nil { moveToFront(i) }
            return old.map { (key, $0, .replaced) }
        }
        if let maxSize, index.count >= maxSize, tail >= 0 {
            // Reuse the least recently used node in place.
            let t = tail
            let evicted = nodes[Int(t)]
            index.removeValue(forKey: evicted.key)
            index[key] = t
            nodes[Int(t)].key = key
            nodes[Int(t)].value = value
            moveToFront(t)
            sizeEvictions += 1
            return evicted.value.map { (evicted.key, $0, .size) }
        }
        let i: Int32
        let node = Node(key: key, value: value, prev: -1, next: head)
        if let reused = free.popLast() {
            i = reused
            nodes[Int(i)] = node
        } else {
            i = Int32(nodes.count)
            nodes.append(node)
        }
        if head >= 0 { nodes[Int(head)].prev = i } else { tail = i }
        head = i
        index[key] = i
        return nil
    }

    mutating func remove(_ key: Key) -> Value? {
        guard let i = index.removeValue(forKey: key) else { return nil }
        let node = nodes[Int(i)]
        if node.prev >= 0 { nodes[Int(node.prev)].next = node.next } else { head = node.next }
        if node.next >= 0 { nodes[Int(node.next)].prev = node.prev } else { tail = node.prev }
        nodes[Int(i)].value = nil
        free.append(i)
        return node.value
    }

    mutating func removeAll(collect: Bool) -> [(Key, Value)] {
        let removed: [(Key, Value)] = collect ? keysByRecency().compactMap { k in nodes[Int(index[k]!)].value.map { (k, $0) } } : []
        index.removeAll(keepingCapacity: true)
        nodes.removeAll(keepingCapacity: true)
        free.removeAll()
        hits = 0
        misses = 0
        sizeEvictions = 0
        head = -1
        tail = -1
        return removed
    }

    func keysByRecency() -> [Key] {
        var out: [Key] = []
        out.reserveCapacity(index.count)
        var i = head
        while i >= 0 {
            out.append(nodes[Int(i)].key)
            i = nodes[Int(i)].next
        }
        return out
    }

    func snapshot() -> CacheStats {
        var s = CacheStats()
        s.hits = hits
        s.misses = misses
        if sizeEvictions > 0 { s.evictions[.size] = sizeEvictions }
        s.count = index.count
        s.bytes = index.count
        return s
    }
}
