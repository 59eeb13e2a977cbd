import CacheSQLite

/// A plain SQLite connection standing in for "another program" writing the database.
typealias SQLiteConnectionForTests = SQLiteConnection
