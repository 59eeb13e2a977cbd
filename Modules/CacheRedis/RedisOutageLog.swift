import CacheCore
import Logging
import Synchronization

/// One warning per outage of a Redis server, instead of one per failed call.
///
/// An outage starts at the first command that fails to reach the server (connection
/// refused or lost, timeout, authentication refused) and ends at the next command that
/// gets a reply (an error reply counts: the server answered). The start is logged once as
/// a warning, the commands failing during it at debug level, and the end as info with
/// how many commands failed and for how long. Every ``RedisClient`` keeps one, so every
/// store over the same client shares it.
package final class RedisOutageLog: Sendable {
    struct Outage {
        var started: ContinuousClock.Instant
        var failedCommands: Int
    }

    let logger: Logger
    let server: String
    /// Whether an outage is under way: read without the lock on every success.
    let down = Atomic<Bool>(false)
    let outage = Mutex<Outage?>(nil)
    /// Outages seen so far (each logged once).
    let outages = Atomic<Int>(0)

    package init(server: String, logger: Logger) {
        self.server = server
        self.logger = logger
    }

    /// Whether `error` means the server could not be reached (as opposed to a reply the
    /// command did not expect, or the client having been closed by its owner).
    package static func isOutage(_ error: any Error) -> Bool {
        guard let redis = error as? RedisError else { return !(error is CancellationError) }
        switch redis.kind {
        case .connectionFailed, .timeout, .connectionClosed, .authenticationFailed: return true
        case .serverError, .protocolError, .unexpectedReply, .clientClosed: return false
        }
    }

    /// A command got a reply: ends an outage under way (logged once, at info).
    @inline(__always)
    package func succeeded() {
        guard down.load(ordering: .relaxed) else { return }
        let ended = outage.withLock { current -> Outage? in
            defer { current = nil }
            return current
        }
        down.store(false, ordering: .relaxed)
        if let ended {
            logger.info("redis is reachable again; the cache is back in use", metadata: [
                "server": "\(server)", "failedCommands": "\(ended.failedCommands)",
                "outageSeconds": "\((ContinuousClock.now - ended.started).cacheSeconds)",
            ])
        }
    }

    /// A command failed with `error`. Returns the error to throw: an outage error marked
    /// as reported (``RedisError/reportedAsOutage``), so caches above count it without
    /// logging it again; other errors unchanged.
    package func failed(_ error: any Error, command: String) -> any Error {
        guard Self.isOutage(error) else { return error }
        let started = outage.withLock { current -> Bool in
            if current == nil {
                current = Outage(started: .now, failedCommands: 1)
                return true
            }
            current!.failedCommands += 1
            return false
        }
        down.store(true, ordering: .relaxed)
        if started {
            outages.add(1, ordering: .relaxed)
            logger.warning("redis is unreachable; reads are misses and results are not stored until it answers (logged once per outage)", metadata: [
                "server": "\(server)", "command": "\(command)", "error": "\(error)",
            ])
        } else {
            logger.debug("redis command failed during an outage", metadata: ["server": "\(server)", "command": "\(command)", "error": "\(error)"])
        }
        guard var redis = error as? RedisError else {
            var wrapped = RedisError(.connectionFailed, server: server, command: command, detail: "\(error)")
            wrapped.reportedAsOutage = true
            return wrapped
        }
        redis.reportedAsOutage = true
        return redis
    }

    /// Outages that started so far.
    package var outageCount: Int { outages.load(ordering: .relaxed) }
    /// Whether an outage is under way.
    package var isDown: Bool { down.load(ordering: .relaxed) }
}

extension RedisError: CacheReportedFailure {
    package var isAlreadyReported: Bool { reportedAsOutage }
}
