#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension SQLiteConnection {
    /// Creates the database file at `path` with mode 0600 unless it exists, before SQLite
    /// opens it: SQLite gives the `-wal` and `-shm` files the database's mode, so no other
    /// user can read the cache. An existing file keeps its mode; a symbolic link is not
    /// followed. Returns the `errno` when the file can neither be created nor opened.
    package static func createPrivateFile(atPath path: String) -> Int32? {
        let fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        if fd < 0 { return errno }
        #if canImport(Glibc)
        _ = Glibc.close(fd)
        #else
        _ = Darwin.close(fd)
        #endif
        return nil
    }
}
