import CacheCore
import CacheRESP
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// A Redis client over SwiftNIO: a small pool of pipelined connections, per-command
/// timeouts, AUTH (password or ACL user), SELECT, and reconnection after the server
/// restarts (a broken connection is replaced on the next command).
///
/// Async callers use ``send(_:)`` and ``pipeline(_:)``. Synchronous callers on threads
/// that are **not** part of Swift's cooperative pool use ``sendBlocking(_:)``: the work
/// runs on NIO's event loop and the calling thread waits on a semaphore.
public final class RedisClient: Sendable {
    public let configuration: RedisConfiguration
    let group: any EventLoopGroup
    let ownsGroup: Bool
    let slots: [Slot]
    let nextSlot = Atomic<Int>(0)
    let closed = Atomic<Bool>(false)

    final class Slot: Sendable {
        let state = Mutex(SlotState.idle)
    }

    enum SlotState {
        case idle
        case connecting(EventLoopFuture<RedisConnection>)
        case connected(RedisConnection)
    }

    /// - Parameter group: the event loops to run on; by default NIO's shared singleton group.
    public init(configuration: RedisConfiguration, group: (any EventLoopGroup)? = nil) {
        self.configuration = configuration
        if let group {
            self.group = group
        } else {
            self.group = MultiThreadedEventLoopGroup.singleton
        }
        self.ownsGroup = false
        self.slots = (0..<configuration.poolSize).map { _ in Slot() }
    }

    /// A client for a `redis://` URL.
    public convenience init(url: String) throws(CacheConfigurationError) {
        self.init(configuration: try RedisConfiguration(url: url))
    }

    /// A live connection for the next slot, connecting (or reconnecting) if needed.
    func connection() -> EventLoopFuture<RedisConnection> {
        let index = nextSlot.wrappingAdd(1, ordering: .relaxed).oldValue % slots.count
        return connection(slot: index)
    }

    func connection(slot index: Int) -> EventLoopFuture<RedisConnection> {
        if closed.load(ordering: .relaxed) {
            return group.any().makeFailedFuture(RedisError(.clientClosed, server: configuration.address, detail: "the client was closed"))
        }
        let slot = slots[index]
        let configuration = self.configuration
        let group = self.group
        return slot.state.withLock { state -> EventLoopFuture<RedisConnection> in
            switch state {
            case .connected(let connection) where connection.isActive:
                return connection.channel.eventLoop.makeSucceededFuture(connection)
            case .connecting(let future):
                return future
            default:
                let future = RedisConnection.connect(configuration, on: group)
                state = .connecting(future)
                future.whenComplete { result in
                    slot.state.withLock { state in
                        guard case .connecting(let current) = state, current === future else { return }
                        switch result {
                        case .success(let connection): state = .connected(connection)
                        case .failure: state = .idle
                        }
                    }
                }
                return future
            }
        }
    }

    /// Sends the commands in one write on one connection; the replies come back in order.
    func sendFuture(_ commands: [[[UInt8]]]) -> EventLoopFuture<[RESPValue]> {
        let name = commands.first.map { String(decoding: $0.first ?? [], as: UTF8.self) } ?? ""
        return connection().flatMap { $0.send(commands, name: name) }
    }

    /// Sends one command; returns its reply (an error reply as `.error`).
    public func send(_ command: [[UInt8]]) async throws -> RESPValue {
        try await sendFuture([command]).get()[0]
    }

    /// Sends one command given as strings.
    public func send(_ command: String...) async throws -> RESPValue {
        try await send(command.map { Array($0.utf8) })
    }

    /// Sends several commands in one write (pipelining); returns their replies in order.
    public func pipeline(_ commands: [[[UInt8]]]) async throws -> [RESPValue] {
        guard !commands.isEmpty else { return [] }
        return try await sendFuture(commands).get()
    }

    /// Sends one command and waits for its reply on the calling thread.
    ///
    /// - Important: never call this from async code (a task, an actor): it blocks the
    ///   calling thread until the reply or the timeout, and a blocked thread of the
    ///   cooperative pool can stall every task. It is for synchronous callers only
    ///   (the sync `CacheStore` bridge, ``RedisSyncStore``).
    public func sendBlocking(_ command: [[UInt8]]) throws -> RESPValue {
        try sendFuture([command]).wait()[0]
    }

    /// Several commands in one write, waiting on the calling thread (see ``sendBlocking(_:)``).
    public func pipelineBlocking(_ commands: [[[UInt8]]]) throws -> [RESPValue] {
        guard !commands.isEmpty else { return [] }
        return try sendFuture(commands).wait()
    }

    /// `INFO` parsed into `field: value` pairs (every section).
    public func serverInfo() async throws -> [String: String] {
        let reply = try await send("INFO")
        return try RedisClient.parseInfo(reply, server: configuration.address)
    }

    static func parseInfo(_ reply: RESPValue, server: String) throws -> [String: String] {
        guard let text = reply.text else {
            throw RedisError(.unexpectedReply, server: server, command: "INFO", detail: "\(reply)")
        }
        var info: [String: String] = [:]
        for line in text.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") {
            if let colon = line.firstIndex(of: ":") {
                info[String(line[..<colon])] = String(line[line.index(after: colon)...])
            }
        }
        return info
    }

    /// Closes every connection; later commands fail with `.clientClosed`.
    public func close() async {
        closed.store(true, ordering: .relaxed)
        for slot in slots {
            let state = slot.state.withLock { state -> SlotState in
                defer { state = .idle }
                return state
            }
            if case .connected(let connection) = state { try? await connection.close().get() }
        }
    }
}

extension RESPValue {
    /// Throws a ``RedisError`` for an error reply.
    func checked(server: String, command: String) throws -> RESPValue {
        if case .error(let message) = self {
            throw RedisError(.serverError, server: server, command: command, detail: message)
        }
        return self
    }
}
