import CacheCore

/// What a ``KleptoCache`` has done (klepto's `info()`), beyond ``CacheStats``.
public struct KleptoInfo: Sendable, Hashable, CustomStringConvertible {
    /// Reads answered (front or archive).
    public var hits = 0
    /// Reads that found nothing (or only a damaged entry).
    public var misses = 0
    /// Reads answered by the front alone.
    public var frontHits = 0
    /// Values read from the archive (front misses that hit, and ``KleptoCache/load()``).
    public var archiveLoads = 0
    /// ``KleptoCache/dump()`` calls, background and deinit flushes included.
    public var dumps = 0
    /// Entries written to the archive by dumps and write-back evictions.
    public var dumpedEntries = 0
    /// Entries the front holds now.
    public var frontCount = 0
    /// Front entries not yet written to the archive (write-back).
    public var dirtyCount = 0
    /// The last few failures the cache absorbed (damaged entries, I/O errors), newest last.
    public var recentFailures: [String] = []

    public init() {}

    public var description: String {
        "hits=\(hits) misses=\(misses) frontHits=\(frontHits) archiveLoads=\(archiveLoads) dumps=\(dumps) "
            + "dumpedEntries=\(dumpedEntries) frontCount=\(frontCount) dirty=\(dirtyCount)"
    }
}
