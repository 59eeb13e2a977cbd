import Synchronization

/// Runs one load per key at a time for async callers: concurrent callers of a key
/// that is being loaded await that load and share its result or error.
///
/// - The load runs in its own task, so cancelling one waiter does not cancel it for
///   the others; a cancelled waiter returns `CancellationError` at once.
/// - When every waiter of a load has been cancelled, the load task is cancelled too
///   and the next caller starts a fresh one.
/// - No thread ever blocks: waiters suspend on continuations.
package final class AsyncSingleFlight<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    /// A suspended caller: resumed with the load's outcome, or `nil` when the flight was abandoned.
    typealias Waiter = CheckedContinuation<Result<Value, any Error>?, Never>

    final class Flight: Sendable {
        struct State {
            var waiters: [Int: Waiter] = [:]
            var nextWaiter = 0
            var result: Result<Value, any Error>?
            var task: Task<Void, Never>?
            /// Every waiter left before the result: the load was cancelled.
            var abandoned = false
        }
        let state = Mutex(State())
    }

    private let table = Mutex<[Key: Flight]>([:])

    package init() {}

    /// Keys being loaded now.
    package var inFlightCount: Int { table.withLock { $0.count } }

    /// Callers awaiting the load of `key` now (0 when none is in flight).
    package func waiterCount(for key: Key) -> Int {
        guard let flight = table.withLock({ $0[key] }) else { return 0 }
        return flight.state.withLock { $0.waiters.count }
    }

    /// Returns `operation()`'s result for `key`, running it only if no load of `key` is
    /// in flight; otherwise awaits the load in flight.
    /// - Returns: the value and whether this caller started the load.
    package func run(
        _ key: Key, operation: @escaping @Sendable () async throws -> Value
    ) async throws -> (value: Value, started: Bool) {
        while true {
            try Task.checkCancellation()
            let (flight, isNew) = table.withLock { flights -> (Flight, Bool) in
                if let existing = flights[key] { return (existing, false) }
                let flight = Flight()
                flights[key] = flight
                return (flight, true)
            }
            if isNew {
                let task = Task { [self] in
                    let result: Result<Value, any Error>
                    do { result = .success(try await operation()) } catch { result = .failure(error) }
                    finish(key, flight, result)
                }
                flight.state.withLock { $0.task = task }
            }
            if let value = try await wait(for: flight, key: key) { return (value, isNew) }
            // The flight was abandoned by its waiters just as we joined: start over.
        }
    }

    /// Awaits `flight`; `nil` when it was abandoned before this caller joined.
    private func wait(for flight: Flight, key: Key) async throws -> Value? {
        let id = flight.state.withLock { state -> Int in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        let outcome: Result<Value, any Error>? = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: Waiter) in
                let immediate = flight.state.withLock { state -> Result<Value, any Error>?? in
                    if let result = state.result { return .some(result) }
                    if state.abandoned { return .some(nil) }
                    if Task.isCancelled { return .some(.failure(CancellationError())) }
                    state.waiters[id] = continuation
                    return nil
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            leave(flight, key: key, waiter: id)
        }
        guard let outcome else { return nil }
        return try outcome.get()
    }

    /// A waiter was cancelled: release it, and cancel the load when no waiter is left.
    private func leave(_ flight: Flight, key: Key, waiter id: Int) {
        let (continuation, taskToCancel) = flight.state.withLock { state -> (Waiter?, Task<Void, Never>?) in
            guard state.result == nil, let continuation = state.waiters.removeValue(forKey: id) else {
                // Not registered yet: make sure it does not register (it sees `abandoned`
                // only if it is the last one; otherwise it registers and is released below).
                if state.result == nil, state.waiters.isEmpty, !state.abandoned {
                    state.abandoned = true
                    return (nil, state.task)
                }
                return (nil, nil)
            }
            guard state.waiters.isEmpty else { return (continuation, nil) }
            state.abandoned = true
            return (continuation, state.task)
        }
        if let taskToCancel {
            table.withLock { flights in
                if flights[key] === flight { flights.removeValue(forKey: key) }
            }
            taskToCancel.cancel()
        }
        continuation?.resume(returning: .failure(CancellationError()))
    }

    private func finish(_ key: Key, _ flight: Flight, _ result: Result<Value, any Error>) {
        table.withLock { flights in
            if flights[key] === flight { flights.removeValue(forKey: key) }
        }
        let waiters = flight.state.withLock { state -> [Waiter] in
            state.result = result
            let all = Array(state.waiters.values)
            state.waiters.removeAll()
            return all
        }
        for waiter in waiters { waiter.resume(returning: result) }
    }
}
