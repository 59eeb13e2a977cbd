import CCacheSQLite
import CacheSQLite
import Foundation
import Synchronization
import Testing

@Suite struct SQLiteConnectionTests {
    func temporaryPath(_ name: String = "test.db") throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cachesqlite-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent(name).path
    }

    @Test func roundTripsEveryType() throws {
        let db = try SQLiteConnection(path: try temporaryPath())
        try db.execute("CREATE TABLE t (i INTEGER, r REAL, s TEXT, b BLOB, n BLOB)")
        let insert = try db.cachedStatement("INSERT INTO t VALUES (?, ?, ?, ?, ?)")
        try insert.bind(Int64.min, at: 1)
        try insert.bind(-0.5, at: 2)
        try insert.bind("héllo\u{0}x", at: 3)
        try insert.bind(blob: [0, 1, 2, 255], at: 4)
        try insert.bind(blob: [UInt8](), at: 5)
        try insert.stepToCompletion()
        #expect(db.changes == 1)
        let select = try db.cachedStatement("SELECT i, r, s, b, n FROM t")
        #expect(try select.step())
        #expect(select.int64(0) == Int64.min)
        #expect(select.double(1) == -0.5)
        #expect(select.text(2) == "héllo\u{0}x")
        #expect(select.blob(3) == [0, 1, 2, 255])
        #expect(select.withBlob(3) { $0.count } == 4)
        #expect(select.columnType(4) == SQLITE_BLOB, "an empty blob stays a blob, not NULL")
        #expect(select.withBlob(4) { $0.isEmpty })
        #expect(try !select.step())
    }

    @Test func statementCacheReusesAndResets() throws {
        let db = try SQLiteConnection(path: try temporaryPath())
        try db.execute("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)")
        try db.transaction { for k in 0..<100 { try db.run("INSERT INTO t VALUES (?, ?)", .integer(Int64(k)), .text("v\(k)")) } }
        let a = try db.cachedStatement("SELECT v FROM t WHERE k = ?")
        try a.bind(Int64(7), at: 1)
        #expect(try a.step())
        let b = try db.cachedStatement("SELECT v FROM t WHERE k = ?")
        #expect(a === b, "the same SQL returns the cached statement")
        // It came back reset with bindings cleared: NULL matches nothing.
        #expect(try !b.step())
        #expect(try db.scalarInt("SELECT count(*) FROM t") == 100)
        #expect(try db.scalarText("SELECT v FROM t WHERE k = ?", .integer(42)) == "v42")
    }

    @Test func errorsNameThePathSQLAndCode() throws {
        let path = try temporaryPath()
        let db = try SQLiteConnection(path: path)
        do {
            try db.execute("SELEC nonsense")
            Issue.record("bad SQL did not throw")
        } catch {
            #expect(error.path == path)
            #expect(error.sql.contains("SELEC nonsense"))
            #expect(error.code == SQLITE_ERROR)
            #expect(error.description.contains(path))
        }
        try db.execute("CREATE TABLE u (k INTEGER PRIMARY KEY)")
        try db.run("INSERT INTO u VALUES (1)")
        #expect(throws: SQLiteError.self) { try db.run("INSERT INTO u VALUES (1)") }
        do { try db.run("INSERT INTO u VALUES (1)") } catch { #expect(error.isConstraint) }
    }

    @Test func openFailuresAreTyped() throws {
        let dir = try temporaryPath("")
        #expect(throws: SQLiteError.self) {
            _ = try SQLiteConnection(path: dir + "/missing/dir/x.db")
        }
        let garbage = try temporaryPath("garbage.db")
        try Data(repeating: 0x5A, count: 8192).write(to: URL(fileURLWithPath: garbage))
        let db = try SQLiteConnection(path: garbage)
        do {
            try db.execute("SELECT * FROM sqlite_master")
            Issue.record("a garbage file read as a database")
        } catch {
            #expect(error.isCorrupt)
            #expect(error.path == garbage)
        }
    }

    @Test func transactionsCommitRollBackAndNest() throws {
        let db = try SQLiteConnection(path: try temporaryPath())
        try db.execute("CREATE TABLE t (k INTEGER PRIMARY KEY)")
        struct Boom: Error {}
        try db.transaction { try db.run("INSERT INTO t VALUES (1)") }
        #expect(throws: Boom.self) {
            try db.transaction {
                try db.run("INSERT INTO t VALUES (2)")
                throw Boom()
            }
        }
        try db.transaction {
            try db.run("INSERT INTO t VALUES (3)")
            try? db.transaction {
                try db.run("INSERT INTO t VALUES (4)")
                throw Boom()
            }
        }
        #expect(!db.isInTransaction)
        #expect(try db.scalarText("SELECT group_concat(k, ',') FROM (SELECT k FROM t ORDER BY k)") == "1,3")
    }

    @Test func busyTimeoutWaitsThenFailsTyped() throws {
        let path = try temporaryPath()
        let a = try SQLiteConnection(path: path)
        try a.execute("PRAGMA journal_mode=WAL; CREATE TABLE t (k INTEGER)")
        let b = try SQLiteConnection(path: path, busyTimeout: .milliseconds(50))
        try a.execute("BEGIN IMMEDIATE")
        do {
            try b.transaction { try b.run("INSERT INTO t VALUES (1)") }
            Issue.record("a second writer got the lock")
        } catch let error as SQLiteError {
            #expect(error.isBusy)
        }
        try a.execute("COMMIT")
        try b.transaction { try b.run("INSERT INTO t VALUES (1)") }
        #expect(try a.scalarInt("SELECT count(*) FROM t") == 1)
    }

    @Test func dbConfigThroughTheVariadicShim() throws {
        let db = try SQLiteConnection(path: try temporaryPath())
        #expect(try db.setConfiguration(SQLITE_DBCONFIG_DEFENSIVE, 1) == 1)
    }

    /// Connections opening a new database at once all switch it to WAL and create its
    /// table: the losers of the switch's exclusive lock wait instead of failing with
    /// SQLITE_BUSY (which SQLite returns at once there, without the busy handler).
    @Test func concurrentFirstOpensAllEnableWAL() throws {
        for round in 0..<12 {
            let path = try temporaryPath("race-\(round).db")
            let failures = Mutex<[String]>([])
            DispatchQueue.concurrentPerform(iterations: 6) { worker in
                do {
                    let db = try SQLiteConnection(path: path)
                    try SQLiteConnection.retryingBusy(timeout: .seconds(10)) {
                        try db.enableWAL()
                        try db.transaction(.immediate) { try db.execute("CREATE TABLE IF NOT EXISTS t (k INTEGER PRIMARY KEY)") }
                    }
                    try db.run("INSERT INTO t VALUES (?)", .integer(Int64(worker)))
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
            }
            #expect(failures.withLock { $0 } == [], "round \(round)")
            let db = try SQLiteConnection(path: path)
            #expect(try db.scalarText("PRAGMA journal_mode") == "wal")
            #expect(try db.scalarInt("SELECT count(*) FROM t") == 6)
        }
    }

    @Test func retryingBusyGivesUpAfterTheTimeout() throws {
        let path = try temporaryPath()
        let holder = try SQLiteConnection(path: path, busyTimeout: nil)
        try holder.execute("CREATE TABLE t (k INTEGER)")
        try holder.execute("BEGIN EXCLUSIVE")
        let other = try SQLiteConnection(path: path, busyTimeout: nil)
        var attempts = 0
        #expect { try SQLiteConnection.retryingBusy(timeout: .milliseconds(30)) {
            attempts += 1
            try other.execute("INSERT INTO t VALUES (1)")
        } } throws: { ($0 as? SQLiteError)?.isBusy == true }
        #expect(attempts > 1, "retried before giving up")
        try holder.execute("ROLLBACK")
    }
}
