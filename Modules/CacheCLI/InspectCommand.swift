import ArgumentParser
import CacheAutoSelect
import CacheDisk
import Foundation

/// `cachectl inspect DIR [--json]`: what kind of cache a directory holds and what is in it —
/// schema version, entries, bytes, oldest and newest entries, and the breakdown by tag and
/// by function. Reads only; a directory holding no cache is refused with status 64.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "What a cache directory holds: kind, schema version, entries, bytes, age, and the breakdown by tag and function.")

    @Argument(help: "The cache directory.") var directory: String
    @Flag(help: "JSON: one object per line (disk caches: one per shard; array caches: one).") var json = false

    func run() throws {
        let kinds = try CacheDirectoryKinds.of(directory)
        if kinds.disk {
            for cache in try DiskCacheOpener.open(directory) {
                let inspection = try cache.inspection()
                print(json ? DiskCacheOpener.json(DiskInspectionReport(inspection)) : Self.render(inspection))
            }
        }
        if kinds.array { print(try JoblibDirectoryReport.make(directory).render(json: json)) }
    }

    static func render(_ i: DiskCacheInspection) -> String {
        let s = i.summary
        var lines = [
            "disk cache (CacheDisk) \(s.directory)",
            "  schema version   \(s.schemaVersion)",
            "  entries          \(s.entries) (\(s.fileEntries) in value files, \(s.entriesWithExpiry) with expiry)",
            "  key+value bytes  \(s.bytes) (\(CacheSizeFormat.bytes(s.bytes)))",
            "  database bytes   \(s.databaseBytes) (\(CacheSizeFormat.bytes(s.databaseBytes)))",
            "  oldest stored    \(timestamp(i.oldestStored))",
            "  newest stored    \(timestamp(i.newestStored))",
            "  last accessed    \(timestamp(i.lastAccessed))",
        ]
        func table(_ title: String, _ groups: [DiskCacheInspection.Group]) {
            lines.append("  by \(title):")
            if groups.isEmpty { lines.append("    (none)") }
            for g in groups {
                lines.append("    \(g.name): \(g.entries) entries, \(g.bytes) bytes")
            }
        }
        table("function", i.functions)
        table("tag", i.tags)
        return lines.joined(separator: "\n")
    }

    /// An ISO 8601 UTC time, or "—" for none.
    static func timestamp(_ seconds: Double?) -> String {
        guard let seconds else { return "—" }
        return ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: seconds))
    }
}

/// `inspect --json` for a disk cache: the inspection plus the kind.
struct DiskInspectionReport: Encodable {
    var kind = "CacheDisk"
    var inspection: DiskCacheInspection
    init(_ inspection: DiskCacheInspection) { self.inspection = inspection }
}
