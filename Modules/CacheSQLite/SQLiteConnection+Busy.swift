#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension SQLiteConnection {
    /// Runs `body` again while it fails with `SQLITE_BUSY`/`SQLITE_LOCKED`, pausing 1 ms,
    /// then doubling up to 50 ms, until `timeout` has passed (then the busy error is thrown).
    ///
    /// For the steps SQLite does not hand to the busy handler: a journal-mode change that
    /// races another process's first open, and a transaction that must start over.
    package static func retryingBusy<R>(timeout: Duration, _ body: () throws -> R) throws -> R {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var pause: Duration = .milliseconds(1)
        while true {
            do {
                return try body()
            } catch let error as SQLiteError where error.isBusy && clock.now < deadline {
                sleepForBackoff(pause)
                pause = min(pause * 2, .milliseconds(50))
            }
        }
    }

    /// Puts the database in WAL mode (which persists in the file). Several processes
    /// opening a new database at once each try the switch, and SQLite answers the losers
    /// `SQLITE_BUSY` at once, without consulting the busy handler: call it inside
    /// ``retryingBusy(timeout:_:)``.
    /// - Throws: ``SQLiteError``: busy, or the mode did not become WAL (an in-memory
    ///   database, or a file system without shared memory).
    package func enableWAL() throws {
        if try scalarText("PRAGMA journal_mode")?.lowercased() == "wal" { return }
        let mode = try scalarText("PRAGMA journal_mode=WAL")
        if mode?.lowercased() != "wal" {
            throw SQLiteError(path: path, sql: "PRAGMA journal_mode=WAL", extendedCode: 1,
                              message: "journal mode stayed \(mode ?? "unknown")")
        }
    }

    /// A synchronous sleep for retry back-off. SQLite calls run on the caller's thread or
    /// on an async adapter's own queue, never on the cooperative pool.
    package static func sleepForBackoff(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
        _ = nanosleep(&request, nil)
    }
}
