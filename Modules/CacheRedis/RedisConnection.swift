import CacheRESP
import NIOCore
import NIOPosix

/// One TCP connection to Redis, authenticated and on its database, shared by many
/// callers: their commands are pipelined and the replies matched in order.
final class RedisConnection: Sendable {
    let channel: any Channel
    let server: String

    private init(channel: any Channel, server: String) {
        self.channel = channel
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
                    try channel.pipeline.syncOperations.addHandlers([
                        ByteToMessageHandler(RESPFrameDecoder()),
                        RedisCommandHandler(timeout: timeout, server: server),
                    ])
                }
            }
        let connected = bootstrap.connect(host: configuration.host, port: configuration.port)
            .flatMapErrorThrowing { error -> any Channel in
                throw RedisError(.connectionFailed, server: server, detail: "\(error)")
            }
            .map { RedisConnection(channel: $0, server: server) }
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
        channel.writeAndFlush(RedisRequest(commands: commands, promise: promise, name: name)).whenFailure { error in
            promise.fail(error as? RedisError ?? RedisError(.connectionClosed, server: self.server, command: name, detail: "\(error)"))
        }
        return promise.futureResult
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
