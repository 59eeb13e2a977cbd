import CacheCore
import Synchronization

/// A minimal unbounded store for CacheCore's own tests (the real backends live in
/// their modules and run the CacheTestKit suite). `failSets` makes every write fail.
final class DictionaryStore<Key: Hashable & Sendable, Value: Sendable>: CacheStore {
    let entries = Mutex<[Key: Value]>([:])
    let counters = Mutex(CacheStats())
    let failSets: Bool

    init(failSets: Bool = false) { self.failSets = failSets }

    func value(forKey key: Key) throws -> Value? {
        let v = entries.withLock { $0[key] }
        counters.withLock { if v == nil { $0.misses += 1 } else { $0.hits += 1 } }
        return v
    }

    func setValue(_ value: Value, forKey key: Key, ttl: Duration?) throws {
        if failSets { throw CacheIOError(operation: "write", location: "test", reason: "disk full") }
        entries.withLock { $0[key] = value }
    }

    func removeValue(forKey key: Key) throws -> Value? { entries.withLock { $0.removeValue(forKey: key) } }
    func removeAll() throws { entries.withLock { $0.removeAll() } }
    func contains(_ key: Key) throws -> Bool { entries.withLock { $0[key] != nil } }
    var count: Int { entries.withLock { $0.count } }
    var stats: CacheStats {
        var s = counters.withLock { $0 }
        s.count = count
        return s
    }
}
