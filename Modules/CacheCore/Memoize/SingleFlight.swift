import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs one computation per key at a time: concurrent callers of a key that is
/// being computed wait for that computation and share its result (synchronous,
/// thread-blocking waits — from async code use `AsyncCache` or `AsyncMemoized`, whose
/// single-flight suspends instead).
///
/// No lock is held while the computation runs, so it may call into the same
/// single-flight group for other keys (recursion).
@usableFromInline package final class SingleFlight<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    final class Flight: Sendable {
        let done = DispatchSemaphore(value: 0)
        let result = Mutex<Result<Value, any Error>?>(nil)
        let owner: UInt
        init(owner: UInt) { self.owner = owner }
    }

    private let flights = Mutex<[Key: Flight]>([:])

    @usableFromInline package init() {}

    /// What happened to a call of ``run(_:recheck:compute:)``.
    package enum Role: Sendable { case leader, follower }

    /// Computes `compute()` for `key` unless another thread is computing it, in which
    /// case waits for that thread's result. `recheck` runs once leadership is taken,
    /// to catch a result that landed between the caller's miss and now.
    ///
    /// Throws ``MemoizeRecursionError`` when the computing thread asks for its own key.
    package func run(
        _ key: Key, function: String = "",
        recheck: () throws -> Value?,
        compute: () throws -> Value
    ) throws -> (value: Value, role: Role) {
        let me = SingleFlight.currentThread()
        let (flight, isLeader): (Flight, Bool) = flights.withLock { table in
            if let existing = table[key] {
                return (existing, false)
            }
            let flight = Flight(owner: me)
            table[key] = flight
            return (flight, true)
        }
        if !isLeader {
            if flight.owner == me {
                throw MemoizeRecursionError(function: function, key: cacheDescribeKey(key))
            }
            flight.done.wait()
            // Pass the wake-up on so every waiter runs.
            flight.done.signal()
            return (try flight.result.withLock { $0! }.get(), .follower)
        }
        let outcome: Result<Value, any Error>
        do {
            if let found = try recheck() {
                outcome = .success(found)
            } else {
                outcome = .success(try compute())
            }
        } catch {
            outcome = .failure(error)
        }
        flight.result.withLock { $0 = outcome }
        flights.withLock { _ = $0.removeValue(forKey: key) }
        flight.done.signal()
        return (try outcome.get(), .leader)
    }

    /// Keys being computed now.
    package var inFlightCount: Int { flights.withLock { $0.count } }

    static func currentThread() -> UInt {
        #if canImport(Darwin)
        return UInt(bitPattern: pthread_self())
        #else
        return UInt(pthread_self())
        #endif
    }
}
