import CacheCore
import CacheSQLite

/// What `cachectl inspect` shows of a disk cache: its size and makeup, the age of its
/// entries, and how they divide among tags and functions.
public struct DiskCacheInspection: Sendable, Codable, Equatable {
    /// Entries and bytes of one group (a tag, or a function's namespace).
    public struct Group: Sendable, Codable, Equatable {
        public var name: String
        public var entries: Int
        public var bytes: Int
    }

    public var summary: DiskCacheSummary
    /// The earliest and latest store time, wall-clock seconds since 1970; `nil` when empty.
    public var oldestStored: Double?
    public var newestStored: Double?
    /// The latest access time; `nil` when empty.
    public var lastAccessed: Double?
    /// Entries by tag (`"(untagged)"` for entries without one), largest first.
    public var tags: [Group]
    /// Entries by function: a memoized function's `name@version` (the store's namespace
    /// first when it has one); keys that are not `CacheKey`s are grouped by kind
    /// (`"(string keys)"`, `"(integer keys)"`, `"(byte keys)"`). Largest first.
    public var functions: [Group]
}

extension DiskCache {
    /// Its size, age and makeup by tag and by function.
    /// - Complexity: O(n) in the entries (every key is read once).
    public func inspection() throws -> DiskCacheInspection {
        let summary = try self.summary()
        return try withDatabase("inspect") { database in
            let times = try database.db.prepare("SELECT min(store_time), max(store_time), max(access_time) FROM entries")
            var oldest: Double?, newest: Double?, accessed: Double?
            if try times.step(), !times.isNull(0) {
                oldest = times.double(0)
                newest = times.double(1)
                accessed = times.double(2)
            }
            times.reset()
            var tags: [DiskCacheInspection.Group] = []
            let byTag = try database.db.prepare("SELECT tag, count(*), coalesce(sum(size), 0) FROM entries GROUP BY tag")
            while try byTag.step() {
                tags.append(.init(name: byTag.text(0) ?? "(untagged)", entries: byTag.int(1), bytes: byTag.int(2)))
            }
            byTag.reset()
            var functions: [String: DiskCacheInspection.Group] = [:]
            let keys = try database.db.prepare("SELECT key, size FROM entries")
            while try keys.step() {
                let name: String
                switch DiskCacheKey(storageBytes: keys.blob(0)) {
                case let key? where key.kind == .cacheKey: name = key.cacheKey?.namespace ?? "(unreadable keys)"
                case let key? where key.kind == .string: name = "(string keys)"
                case let key? where key.kind == .integer: name = "(integer keys)"
                case .some: name = "(byte keys)"
                case nil: name = "(unreadable keys)"
                }
                functions[name, default: .init(name: name, entries: 0, bytes: 0)].entries += 1
                functions[name]!.bytes += keys.int(1)
            }
            keys.reset()
            let largestFirst: (DiskCacheInspection.Group, DiskCacheInspection.Group) -> Bool = {
                ($0.bytes, $1.name) > ($1.bytes, $0.name)
            }
            return DiskCacheInspection(
                summary: summary, oldestStored: oldest, newestStored: newest, lastAccessed: accessed,
                tags: tags.sorted(by: largestFirst), functions: functions.values.sorted(by: largestFirst))
        }
    }
}
