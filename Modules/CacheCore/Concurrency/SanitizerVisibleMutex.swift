#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A twin of `Synchronization.Mutex` built on `pthread_mutex_t`, which Thread
/// Sanitizer intercepts.
///
/// On Linux, `Synchronization.Mutex` locks with raw futex calls that TSan cannot see,
/// so under `--sanitize=thread` every access it guards is reported as a race. The
/// Thread Sanitizer pass (`.ci/run`) builds with `SWIFT_CACHE_TSAN` defined, and each
/// target then maps the name `Mutex` to this type (see its `Mutex+ThreadSanitizer.swift`),
/// so the pass checks this project's own code for races. Production builds never use it.
@usableFromInline package struct SanitizerVisibleMutex<Value: ~Copyable>: ~Copyable {
    @usableFromInline let lock: UnsafeMutablePointer<pthread_mutex_t>
    @usableFromInline let storage: UnsafeMutablePointer<Value>

    @usableFromInline package init(_ initialValue: consuming sending Value) {
        lock = .allocate(capacity: 1)
        lock.initialize(to: pthread_mutex_t())
        pthread_mutex_init(lock, nil)
        storage = .allocate(capacity: 1)
        storage.initialize(to: initialValue)
    }

    deinit {
        storage.deinitialize(count: 1)
        storage.deallocate()
        pthread_mutex_destroy(lock)
        lock.deallocate()
    }

    /// Runs `body` with exclusive access to the value.
    @inlinable
    package borrowing func withLock<Result: ~Copyable, E: Error>(
        _ body: (inout sending Value) throws(E) -> sending Result
    ) throws(E) -> sending Result {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        return try body(&storage.pointee)
    }

    /// Runs `body` if the lock is free now; returns `nil` otherwise.
    @inlinable
    package borrowing func withLockIfAvailable<Result: ~Copyable, E: Error>(
        _ body: (inout sending Value) throws(E) -> sending Result
    ) throws(E) -> sending Result? {
        guard pthread_mutex_trylock(lock) == 0 else { return nil }
        defer { pthread_mutex_unlock(lock) }
        return try body(&storage.pointee)
    }
}

// Safe: every access to `storage` happens between pthread_mutex_lock and unlock on
// `lock`, which the value owns exclusively (~Copyable) until deinit; the pointers
// themselves never change after init.
extension SanitizerVisibleMutex: @unchecked Sendable where Value: ~Copyable {}
