import CacheCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What ``ArrayCache/check(repair:gracePeriod:)`` found.
public struct ArrayCacheCheckReport: Sendable, Codable, Equatable {
    public var directory: String
    /// `PRAGMA integrity_check` of `index.sqlite`: `["ok"]` when the index is sound.
    public var integrity: [String]
    public var entries: Int
    /// Entries whose file (or table columns) were read whole and matched their checksum.
    public var verified: Int
    /// Files of entries that are missing, altered (checksum), or unreadable.
    public var damagedEntries: [String]
    /// Files of entries written before checksums existed (never served; recomputed on use).
    public var unverifiableEntries: [String]
    /// Files under `arrays/` no entry names, older than the grace period (a killed writer's).
    public var orphanFiles: [String]
    /// Files under `tmp/` older than the grace period (interrupted writes).
    public var temporaryFiles: [String]
    /// Whether the problems were repaired (entries and files removed).
    public var repaired: Bool

    public var isHealthy: Bool {
        integrity == ["ok"] && damagedEntries.isEmpty && unverifiableEntries.isEmpty && orphanFiles.isEmpty && temporaryFiles.isEmpty
    }
}

extension ArrayCache {
    /// Checks the index (`PRAGMA integrity_check`) and reads every entry's file whole
    /// (never mapped), comparing it with the checksum recorded when it was stored; lists
    /// entries without a checksum, and orphaned and temporary files older than
    /// `gracePeriod` (younger ones may belong to a write in progress in another process).
    /// With `repair`, removes the damaged and unverifiable entries (index row and file)
    /// and those old files.
    /// - Complexity: O(total bytes stored): every file is read.
    public func check(repair: Bool = false, gracePeriod: Duration = .seconds(3600)) throws -> ArrayCacheCheckReport {
        let integrity = try state.withLock { state -> [String] in
            let s = try state.index.connection.prepare("PRAGMA integrity_check")
            var rows: [String] = []
            while try s.step() { rows.append(s.text(0) ?? "") }
            return rows
        }
        let entries = try entries()
        var report = ArrayCacheCheckReport(
            directory: directory, integrity: integrity, entries: entries.count, verified: 0, damagedEntries: [],
            unverifiableEntries: [], orphanFiles: [], temporaryFiles: [], repaired: false)
        var remove: [ArrayCacheEntry] = []
        for entry in entries {
            guard let checksum = entry.checksum else {
                report.unverifiableEntries.append(entry.file)
                remove.append(entry)
                continue
            }
            do {
                let paths = entry.kind == .table
                    ? try Self.tableColumns(entry).map { directory + "/" + entry.file + "/" + $0.file }
                    : [directory + "/" + entry.file]
                var hasher = XXH3Hasher128()
                for path in paths {
                    let bytes = try Self.readWholeFile(path)
                    bytes.withUnsafeBytes { hasher.update($0) }
                }
                guard hasher.finalize() == checksum else { throw mismatch(entry, "does not match its stored checksum") }
                report.verified += 1
            } catch {
                report.damagedEntries.append(entry.file)
                remove.append(entry)
            }
        }
        let named = Set(entries.map(\.file))
        let now = WallCacheClock().now()
        let grace = gracePeriod.cacheSeconds
        for bucket in PosixFile.list(directory + "/arrays").sorted() {
            for name in PosixFile.list(directory + "/arrays/" + bucket).sorted() {
                let relative = "arrays/\(bucket)/\(name)"
                if !named.contains(relative), let age = PosixFile.age(of: directory + "/" + relative, now: now), age >= grace {
                    report.orphanFiles.append(relative)
                }
            }
        }
        for name in PosixFile.list(directory + "/tmp").sorted() {
            if let age = PosixFile.age(of: directory + "/tmp/" + name, now: now), age >= grace { report.temporaryFiles.append("tmp/" + name) }
        }
        if repair {
            for entry in remove {
                let dropped = try state.withLock { state -> String? in
                    state.pendingHits[entry.key] = nil
                    return try state.index.remove(key: entry.key, ifFile: entry.file)
                }
                if let dropped { removeFile(dropped) }
            }
            for relative in report.orphanFiles { removeFile(relative) }
            for relative in report.temporaryFiles { PosixFile.removeTree(directory + "/" + relative) }
            report.repaired = true
        }
        return report
    }

    /// The columns a table entry lists: name, file (inside the table directory), dtype.
    static func tableColumns(_ entry: ArrayCacheEntry) throws -> [(name: String, file: String, dtype: Substring)] {
        guard entry.kind == .table, let list = entry.columns else {
            throw EntryMismatch(description: "entry \(entry.file) is not a table")
        }
        var listed: [(name: String, file: String, dtype: Substring)] = []
        for item in list.isEmpty ? [] : list.split(separator: ",", omittingEmptySubsequences: false) {
            guard let eq = item.firstIndex(of: "="), let colon = item.lastIndex(of: ":"), eq < colon,
                  let name = unescape(item[..<eq]), let file = unescape(item[item.index(after: eq)..<colon]),
                  !file.contains("/")
            else { throw EntryMismatch(description: "entry \(entry.file) has a malformed column list") }
            listed.append((name, file, item[item.index(after: colon)...]))
        }
        return listed
    }
}
