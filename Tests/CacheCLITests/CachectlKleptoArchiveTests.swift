import CacheCore
import CacheKlepto
import CacheSQLite
import Foundation
import Testing

/// `cachectl stats`, `check` and `clear` understand CacheKlepto's archives — a directory
/// archive, the archives of a SQL database, a single-file archive — given the engine's
/// root directory (what `CacheKleptoEngine` lays out) or one archive's own path.
@Suite(.enabled(if: Cachectl.path != nil, "the cachectl executable is not beside the test bundle"))
struct CachectlKleptoArchiveTests {
    static func root(_ label: String) -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("cachectl-klepto-\(label)-\(UUID().uuidString)").path
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func record(_ text: String) -> KleptoRecord { KleptoRecord(format: "binary-codable/1", payload: Array(text.utf8)) }
    static func key(_ i: Int) -> CacheKey { try! CacheKey(name: "f", arguments: i) }

    /// An engine-style root: `ns_a/` (directory archive, 3 entries), `klepto.db` (archives
    /// `one` with 2 entries and `two` with 1), `b.klepto` (single file, 4 entries).
    static func fill(_ root: String) throws {
        let directory = try DirectoryArchive(path: root + "/ns_a")
        for i in 0..<3 { try directory.setRecord(record("dir \(i)"), forKey: key(i)) }
        let one = try SQLTableArchive(path: root + "/klepto.db", name: "one")
        for i in 0..<2 { try one.setRecord(record("sql \(i)"), forKey: key(i)) }
        try SQLTableArchive(path: root + "/klepto.db", name: "two").setRecord(record("two"), forKey: key(9))
        let file = try SingleFileArchive(path: root + "/b.klepto")
        try file.setRecords((0..<4).map { (key($0), record("file \($0)")) })
    }

    @Test func statsCheckAndClearEveryArchiveOfAnEngineRoot() throws {
        let root = Self.root("all")
        defer { try? FileManager.default.removeItem(atPath: root) }
        try Self.fill(root)
        // Files that are not archives are not opened as archives.
        try Data("not an archive".utf8).write(to: URL(fileURLWithPath: root + "/notes.db"))

        let stats = try Cachectl.run(["stats", root])
        #expect(stats.status == 0, "\(stats.stderr)")
        #expect(stats.stdout.contains("klepto archive directory \(root)/ns_a\n  entries          3"), "\(stats.stdout)")
        #expect(stats.stdout.contains("klepto archive sql \(root)/klepto.db#klepto_one\n  entries          2"), "\(stats.stdout)")
        #expect(stats.stdout.contains("klepto archive sql \(root)/klepto.db#klepto_two\n  entries          1"), "\(stats.stdout)")
        #expect(stats.stdout.contains("klepto archive file \(root)/b.klepto\n  entries          4"), "\(stats.stdout)")

        let json = try Cachectl.run(["stats", root, "--json"])
        let objects = json.stdout.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(objects.count == 4, "\(json.stdout)")
        #expect(Set(objects.compactMap { $0["kind"] as? String }) == ["directory", "sql", "file"])
        #expect(objects.allSatisfy { ($0["bytes"] as? Int ?? 0) > 0 })

        let check = try Cachectl.run(["check", root])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        #expect(check.stdout.components(separatedBy: ": ok").count - 1 == 4, "\(check.stdout)")
        #expect(check.stdout.contains("entries 4 verified"), "\(check.stdout)")

        let clear = try Cachectl.run(["clear", root])
        #expect(clear.status == 0, "\(clear.stderr)")
        #expect(clear.stdout.contains("klepto archive file \(root)/b.klepto: removed 4 entries"), "\(clear.stdout)")
        #expect(try DirectoryArchive(path: root + "/ns_a").count() == 0)
        #expect(try SQLTableArchive(path: root + "/klepto.db", name: "one").count() == 0)
        #expect(try SingleFileArchive(path: root + "/b.klepto").count() == 0)
        #expect(FileManager.default.fileExists(atPath: root + "/notes.db"), "a foreign file was touched")
    }

    @Test func oneArchivesOwnPathIsEnough() throws {
        let root = Self.root("own")
        defer { try? FileManager.default.removeItem(atPath: root) }
        try Self.fill(root)
        for (path, entries) in [(root + "/ns_a", 3), (root + "/b.klepto", 4)] {
            let stats = try Cachectl.run(["stats", path, "--json"])
            #expect(stats.status == 0, "\(stats.stderr)")
            #expect(stats.stdout.contains("\"entries\":\(entries)"), "\(stats.stdout)")
        }
        let database = try Cachectl.run(["check", root + "/klepto.db"])
        #expect(database.status == 0 && database.stdout.contains("klepto_one: ok") && database.stdout.contains("klepto_two: ok"), "\(database.stdout)")
        let plain = root + "/plain.txt"
        try Data("x".utf8).write(to: URL(fileURLWithPath: plain))
        let refused = try Cachectl.run(["stats", plain])
        #expect(refused.status == 64 && refused.stderr.contains("nor a CacheKlepto archive file"), "\(refused.stderr)")
    }

    @Test func checkFindsEachKindOfDamageAndRepairLosesNothingElse() throws {
        let root = Self.root("damage")
        defer { try? FileManager.default.removeItem(atPath: root) }
        try Self.fill(root)
        // Directory archive: one entry altered, one entry file the index does not list, and a
        // writer's temporary file left behind an hour ago.
        let directory = try DirectoryArchive(path: root + "/ns_a")
        let altered = directory.entryPath(forKey: Self.key(1))
        var bytes = try Array(Data(contentsOf: URL(fileURLWithPath: altered)))
        bytes[bytes.count - 1] ^= 0x20
        try Data(bytes).write(to: URL(fileURLWithPath: altered))
        try FileManager.default.createDirectory(atPath: root + "/elsewhere", withIntermediateDirectories: true)
        let elsewhere = try DirectoryArchive(path: root + "/elsewhere/x")
        try elsewhere.setRecord(Self.record("stray"), forKey: Self.key(7))
        try FileManager.default.copyItem(atPath: elsewhere.entryPath(forKey: Self.key(7)), toPath: directory.entryPath(forKey: Self.key(7)))
        let temporary = directory.entryPath(forKey: Self.key(0)) + ".tmp-1-2"
        try Data("half".utf8).write(to: URL(fileURLWithPath: temporary))
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -3_600)], ofItemAtPath: temporary)
        // SQL archive: one row's value changed behind the checksum.
        let db = try SQLiteConnection(path: root + "/klepto.db")
        try db.run("UPDATE klepto_one SET value = x'00' WHERE key = ?", .blob(Self.key(0).storageBytes))
        db.close()
        // Single-file archive: cut short.
        let file = root + "/b.klepto"
        let whole = try Data(contentsOf: URL(fileURLWithPath: file))
        try whole.prefix(whole.count - 5).write(to: URL(fileURLWithPath: file))

        let check = try Cachectl.run(["check", root])
        #expect(check.status == 1, "\(check.stdout)")
        #expect(check.stdout.contains("damaged: \(altered)"), "\(check.stdout)")
        #expect(check.stdout.contains("entry file \(directory.entryPath(forKey: Self.key(7))) is not in the index"), "\(check.stdout)")
        #expect(check.stdout.contains("interrupted temporary files: 1"), "\(check.stdout)")
        #expect(check.stdout.contains("damaged: \(root)/klepto.db#klepto_one: checksum mismatch"), "\(check.stdout)")
        #expect(check.stdout.contains("damaged: \(file)"), "\(check.stdout)")
        #expect(check.stdout.contains("klepto_two: ok"), "\(check.stdout)")

        let json = try Cachectl.run(["check", root, "--json"])
        let reports = json.stdout.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(reports.filter { $0["healthy"] as? Bool == false }.count == 3, "\(json.stdout)")

        let repair = try Cachectl.run(["check", root, "--repair"])
        #expect(repair.status == 0, "\(repair.stdout)\(repair.stderr)")
        let after = try Cachectl.run(["check", root])
        #expect(after.status == 0, "\(after.stdout)")
        // What was intact is still there; the stray entry file is indexed now; the cut file is kept aside.
        let reopened = try DirectoryArchive(path: root + "/ns_a")
        #expect(try reopened.record(forKey: Self.key(0)) == Self.record("dir 0"))
        #expect(try reopened.record(forKey: Self.key(2)) == Self.record("dir 2"))
        #expect(try reopened.record(forKey: Self.key(1)) == nil)
        #expect(try Set(reopened.keys()) == [Self.key(0), Self.key(2), Self.key(7)])
        #expect(!FileManager.default.fileExists(atPath: temporary))
        let one = try SQLTableArchive(path: root + "/klepto.db", name: "one")
        #expect(try one.count() == 1 && one.record(forKey: Self.key(1)) == Self.record("sql 1"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: file + ".damaged")) == whole.prefix(whole.count - 5))
        #expect(try SingleFileArchive(path: file).count() == 0)
    }
}
