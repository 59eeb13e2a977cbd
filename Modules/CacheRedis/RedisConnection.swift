import CacheRESP
import NIOCore
import NIOPosix
import Synchronization

/// One TCP connection to Redis, authenticated and on its database, shared by many
/// callers: their commands are pipelined and the replies matched in order.
///
/// A request submitted on the channel's event loop is written at once. Requests from
/// other threads go to an inbox; the first one into an empty inbox schedules one drain
/// on the event loop, which writes everything queued by then with one flush (one
/// wake-up of the event loop and one `write` for a burst of concurrent callers).
final class RedisConnection: Sendable {
    let channel: any Channel
    let server: String
    private let handler: NIOLoopBound<RedisCommandHandler>
    private let inbox = Mutex(Inbox())

    struct Inbox {
        var requests: [RedisRequest] = []
        var drainScheduled = false
    }

    private init(channel: any Channel, handler: NIOLoopBound<RedisCommandHandler>, server: String) {
        self.channel = channel
        self.handler = handler
        self.server = server
    }

    var isActive: Bool { channel.isActive }

    /// Connects, then sends AUTH and SELECT as the configuration asks.
    static func connect(_ configuration: RedisConfiguration, on group: any EventLoopGroup) -> EventLoopFuture<RedisConnection> {
        let server = configuration.address
        let timeout = TimeAmount.nanoseconds(Int64(configuration.commandTimeout.cacheNanoseconds))
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(.nanoseconds(Int64(configuration.connectTimeout.cacheNanoseconds)))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(RedisCommandHandler(timeout: timeout, server: server))
                }
            }
        let connected = bootstrap.connect(host: configuration.host, port: configuration.port)
            .flatMapErrorThrowing { error -> any Channel in
                throw RedisError(.connectionFailed, server: server, detail: "\(error)")
            }
            .flatMapThrowing { channel -> RedisConnection in
                // The connect future completes on the channel's event loop.
                let handler = try channel.pipeline.syncOperations.handler(type: RedisCommandHandler.self)
                return RedisConnection(channel: channel, handler: NIOLoopBound(handler, eventLoop: channel.eventLoop), server: server)
            }
        return connected.flatMap { connection in
            var handshake: [[[UInt8]]] = []
            if let password = configuration.password {
                if let user = configuration.username {
                    handshake.append([Array("AUTH".utf8), Array(user.utf8), Array(password.utf8)])
                } else {
                    handshake.append([Array("AUTH".utf8), Array(password.utf8)])
                }
            }
            if configuration.database != 0 {
                handshake.append([Array("SELECT".utf8), Array(String(configuration.database).utf8)])
            }
            let commands = handshake
            guard !commands.isEmpty else { return connection.channel.eventLoop.makeSucceededFuture(connection) }
            return connection.send(commands, name: "HELLO").flatMapThrowing { replies -> RedisConnection in
                for (command, reply) in zip(commands, replies) {
                    if case .error(let message) = reply {
                        let name = String(decoding: command[0], as: UTF8.self)
                        connection.channel.close(promise: nil)
                        throw RedisError(name == "AUTH" ? .authenticationFailed : .serverError, server: server, command: name, detail: message)
                    }
                }
                return connection
            }.flatMapError { error in
                connection.channel.close(promise: nil)
                return connection.channel.eventLoop.makeFailedFuture(error)
            }
        }
    }

    /// Writes `commands` in one flush; the future holds their replies in order
    /// (error replies included, as `.error`).
    func send(_ commands: [[[UInt8]]], name: String) -> EventLoopFuture<[RESPValue]> {
        let promise = channel.eventLoop.makePromise(of: [RESPValue].self)
        submit(RedisRequest(commands: commands, name: name, target: .promise(promise)))
        return promise.futureResult
    }

    /// Writes `commands` in one flush and suspends until their replies (in order) arrive;
    /// the event loop resumes the caller directly. Runs on the caller's executor (no hop
    /// to the global one), so a caller on the event loop writes at once.
    func send(_ commands: [[[UInt8]]], name: String, isolation: isolated (any Actor)? = #isolation) async throws -> [RESPValue] {
        try await withUnsafeThrowingContinuation { continuation in
            submit(RedisRequest(commands: commands, name: name, target: .continuation(continuation)))
        }
    }

    /// Hands `request` to the handler: directly on the event loop, else through the inbox.
    func submit(_ request: RedisRequest) {
        let loop = channel.eventLoop
        if loop.inEventLoop {
            drain()
            handler.value.submit(CollectionOfOne(request))
            return
        }
        let scheduleDrain = inbox.withLock { inbox -> Bool in
            inbox.requests.append(request)
            defer { inbox.drainScheduled = true }
            return !inbox.drainScheduled
        }
        if scheduleDrain {
            loop.execute { self.drain() }
        }
    }

    /// Writes every request in the inbox (on the event loop).
    private func drain() {
        let requests = inbox.withLock { inbox -> [RedisRequest] in
            inbox.drainScheduled = false
            return inbox.requests.isEmpty ? [] : inbox.requests.swap(with: [])
        }
        if !requests.isEmpty { handler.value.submit(requests) }
    }

    func close() -> EventLoopFuture<Void> {
        channel.close().recover { _ in }
    }
}

extension Duration {
    /// Whole nanoseconds (saturating).
    var cacheNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (ns, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : ns &+ attoseconds / 1_000_000_000
    }
}

extension Array {
    /// Replaces the array with `other`, returning the old contents (no copy).
    fileprivate mutating func swap(with other: [Element]) -> [Element] {
        var old = other
        Swift.swap(&self, &old)
        return old
    }
}
