import CacheCore

extension AsyncDiskStore: ExclusiveLoadingStore {
    /// Runs `loadAndStore` under the key's lease row (the one ``DiskStore`` uses), so that
    /// one caller among every process sharing the directory loads a missing key while the
    /// others wait for its result. Lease reads and writes run on the store's queue; the
    /// waits between attempts (1 ms doubling up to 50 ms) suspend the task, never block a
    /// thread. `.unavailable` when the lease table cannot be written (e.g. disk full): the
    /// caller loads on its own. ``AsyncCache`` (and `AsyncMemoized`) use it automatically.
    /// - Throws: `loadAndStore`'s error (the lease is released first), or
    ///   `CancellationError` when the task is cancelled while waiting.
    public func withExclusiveLoad<Loaded: Sendable>(
        forKey key: CacheKey, _ loadAndStore: @Sendable () async throws -> Loaded
    ) async throws -> ExclusiveLoadOutcome<Value, Loaded> {
        let store = self.store
        var backoff = LeaseBackoff()
        while true {
            let afterWaiting = backoff.waited
            switch try await run({ store.leaseAttempt(forKey: key, afterWaiting: afterWaiting) }) {
            case .unavailable:
                return .unavailable
            case .found(let value):
                return .found(value, waited: afterWaiting)
            case .acquired:
                let loaded: Result<Loaded, any Error>
                do { loaded = .success(try await loadAndStore()) } catch { loaded = .failure(error) }
                try await run { store.releaseLease(forKey: key) }
                return .loaded(try loaded.get())
            case .busy:
                // Another process is loading: wait for its result or for its lease to lapse.
                try await Task.sleep(for: backoff.next())
            }
        }
    }
}
