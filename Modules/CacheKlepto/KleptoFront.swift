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
final class PolicyFront<State: CachePolicyState & ~Copyable>: KleptoFront where State.Key == CacheKey {
    typealias Value = State.Value
    var state: State

    init(_ state: consuming State) { self.state = state }

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

extension KleptoPolicy {
    /// The front for this policy, or `nil` for ``none``.
    func makeFront<Value>(of _: Value.Type) -> (any KleptoFront<Value>)? {
        let expected = min(maxSize ?? 64, 4_096)
        switch self {
        case .none: return nil
        case .unbounded:
            return PolicyFront(OrderedPolicyState<CacheKey, Value, LRUEviction>(_maxSize: Int.max, expected: expected))
        case .lru(let n): return PolicyFront(OrderedPolicyState<CacheKey, Value, LRUEviction>(_maxSize: n, expected: expected))
        case .mru(let n): return PolicyFront(OrderedPolicyState<CacheKey, Value, MRUEviction>(_maxSize: n, expected: expected))
        case .lfu(let n): return PolicyFront(LFUPolicyState<CacheKey, Value>(_maxSize: n, expected: expected))
        case .rr(let n, let seed):
            return PolicyFront(RRPolicyState<CacheKey, Value>(maxSize: n, expected: expected, seed: seed ?? UInt64.random(in: .min ... .max)))
        }
    }
}
