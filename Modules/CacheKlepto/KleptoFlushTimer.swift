import Dispatch

/// The background flush of a write-back ``KleptoCache``: a repeating libdispatch timer.
// @unchecked Sendable: the only stored property is a `let` dispatch source, and
// libdispatch objects are thread-safe (`resume`, `cancel` and `setEventHandler` may be
// called from any thread); the handler is `@Sendable`.
final class KleptoFlushTimer: @unchecked Sendable {
    let source: any DispatchSourceTimer
    let nanoseconds: Int

    init(interval: Duration) {
        let (seconds, attoseconds) = interval.components
        let total = seconds >= Int64(Int.max / 2_000_000_000) ? Int64(Int.max / 2) : seconds * 1_000_000_000 + attoseconds / 1_000_000_000
        nanoseconds = Int(max(total, 1_000_000))
        source = DispatchSource.makeTimerSource(queue: .global(qos: .utility))
    }

    /// Calls `handler` every interval until ``cancel()``.
    func start(_ handler: @escaping @Sendable () -> Void) {
        source.schedule(deadline: .now() + .nanoseconds(nanoseconds), repeating: .nanoseconds(nanoseconds))
        source.setEventHandler(handler: handler)
        source.resume()
    }

    func cancel() { source.cancel() }

    deinit { source.cancel() }
}
