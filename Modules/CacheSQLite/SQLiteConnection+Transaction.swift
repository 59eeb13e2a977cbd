import CCacheSQLite

extension SQLiteConnection {
    /// How a transaction takes its locks.
    public enum TransactionKind: String, Sendable {
        /// Takes locks on first use; a read that later writes may fail with `SQLITE_BUSY_SNAPSHOT`.
        case deferred = "DEFERRED"
        /// Takes the write lock at once (waiting up to the busy timeout): the choice for read-modify-write.
        case immediate = "IMMEDIATE"
        case exclusive = "EXCLUSIVE"
    }

    /// Runs `body` inside a transaction: committed when it returns, rolled back when it throws.
    /// Nested calls run inside the outer transaction (a savepoint), so they compose.
    /// - Throws: the body's error, or ``SQLiteError`` when BEGIN/COMMIT fails (e.g. busy past the timeout).
    public func transaction<R>(_ kind: TransactionKind = .immediate, _ body: () throws -> R) throws -> R {
        if isInTransaction {
            try execute("SAVEPOINT cache_nested")
            do {
                let result = try body()
                try execute("RELEASE cache_nested")
                return result
            } catch {
                try? execute("ROLLBACK TO cache_nested")
                try? execute("RELEASE cache_nested")
                throw error
            }
        }
        try begin(kind)
        let result: R
        do {
            result = try body()
        } catch {
            rollbackIfOpen()
            throw error
        }
        do {
            try commit()
        } catch {
            rollbackIfOpen()
            throw error
        }
        return result
    }

    /// Steps the connection's BEGIN statement of `kind` (prepared once).
    func begin(_ kind: TransactionKind) throws(SQLiteError) {
        let slot = kind == .deferred ? 0 : kind == .immediate ? 1 : 2
        if let statement = beginStatements[slot] { return try statement.stepToCompletion() }
        let statement = try prepare("BEGIN \(kind.rawValue)")
        beginStatements[slot] = statement
        try statement.stepToCompletion()
    }

    /// Steps the connection's COMMIT statement (prepared once).
    func commit() throws(SQLiteError) {
        if let statement = commitStatement { return try statement.stepToCompletion() }
        let statement = try prepare("COMMIT")
        commitStatement = statement
        try statement.stepToCompletion()
    }

    /// Rolls back the open transaction, if any, ignoring errors (used on failure paths).
    public func rollbackIfOpen() {
        if isInTransaction { _ = sqlite3_exec(handle, "ROLLBACK", nil, nil, nil) }
    }
}
