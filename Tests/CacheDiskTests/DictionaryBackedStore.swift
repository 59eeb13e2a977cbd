import CacheCore
import Synchronization

// In its own file, without `@testable import CacheDisk`: there CacheDisk's TSan `Mutex`
// alias would make `Mutex` ambiguous in the Thread Sanitizer build.
/// A minimal CacheKey store with per-entry TTL but no compute-time records.
final class DictionaryBackedStore: CacheStore {
    let entries = Mutex<[CacheKey: Int]>([:])
    init() throws {}
    func value(forKey key: CacheKey) throws -> Int? { entries.withLock { $0[key] } }
    func setValue(_ value: Int, forKey key: CacheKey, ttl: Duration?) throws { entries.withLock { $0[key] = value } }
    func removeValue(forKey key: CacheKey) throws -> Int? { entries.withLock { $0.removeValue(forKey: key) } }
    func removeAll() throws { entries.withLock { $0.removeAll() } }
    func contains(_ key: CacheKey) throws -> Bool { entries.withLock { $0[key] != nil } }
    var count: Int { entries.withLock { $0.count } }
    var stats: CacheStats { CacheStats() }
    var capabilities: CacheStoreCapabilities { [.perEntryTTL] }
}
