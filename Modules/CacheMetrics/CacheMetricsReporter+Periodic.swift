import CacheCore

extension CacheMetricsReporter {
    /// Reports now, then every `interval` on `clock`, until the returned task is cancelled.
    ///
    /// Cancelling interrupts the wait between reports; a report in progress finishes
    /// first. Await the task's `value` to know it has stopped.
    /// - Parameters:
    ///   - interval: the time between the start of one wait and its end, > 0.
    ///   - clock: the clock to wait on (`ContinuousClock` unless a test injects another).
    ///   - priority: the reporting task's priority.
    /// - Throws: ``CacheCore/CacheConfigurationError`` naming `interval` when it is not
    ///   positive (the task would report in a busy loop).
    @discardableResult
    public func start<C: Clock>(
        every interval: C.Duration, clock: C = ContinuousClock(), priority: TaskPriority? = nil
    ) throws(CacheConfigurationError) -> Task<Void, Never> {
        guard interval > .zero else {
            throw CacheConfigurationError(setting: "interval", value: "\(interval)", reason: "the reporting interval must be positive")
        }
        return Task(priority: priority) { [self] in
            while !Task.isCancelled {
                await report()
                do {
                    try await clock.sleep(for: interval)
                } catch {
                    return  // cancelled while waiting
                }
            }
        }
    }
}
