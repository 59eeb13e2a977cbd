import ArgumentParser
import CacheAutoSelect
import CacheDisk
import Foundation

/// `cachectl prune DIR --max-bytes N --max-age D`: trims every cache a directory holds by
/// its own policy — first entries not accessed within D, then by eviction order down to N
/// bytes. A directory holding no cache is refused with status 64 and nothing is deleted.
struct PruneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune",
        abstract: "Trim every cache in a directory: entries not accessed within --max-age, then down to --max-bytes by eviction order.",
        discussion: """
            Disk caches do not record their eviction policy, so --policy says which order to \
            remove in (least-recently-stored, CacheDisk's default; least-recently-used; \
            least-frequently-used). Array caches remove least recently accessed first. Sizes \
            take units (50MB, 1GiB); ages take s, m, h or d (90s, 12h, 7d).
            """)

    @Argument(help: "The cache directory.") var directory: String
    @Option(help: "Keep at most this many bytes (key + value bytes for disk caches, file bytes for array caches).")
    var maxBytes: String?
    @Option(help: "Remove entries not accessed within this long (90s, 30m, 12h, 7d).") var maxAge: String?
    @Option(help: "Disk caches: the eviction order for --max-bytes.") var policy = DiskEvictionPolicy.leastRecentlyStored.rawValue
    @Flag(help: "JSON: one object per line.") var json = false

    func validate() throws {
        guard maxBytes != nil || maxAge != nil else { throw ValidationError("give --max-bytes, --max-age or both") }
        _ = try bytes()
        _ = try age()
        guard let p = DiskEvictionPolicy(rawValue: policy), p != .none else {
            throw ValidationError("--policy '\(policy)': expected least-recently-stored, least-recently-used or least-frequently-used")
        }
    }

    func run() throws {
        let kinds = try CacheDirectoryKinds.of(directory)
        let limit = try bytes(), age = try age()
        if kinds.disk {
            var options = DiskCacheOpener.options
            options.evictionPolicy = DiskEvictionPolicy(rawValue: policy) ?? .leastRecentlyStored
            let caches = try DiskCacheOpener.open(directory, options: options)
            // A sharded cache's byte bound is split evenly, as FanoutDiskCache splits its size limit.
            let perShard = limit.map { $0 / max(1, caches.count) }
            for cache in caches {
                let result = try cache.prune(maxBytes: perShard, notAccessedWithin: age.map { .seconds($0) })
                if json {
                    print(DiskCacheOpener.json(DiskPruneReport(directory: cache.directory, result: result)))
                } else {
                    print("disk cache \(cache.directory): removed \(result.removedForAge) for age, \(result.removedForSize) for size; \(result.bytesBefore) → \(result.bytesAfter) bytes")
                }
            }
        }
        if kinds.array {
            let text = try JoblibCLI.clear(directory, function: nil, bytesLimit: limit, itemsLimit: nil, ageLimit: age)
            print(json ? DiskCacheOpener.json(["directory": directory, "kind": "CacheJoblib", "result": text]) : "array cache \(directory): \(text)")
        }
    }

    func bytes() throws -> Int? {
        guard let maxBytes else { return nil }
        do { return try CacheSizeFormat.parse(maxBytes) } catch { throw ValidationError("--max-bytes '\(maxBytes)': \(error)") }
    }

    /// Seconds from "90", "90s", "30m", "12h" or "7d".
    func age() throws -> Double? {
        guard let maxAge else { return nil }
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3_600, "d": 86_400]
        var text = Substring(maxAge.trimmingCharacters(in: .whitespaces))
        var scale = 1.0
        if let last = text.last, let unit = units[last] { scale = unit; text = text.dropLast() }
        guard let value = Double(text), value.isFinite, value >= 0 else {
            throw ValidationError("--max-age '\(maxAge)': expected a number of seconds, or one with s, m, h or d (7d)")
        }
        return value * scale
    }
}

struct DiskPruneReport: Encodable {
    var kind = "CacheDisk"
    var directory: String
    var result: DiskCachePruneResult
}
