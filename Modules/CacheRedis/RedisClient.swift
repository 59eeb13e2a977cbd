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
/// Async callers use ``send(_:)`` and ``pipeline(_:)``; a latency-critical sequence of
/// calls runs inside ``withEventLoopAffinity(_:)``, on the connection's event loop, without
/// a thread hand-off per round trip. Synchronous callers on threads
/// that are **not** part of Swift's cooperative pool use ``sendBlocking(_:)``: the work
/// runs on NIO's event loop and the calling thread waits on a semaphore.
public final class RedisClient: Sendable {
    public let configuration: RedisConfiguration
    let group: any EventLoopGroup
    let slots: [Slot]
    let nextSlot = Atomic<Int>(0)
    let closed = Atomic<Bool>(false)
    /// Logs each outage of the server once (see ``RedisOutageLog``).
    package let outageLog: RedisOutageLog

    final class Slot: Sendable {
        let state = Mutex(SlotState.idle)
        /// The event loop this slot's connections live on (reconnects stay on it), so a task
        /// pinned to it by ``RedisClient/withEventLoopAffinity(_:)`` keeps running where its connection is.
        let eventLoop: any EventLoop
        let taskExecutor: EventLoopTaskExecutor
        init(eventLoop: any EventLoop) {
            self.eventLoop = eventLoop
            taskExecutor = EventLoopTaskExecutor(eventLoop: eventLoop)
        }
    }

    enum SlotState {
        case idle
        case connecting(EventLoopFuture<RedisConnection>)
        case connected(RedisConnection)
    }

    /// - Parameters:
    ///   - group: the event loops to run on; by default NIO's shared singleton group.
    ///   - logger: where outages are reported: one warning when the server stops answering
    ///     (the first failed command), one info when it answers again — not one per command.
    public init(configuration: RedisConfiguration, group: (any EventLoopGroup)? = nil,
                logger: Logger = Logger(label: "swift-cache.redis")) {
        self.configuration = configuration
        self.outageLog = RedisOutageLog(server: configuration.address, logger: logger)
        if let group {
            self.group = group
        } else {
            self.group = MultiThreadedEventLoopGroup.singleton
        }
        let group = self.group
        self.slots = (0..<configuration.poolSize).map { _ in Slot(eventLoop: group.next()) }
    }

    /// A client for a `redis://` URL.
    public convenience init(url: String, logger: Logger = Logger(label: "swift-cache.redis")) throws(CacheConfigurationError) {
        self.init(configuration: try RedisConfiguration(url: url), logger: logger)
    }

    /// A live connection for the next slot, connecting (or reconnecting) if needed.
    func connection() -> EventLoopFuture<RedisConnection> {
        connection(slot: nextSlotIndex())
    }

    func nextSlotIndex() -> Int {
        if slots.count == 1 { return 0 }
        if let pinned = RedisClient.pinnedSlot, pinned.client == ObjectIdentifier(self) { return pinned.index }
        return nextSlot.wrappingAdd(1, ordering: .relaxed).oldValue % slots.count
    }

    /// The slot's connection when it is up (the fast path: no future, no event-loop hop).
    func activeConnection(slot index: Int) -> RedisConnection? {
        if closed.load(ordering: .relaxed) { return nil }
        return slots[index].state.withLock { state -> RedisConnection? in
            if case .connected(let connection) = state, connection.isActive { return connection }
            return nil
        }
    }

    func connection(slot index: Int) -> EventLoopFuture<RedisConnection> {
        if closed.load(ordering: .relaxed) {
            return group.any().makeFailedFuture(RedisError(.clientClosed, server: configuration.address, detail: "the client was closed"))
        }
        let slot = slots[index]
        let configuration = self.configuration
        return slot.state.withLock { state -> EventLoopFuture<RedisConnection> in
            switch state {
            case .connected(let connection) where connection.isActive:
                return connection.channel.eventLoop.makeSucceededFuture(connection)
            case .connecting(let future):
                return future
            default:
                let future = RedisConnection.connect(configuration, on: slot.eventLoop)
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

    static func commandName(_ commands: [[[UInt8]]]) -> String {
        commands.first.map { String(decoding: $0.first ?? [], as: UTF8.self) } ?? ""
    }

    /// Sends the commands in one write on one connection; the replies come back in order.
    func sendFuture(_ commands: [[[UInt8]]]) -> EventLoopFuture<[RESPValue]> {
        let name = RedisClient.commandName(commands)
        let index = nextSlotIndex()
        let sent: EventLoopFuture<[RESPValue]>
        if let connection = activeConnection(slot: index) {
            sent = connection.send(commands, name: name)
        } else {
            sent = connection(slot: index).flatMap { $0.send(commands, name: name) }
        }
        let outageLog = self.outageLog
        return sent.map { replies in
            outageLog.succeeded()
            return replies
        }.flatMapErrorThrowing { error in
            throw outageLog.failed(error, command: name)
        }
    }

    /// Sends the commands in one write on one connection and suspends until the replies
    /// arrive (in order). On a live connection this takes no future and no extra hop:
    /// the request goes to the event loop and the reply resumes the caller from there.
    func sendAsync(_ commands: [[[UInt8]]], isolation: isolated (any Actor)? = #isolation) async throws -> [RESPValue] {
        try await sendAsync(commands, slot: nextSlotIndex())
    }

    /// ``sendAsync(_:)`` on the connection of slot `index`.
    /// Runs on the caller's executor (no hop to the global one when called from an actor).
    func sendAsync(_ commands: [[[UInt8]]], slot index: Int, isolation: isolated (any Actor)? = #isolation) async throws -> [RESPValue] {
        let name = RedisClient.commandName(commands)
        do {
            let connection: RedisConnection
            if let active = activeConnection(slot: index) {
                connection = active
            } else {
                connection = try await self.connection(slot: index).get()
            }
            let replies = try await connection.send(commands, name: name)
            outageLog.succeeded()
            return replies
        } catch {
            throw outageLog.failed(error, command: name)
        }
    }

    /// Sends one command; returns its reply (an error reply as `.error`).
    public func send(_ command: [[UInt8]]) async throws -> RESPValue {
        try await sendAsync([command])[0]
    }

    /// Sends one command given as strings.
    public func send(_ command: String...) async throws -> RESPValue {
        try await send(command.map { Array($0.utf8) })
    }

    /// Sends several commands in one write (pipelining); returns their replies in order.
    public func pipeline(_ commands: [[[UInt8]]]) async throws -> [RESPValue] {
        guard !commands.isEmpty else { return [] }
        return try await sendAsync(commands)
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
