import CacheCore
import Synchronization

/// An archive in a dictionary in memory (klepto's `dict_archive`): for tests, and for a
/// second, unbounded tier behind a bounded front. Nothing outlives the process.
public final class MemoryArchive: KleptoArchive {
    private let records = Mutex<[CacheKey: KleptoRecord]>([:])

    public init() {}

    public var location: String { "memory" }

    /// - Complexity: O(1) average.
    public func record(forKey key: CacheKey) -> KleptoRecord? { records.withLock { $0[key] } }

    /// - Complexity: O(1) average.
    public func setRecord(_ record: KleptoRecord, forKey key: CacheKey) { records.withLock { $0[key] = record } }

    @discardableResult
    public func removeRecord(forKey key: CacheKey) -> Bool { records.withLock { $0.removeValue(forKey: key) != nil } }

    public func removeAll() { records.withLock { $0.removeAll() } }

    public func contains(_ key: CacheKey) -> Bool { records.withLock { $0[key] != nil } }

    public func keys() -> [CacheKey] { records.withLock { Array($0.keys) } }

    public func count() -> Int { records.withLock { $0.count } }
}
