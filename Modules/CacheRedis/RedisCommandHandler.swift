import CacheRESP
import NIOCore

/// A batch of commands written together (one flush) and answered by one promise
/// with their replies in order.
struct RedisRequest: Sendable {
    var commands: [[[UInt8]]]
    var promise: EventLoopPromise<[RESPValue]>
    /// The first command's name, for error messages.
    var name: String
}

/// Matches replies to requests in order (Redis answers pipelined commands in order),
/// fails a request that gets no reply in time, and fails every pending request when
/// the connection breaks. Lives on its channel's event loop only.
final class RedisCommandHandler: ChannelDuplexHandler {
    typealias InboundIn = RESPValue
    typealias OutboundIn = RedisRequest
    typealias OutboundOut = ByteBuffer

    struct Pending {
        var request: RedisRequest
        var replies: [RESPValue]
        var timeout: Scheduled<Void>?
    }

    private var pending = CircularBuffer<Pending>()
    private let timeout: TimeAmount
    private let server: String
    private var failure: RedisError?

    init(timeout: TimeAmount, server: String) {
        self.timeout = timeout
        self.server = server
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        if let failure {
            request.promise.fail(failure)
            promise?.fail(failure)
            return
        }
        var size = 0
        for command in request.commands { size += 16 + command.reduce(0) { $0 + $1.count + 16 } }
        var buffer = context.channel.allocator.buffer(capacity: size)
        for command in request.commands { buffer.writeRESPCommand(command) }
        let loop = context.eventLoop.assumeIsolated()
        let scheduled = loop.scheduleTask(in: timeout) { [weak self, context] () -> Void in
            guard let self else { return }
            self.timedOut(context: context, name: request.name)
        }
        pending.append(Pending(request: request, replies: [], timeout: scheduled))
        context.write(wrapOutboundOut(buffer), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let value = unwrapInboundIn(data)
        guard !pending.isEmpty else {
            fail(context: context, RedisError(.protocolError, server: server, detail: "a reply arrived with no command in flight: \(value)"))
            return
        }
        pending[pending.startIndex].replies.append(value)
        if pending[pending.startIndex].replies.count == pending[pending.startIndex].request.commands.count {
            let done = pending.removeFirst()
            done.timeout?.cancel()
            done.request.promise.succeed(done.replies)
        }
    }

    private func timedOut(context: ChannelHandlerContext, name: String) {
        fail(context: context, RedisError(.timeout, server: server, command: name, detail: "no reply within \(timeout.nanoseconds / 1_000_000) ms; the connection was closed"))
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let parse = error as? RESPParseError {
            fail(context: context, RedisError(.protocolError, server: server, detail: parse.description))
        } else if let redis = error as? RedisError {
            fail(context: context, redis)
        } else {
            fail(context: context, RedisError(.connectionClosed, server: server, detail: "\(error)"))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll(failure ?? RedisError(.connectionClosed, server: server, detail: "the server closed the connection"))
        context.fireChannelInactive()
    }

    private func fail(context: ChannelHandlerContext, _ error: RedisError) {
        failAll(error)
        context.close(promise: nil)
    }

    private func failAll(_ error: RedisError) {
        if failure == nil { failure = error }
        while let next = pending.popFirst() {
            next.timeout?.cancel()
            var specific = error
            if specific.command.isEmpty { specific.command = next.request.name }
            next.request.promise.fail(specific)
        }
    }
}

extension ByteBuffer {
    /// Writes one command as a RESP array of bulk strings.
    mutating func writeRESPCommand(_ arguments: [[UInt8]]) {
        writeInteger(UInt8(ascii: "*"))
        writeDecimal(arguments.count)
        writeStaticString("\r\n")
        for argument in arguments {
            writeInteger(UInt8(ascii: "$"))
            writeDecimal(argument.count)
            writeStaticString("\r\n")
            writeBytes(argument)
            writeStaticString("\r\n")
        }
    }

    mutating func writeDecimal(_ value: Int) {
        if value < 10 {
            writeInteger(UInt8(ascii: "0") + UInt8(value))
        } else {
            writeString(String(value))
        }
    }
}
