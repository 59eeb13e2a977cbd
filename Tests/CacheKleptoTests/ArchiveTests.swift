import CacheCore
import CacheKlepto
import Foundation
import Testing

@Suite struct ArchiveRoundTripTests {
    @Test(arguments: ArchiveKind.allCases)
    func roundTrip(kind: ArchiveKind) throws {
        let archive = try kind.make("roundtrip")
        #expect(try archive.record(forKey: key(1)) == nil)
        try archive.setRecord(record("one"), forKey: key(1))
        try archive.setRecord(record("two", format: "json/1"), forKey: key(2))
        #expect(try archive.record(forKey: key(1)) == record("one"))
        #expect(try archive.record(forKey: key(2)) == record("two", format: "json/1"))
        #expect(try archive.contains(key(2)))
        #expect(try !archive.contains(key(3)))
        #expect(try archive.count() == 2)
        #expect(try Set(archive.keys()) == [try key(1), try key(2)])
        try archive.setRecord(record("uno"), forKey: key(1))
        #expect(try archive.record(forKey: key(1)) == record("uno"))
        #expect(try archive.count() == 2)
        #expect(try archive.removeRecord(forKey: key(1)))
        #expect(try !archive.removeRecord(forKey: key(1)))
        #expect(try archive.record(forKey: key(1)) == nil)
        try archive.setRecords([(try key(5), record("five")), (try key(6), record(""))])
        #expect(try archive.record(forKey: key(6)) == record(""))
        #expect(try archive.count() == 3)
        try archive.removeAll()
        #expect(try archive.count() == 0)
        #expect(try archive.record(forKey: key(5)) == nil)
        #expect(try archive.keys().isEmpty)
    }

    @Test func directoryPersistsAcrossReopen() throws {
        let path = temporaryPath("dir-reopen")
        do {
            let archive = try DirectoryArchive(path: path)
            for i in 0..<20 { try archive.setRecord(record("v\(i)"), forKey: key(i)) }
            try archive.removeRecord(forKey: key(3))
        }
        let reopened = try DirectoryArchive(path: path)
        #expect(try reopened.count() == 19)
        #expect(try reopened.record(forKey: key(7)) == record("v7"))
        #expect(try reopened.record(forKey: key(3)) == nil)
    }

    @Test func directoryNamesFilesByDigestNeverByKeyText() throws {
        let path = temporaryPath("dir-names")
        let archive = try DirectoryArchive(path: path)
        let k = try CacheKey(name: "../../etc", arguments: "/passwd")
        try archive.setRecord(record("x"), forKey: k)
        let names = try FileManager.default.contentsOfDirectory(atPath: path + "/entries")
        #expect(names == [k.digest.hex + ".entry"])
    }

    @Test func directoryIndexIsRebuiltWhenLost() throws {
        let path = temporaryPath("dir-index")
        do {
            let archive = try DirectoryArchive(path: path)
            for i in 0..<5 { try archive.setRecord(record("v\(i)"), forKey: key(i)) }
        }
        try FileManager.default.removeItem(atPath: path + "/index.log")
        let reopened = try DirectoryArchive(path: path)
        #expect(try Set(reopened.keys()) == Set((0..<5).map { try key($0) }))
    }

    @Test func directoryIndexCompacts() throws {
        let archive = try DirectoryArchive(path: temporaryPath("dir-compact"))
        for round in 0..<3 {
            for i in 0..<400 { try archive.setRecord(record("v\(i)"), forKey: key(i)) }
            for i in 0..<400 where i % 2 == round % 2 { try archive.removeRecord(forKey: key(i)) }
            for i in 0..<400 where i % 2 == round % 2 { try archive.setRecord(record("w\(i)"), forKey: key(i)) }
        }
        #expect(try archive.count() == 400)
        let lines = try String(contentsOfFile: archive.path + "/index.log", encoding: .utf8).split(separator: "\n").count
        #expect(lines < 2 * 400 + 1_100, "the index was not compacted: \(lines) lines")
        let second = try DirectoryArchive(path: archive.path)
        #expect(try second.count() == 400)
    }

    @Test func sqlPersistsAndArchivesShareOneFile() throws {
        let file = try temporaryDirectory("sql-share") + "/shared.db"
        do {
            let a = try SQLTableArchive(path: file, name: "alpha")
            let b = try SQLTableArchive(path: file, name: "beta")
            try a.setRecord(record("from a"), forKey: key(1))
            try b.setRecord(record("from b"), forKey: key(1))
            try b.setRecord(record("only b"), forKey: key(2))
            #expect(try a.count() == 1 && b.count() == 2)
        }
        let a = try SQLTableArchive(path: file, name: "alpha")
        let b = try SQLTableArchive(path: file, name: "beta")
        #expect(try a.record(forKey: key(1)) == record("from a"))
        #expect(try b.record(forKey: key(1)) == record("from b"))
        try a.removeAll()
        #expect(try b.count() == 2)
        #expect(FileManager.default.fileExists(atPath: file + "-wal"), "the database is not in WAL mode")
    }

    @Test func sqlRefusesBadNames() {
        #expect(throws: KleptoArchiveError.self) { try SQLTableArchive(path: temporaryPath("sql-name") + ".db", name: "x; DROP TABLE y") }
        #expect(throws: KleptoArchiveError.self) { try SQLTableArchive(path: temporaryPath("sql-name") + ".db", name: "") }
    }

    @Test(arguments: [SingleFileArchive.WriteMode.writeThrough, .writeBack])
    func singleFilePersistsAcrossReopen(mode: SingleFileArchive.WriteMode) throws {
        let file = try temporaryDirectory("single") + "/a.klepto"
        do {
            let archive = try SingleFileArchive(path: file, mode: mode)
            for i in 0..<10 { try archive.setRecord(record("v\(i)"), forKey: key(i)) }
            try archive.removeRecord(forKey: key(0))
            if mode == .writeBack {
                #expect(!FileManager.default.fileExists(atPath: file), "write-back wrote before flush")
                try archive.flush()
            }
        }
        let reopened = try SingleFileArchive(path: file)
        #expect(try reopened.count() == 9)
        #expect(try reopened.record(forKey: key(4)) == record("v4"))
        #expect(try reopened.record(forKey: key(0)) == nil)
    }

    @Test func singleFileWriteBackFlushesOnDeinit() throws {
        let file = try temporaryDirectory("single-deinit") + "/a.klepto"
        do {
            let archive = try SingleFileArchive(path: file, mode: .writeBack)
            try archive.setRecord(record("kept"), forKey: key(1))
        }
        #expect(try SingleFileArchive(path: file).record(forKey: key(1)) == record("kept"))
    }

    @Test func twoInstancesOfOneFileSeeEachOthersWrites() throws {
        let file = try temporaryDirectory("single-two") + "/a.klepto"
        let a = try SingleFileArchive(path: file)
        let b = try SingleFileArchive(path: file)
        try a.setRecord(record("a1"), forKey: key(1))
        try b.setRecord(record("b2"), forKey: key(2))
        #expect(try a.record(forKey: key(2)) == record("b2"))
        #expect(try b.record(forKey: key(1)) == record("a1"), "b's rewrite lost a's entry")
        let dir = temporaryPath("dir-two")
        let d1 = try DirectoryArchive(path: dir)
        let d2 = try DirectoryArchive(path: dir)
        try d1.setRecord(record("x"), forKey: key(1))
        try d2.setRecord(record("y"), forKey: key(2))
        #expect(try d1.count() == 2 && d2.count() == 2)
        try d2.removeRecord(forKey: key(1))
        #expect(try d1.record(forKey: key(1)) == nil)
        #expect(try d1.keys() == [try key(2)])
    }
}

@Suite struct DamagedArchiveTests {
    /// Expects `body` to throw a `.damaged` error naming `path`.
    func expectDamaged(naming path: String, _ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            try body()
            Issue.record("no error for a damaged archive at \(path)", sourceLocation: sourceLocation)
        } catch let error as KleptoArchiveError {
            #expect(error.kind == .damaged, sourceLocation: sourceLocation)
            #expect(error.path.contains(path), "error \(error) does not name \(path)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("wrong error type: \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func directoryEntryTruncatedOrAlteredOrSwapped() throws {
        let archive = try DirectoryArchive(path: temporaryPath("dir-damage"))
        try archive.setRecord(record("a value long enough to cut"), forKey: key(1))
        try archive.setRecord(record("another value"), forKey: key(2))
        let file1 = archive.entryPath(forKey: try key(1)), file2 = archive.entryPath(forKey: try key(2))
        let original = try readFile(file1)
        try writeFile(file1, Array(original.dropLast(5)))
        expectDamaged(naming: file1) { _ = try archive.record(forKey: key(1)) }
        var altered = original
        altered[altered.count - 3] ^= 0x01
        try writeFile(file1, altered)
        expectDamaged(naming: file1) { _ = try archive.record(forKey: key(1)) }
        try writeFile(file1, try readFile(file2))
        expectDamaged(naming: file1) { _ = try archive.record(forKey: key(1)) }
        try writeFile(file1, Array("just some text\n".utf8))
        expectDamaged(naming: file1) { _ = try archive.record(forKey: key(1)) }
        #expect(try archive.record(forKey: key(2)) == record("another value"), "a good entry beside a bad one")
    }

    @Test func directoryIgnoresForeignFiles() throws {
        let path = temporaryPath("dir-foreign")
        let archive = try DirectoryArchive(path: path)
        try archive.setRecord(record("v"), forKey: key(1))
        try writeFile(path + "/entries/notes.txt", Array("hello".utf8))
        try writeFile(path + "/entries/" + String(repeating: "a", count: 32) + ".entry", Array("junk".utf8))
        try writeFile(path + "/README", Array("mine".utf8))
        try FileManager.default.removeItem(atPath: path + "/index.log")
        let reopened = try DirectoryArchive(path: path)
        #expect(try reopened.keys() == [try key(1)], "a foreign file was indexed")
        try reopened.removeAll()
        #expect(FileManager.default.fileExists(atPath: path + "/entries/notes.txt"), "removeAll removed a foreign file")
        #expect(FileManager.default.fileExists(atPath: path + "/README"))
    }

    @Test func singleFileCutShortOrAltered() throws {
        let file = try temporaryDirectory("single-damage") + "/a.klepto"
        do {
            let archive = try SingleFileArchive(path: file)
            for i in 0..<5 { try archive.setRecord(record("value \(i)"), forKey: key(i)) }
        }
        let original = try readFile(file)
        try writeFile(file, Array(original.prefix(original.count / 2)))
        expectDamaged(naming: file) { _ = try SingleFileArchive(path: file) }
        var altered = original
        altered[40] ^= 0x20
        try writeFile(file, altered)
        expectDamaged(naming: file) { _ = try SingleFileArchive(path: file) }
        try writeFile(file, original)
        let archive = try SingleFileArchive(path: file)
        #expect(try archive.count() == 5)
        try writeFile(file, Array(original.prefix(10)))
        expectDamaged(naming: file) { _ = try archive.record(forKey: key(1)) }
        try archive.removeAll()
        #expect(try archive.count() == 0, "removeAll replaces a damaged file")
    }

    @Test func sqlTableOfAnotherSchemaOrProgram() throws {
        let file = try temporaryDirectory("sql-schema") + "/other.db"
        do {
            let db = try SQLiteConnectionForTests(path: file)
            try db.execute("CREATE TABLE klepto_foreign (id INTEGER PRIMARY KEY, name TEXT)")
            try db.execute("CREATE TABLE klepto_old (key BLOB PRIMARY KEY, format TEXT NOT NULL, value BLOB NOT NULL, checksum INTEGER NOT NULL)")
            try db.execute("CREATE TABLE klepto_archives (name TEXT PRIMARY KEY, schema INTEGER NOT NULL)")
            try db.execute("INSERT INTO klepto_archives VALUES ('old', 0)")
        }
        expectDamaged(naming: file + "#klepto_foreign") { _ = try SQLTableArchive(path: file, name: "foreign") }
        expectDamaged(naming: file + "#klepto_old") { _ = try SQLTableArchive(path: file, name: "old") }
        let fresh = try SQLTableArchive(path: file, name: "fresh")
        try fresh.setRecord(record("ok"), forKey: key(1))
        #expect(try fresh.record(forKey: key(1)) == record("ok"))
    }

    @Test func sqlRowAlteredByAnotherProgram() throws {
        let file = try temporaryDirectory("sql-row") + "/a.db"
        let archive = try SQLTableArchive(path: file, name: "rows")
        try archive.setRecord(record("original"), forKey: key(1))
        let db = try SQLiteConnectionForTests(path: file)
        try db.execute("UPDATE klepto_rows SET value = X'6576696c'")
        #expect(db.changes == 1)
        #expect(try db.scalarInt("SELECT length(value) FROM klepto_rows") == 4)
        expectDamaged(naming: file + "#klepto_rows") { _ = try archive.record(forKey: key(1)) }
    }

    @Test func notADatabase() throws {
        let file = try temporaryDirectory("sql-notdb") + "/a.db"
        try writeFile(file, Array(repeating: 0x41, count: 8192))
        #expect(throws: KleptoArchiveError.self) { _ = try SQLTableArchive(path: file) }
    }
}
