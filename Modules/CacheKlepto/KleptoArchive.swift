import CacheCore

/// One stored value: the serializer's format (`"<id>/<formatVersion>"`) and its bytes.
///
/// A reader whose serializer writes another format treats the record as a miss.
public struct KleptoRecord: Sendable, Hashable {
    /// `"<serializer id>/<format version>"`, e.g. `"binary-codable/1"`, `"json/1"`.
    public var format: String
    /// The serializer's bytes for the value.
    public var payload: [UInt8]

    public init(format: String, payload: [UInt8]) {
        self.format = format
        self.payload = payload
    }

    /// The format name of `serializer`.
    public static func format<S: CacheSerializer>(of serializer: S) -> String {
        "\(serializer.id)/\(serializer.formatVersion)"
    }
}

/// Where a ``KleptoCache`` keeps its entries beyond its front: a memory dictionary
/// (``MemoryArchive``), one file per entry (``DirectoryArchive``), a table in a SQLite
/// file (``SQLTableArchive``) or one checksummed file (``SingleFileArchive``).
///
/// Keys are ``CacheKey``s — a keymap's output (``KleptoKeymap``) — and values are
/// ``KleptoRecord``s: serialized bytes plus their format. Archives are synchronous and
/// thread-safe; the file-backed ones are also safe for several processes at once.
///
/// A damaged entry is never returned as data: ``record(forKey:)`` throws
/// ``KleptoArchiveError`` (`.damaged`) naming the file or table.
public protocol KleptoArchive: AnyObject, Sendable {
    /// What and where the archive is, for messages (`"directory /tmp/a"`).
    var location: String { get }

    /// The record for `key`, or `nil` when absent.
    func record(forKey key: CacheKey) throws -> KleptoRecord?
    /// Stores `record` for `key`, replacing any previous one.
    func setRecord(_ record: KleptoRecord, forKey key: CacheKey) throws
    /// Stores several records at once (one rewrite or transaction where the archive can).
    func setRecords(_ records: [(key: CacheKey, record: KleptoRecord)]) throws
    /// Removes the record for `key`; returns whether there was one.
    @discardableResult
    func removeRecord(forKey key: CacheKey) throws -> Bool
    /// Removes every record.
    func removeAll() throws
    /// Whether a record exists for `key`.
    func contains(_ key: CacheKey) throws -> Bool
    /// Every key held, from the archive's index (no value is read or decoded).
    func keys() throws -> [CacheKey]
    /// Records held now.
    func count() throws -> Int
    /// Makes buffered writes durable (``SingleFileArchive`` in write-back mode); others
    /// have nothing buffered.
    func flush() throws
    /// What the archive holds, without decoding its values (`cachectl stats`).
    func summary() throws -> KleptoArchiveSummary
    /// Reads and verifies every entry; with `repair`, removes what does not verify
    /// (`cachectl check`). See ``KleptoArchiveReport``.
    func check(repair: Bool) throws -> KleptoArchiveReport
}

extension KleptoArchive {
    public func setRecords(_ records: [(key: CacheKey, record: KleptoRecord)]) throws {
        for entry in records { try setRecord(entry.record, forKey: entry.key) }
    }

    public func contains(_ key: CacheKey) throws -> Bool { try record(forKey: key) != nil }

    public func count() throws -> Int { try keys().count }

    public func flush() throws {}
}
