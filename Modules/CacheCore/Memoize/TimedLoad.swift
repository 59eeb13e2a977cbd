/// Runs `load`, timing it, and hands the outcome to `record` — `nil` or the error it threw —
/// so every memoizer counts its loads the same way (see ``CacheStats/recordLoad(succeeded:elapsed:)``).
/// - Returns: the value and how long `load` took.
@inlinable
package func cacheTimedLoad<Value>(
    _ load: () throws -> Value, record: (_ failure: (any Error)?, _ elapsed: Duration) -> Void
) rethrows -> (value: Value, elapsed: Duration) {
    let clock = ContinuousClock()
    let start = clock.now
    do {
        let value = try load()
        let elapsed = clock.now - start
        record(nil, elapsed)
        return (value, elapsed)
    } catch {
        record(error, clock.now - start)
        throw error
    }
}

/// ``cacheTimedLoad(_:record:)`` for an `async` load.
@inlinable
package func cacheTimedLoad<Value>(
    isolation: isolated (any Actor)? = #isolation,
    _ load: () async throws -> Value, record: (_ failure: (any Error)?, _ elapsed: Duration) -> Void
) async rethrows -> (value: Value, elapsed: Duration) {
    let clock = ContinuousClock()
    let start = clock.now
    do {
        let value = try await load()
        let elapsed = clock.now - start
        record(nil, elapsed)
        return (value, elapsed)
    } catch {
        record(error, clock.now - start)
        throw error
    }
}
