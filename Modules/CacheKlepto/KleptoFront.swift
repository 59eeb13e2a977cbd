import CacheCore
import CachePolicies

/// The in-memory front of a ``KleptoCache``: one of CachePolicies' policy states behind
/// a uniform interface. Used only under the cache's lock.
protocol KleptoFront<Value>: AnyObject {
    associatedtype Value
    /// The value, marking a use (recency, frequency).
    func get(_ key: CacheKey) -> Value?
    /// The value without marking a use.
    func peek(_ key: CacheKey) -> Value?
    /// Stores `value`; returns what the policy evicted to make room.
    func store(_ key: CacheKey, _ value: Value) -> [(key: CacheKey, value: Value)]
    func remove(_ key: CacheKey) -> Value?
    func removeAll()
    var count: Int { get }
    /// Whether storing a new key would evict.
    var isFull: Bool { get }
    func entries() -> [(key: CacheKey, value: Value)]
}

/// A front over a policy state from CachePolicies.
@usableFromInline
final class PolicyFront<State: CachePolicyState & ~Copyable>: KleptoFront where State.Key == CacheKey {
    typealias Value = State.Value
    @usableFromInline var state: State

    init(_ state: consuming State) { self.state = state }

    /// A hit on `key`, whose hash the caller kept: ``KleptoCache``'s specialized hit path.
    @inlinable
    func hit(_ key: CacheKey, hash32: UInt32) -> State.Value? { state._hit(key, hash32: hash32) }

    func get(_ key: CacheKey) -> Value? {
        var removed = PolicyRemovals<CacheKey, Value>()
        return state._get(key, now: 0, &removed)
    }

    func peek(_ key: CacheKey) -> Value? { state._peek(key, now: 0) }

    func store(_ key: CacheKey, _ value: Value) -> [(key: CacheKey, value: Value)] {
        var removed = PolicyRemovals<CacheKey, Value>()
        state.store(key, value, weight: 1, expires: 0, &removed)
        return removed.pairs(.size)
    }

    func remove(_ key: CacheKey) -> Value? {
        var removed = PolicyRemovals<CacheKey, Value>()
        return state._remove(key, now: 0, &removed)
    }

    func removeAll() {
        var removed = PolicyRemovals<CacheKey, Value>()
        state.removeAll(&removed)
    }

    var count: Int { state._table.count }

    var isFull: Bool { state._table.totalWeight >= state._maxSize }

    func entries() -> [(key: CacheKey, value: Value)] {
        state._slotsInEvictionOrder().map { (state._table.keys[Int($0)], state._table.values[Int($0)]) }
    }
}

/// The front by its concrete type, which a caller's specialized code can switch over
/// without dynamic dispatch (the same object as the cache's `any KleptoFront`).
@usableFromInline
enum KleptoConcreteFront<Value> {
    case lru(PolicyFront<OrderedPolicyState<CacheKey, Value, LRUEviction>>)
    case mru(PolicyFront<OrderedPolicyState<CacheKey, Value, MRUEviction>>)
    case lfu(PolicyFront<LFUPolicyState<CacheKey, Value>>)
    case rr(PolicyFront<RRPolicyState<CacheKey, Value>>)

    /// A hit on `key` (hash kept by the caller), marking the use as the policy does.
    @inlinable
    func hit(_ key: CacheKey, hash32: UInt32) -> Value? {
        switch self {
        case .lru(let front): return front.hit(key, hash32: hash32)
        case .mru(let front): return front.hit(key, hash32: hash32)
        case .lfu(let front): return front.hit(key, hash32: hash32)
        case .rr(let front): return front.hit(key, hash32: hash32)
        }
    }

    var front: any KleptoFront<Value> {
        switch self {
        case .lru(let front): return front
        case .mru(let front): return front
        case .lfu(let front): return front
        case .rr(let front): return front
        }
    }
}

extension KleptoPolicy {
    /// The front for this policy, or `nil` for ``none``.
    func makeFront<Value>(of _: Value.Type) -> KleptoConcreteFront<Value>? {
        let expected = min(maxSize ?? 64, 4_096)
        switch self {
        case .none: return nil
        case .unbounded:
            return .lru(PolicyFront(OrderedPolicyState<CacheKey, Value, LRUEviction>(_maxSize: Int.max, expected: expected)))
        case .lru(let n): return .lru(PolicyFront(OrderedPolicyState<CacheKey, Value, LRUEviction>(_maxSize: n, expected: expected)))
        case .mru(let n): return .mru(PolicyFront(OrderedPolicyState<CacheKey, Value, MRUEviction>(_maxSize: n, expected: expected)))
        case .lfu(let n): return .lfu(PolicyFront(LFUPolicyState<CacheKey, Value>(_maxSize: n, expected: expected)))
        case .rr(let n, let seed):
            return .rr(PolicyFront(RRPolicyState<CacheKey, Value>(maxSize: n, expected: expected, seed: seed ?? UInt64.random(in: .min ... .max))))
        }
    }
}

/// A key's archive key and that key's 32-bit hash, remembered by ``KleptoCache``.
@usableFromInline
struct KleptoKeyMemo: Sendable {
    @usableFromInline let archiveKey: CacheKey
    @usableFromInline let hash32: UInt32

    init(archiveKey: CacheKey, hash32: UInt32) {
        self.archiveKey = archiveKey
        self.hash32 = hash32
    }
}
