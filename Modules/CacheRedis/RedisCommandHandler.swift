import CacheRESP
import NIOCore

/// Where a request's replies go: exactly one of these is completed, exactly once.
enum RedisReplyTarget: Sendable {
    /// An async caller suspended in ``RedisClient/send(_:)``: resumed straight from the
    /// event loop, with no future or promise in between.
    case continuation(UnsafeContinuation<[RESPValue], any Error>)
    /// A future-based caller (the handshake, the blocking bridge).
    case promise(EventLoopPromise<[RESPValue]>)

    func succeed(_ replies: [RESPValue]) {
        switch self {
        case .continuation(let continuation): continuation.resume(returning: replies)
        case .promise(let promise): promise.succeed(replies)
        }
    }

    func fail(_ error: RedisError) {
        switch self {
        case .continuation(let continuation): continuation.resume(throwing: error)
        case .promise(let promise): promise.fail(error)
        }
    }
}

/// A batch of commands written together (one flush) and answered with their replies in order.
struct RedisRequest: Sendable {
    var commands: [[[UInt8]]]
    /// The first command's name, for error messages.
    var name: String
    var target: RedisReplyTarget
}

/// Splits the server's byte stream into RESP replies (parsing every complete reply of a
/// read in one loop, without a message per reply through the pipeline), matches replies to requests in order (Redis answers pipelined commands in order),
/// fails the connection when the oldest request gets no reply in time, and fails every
/// pending request when the connection breaks. Lives on its channel's event loop only.
///
/// Requests arrive through ``submit(_:)`` (called on the event loop by
/// ``RedisConnection``), not through the pipeline's `write`, so a batch of requests is
/// encoded into one buffer and flushed once. One timer watches the head of the queue
/// (the oldest request, whose deadline is the earliest) instead of one timer per request.
final class RedisCommandHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    struct Pending {
        var request: RedisRequest
        var replies: [RESPValue]
        var deadline: NIODeadline
    }

    private var pending = CircularBuffer<Pending>()
    private let parser = RESPParser()
    /// Bytes read but not yet parsed (a reply split across reads).
    private var unparsed: ByteBuffer?
    private let timeout: TimeAmount
    private let server: String
    private var failure: RedisError?
    private var context: ChannelHandlerContext?
    /// Armed while requests are pending, for the head's deadline (re-armed lazily).
    private var timer: Scheduled<Void>?

    init(timeout: TimeAmount, server: String) {
        self.timeout = timeout
        self.server = server
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        failAll(failure ?? RedisError(.connectionClosed, server: server, detail: "the connection was closed"))
        self.context = nil
    }

    /// Encodes every request of `requests` into one buffer and writes it with one flush.
    /// Must run on the channel's event loop.
    func submit<Requests: Sequence<RedisRequest>>(_ requests: Requests) {
        guard let context, failure == nil, context.channel.isActive else {
            let error = failure ?? RedisError(.connectionClosed, server: server, detail: "the connection is closed")
            for request in requests { fail(request, error) }
            return
        }
        let deadline = NIODeadline.now() + timeout
        var buffer: ByteBuffer?
        for request in requests {
            if buffer == nil {
                var size = 0
                for command in request.commands { size += 16 + command.reduce(0) { $0 + $1.count + 16 } }
                buffer = context.channel.allocator.buffer(capacity: size)
            }
            for command in request.commands { buffer!.writeRESPCommand(command) }
            var replies: [RESPValue] = []
            replies.reserveCapacity(request.commands.count)
            pending.append(Pending(request: request, replies: replies, deadline: deadline))
        }
        guard let buffer else { return }
        if timer == nil { armTimer(context: context, for: deadline) }
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
    }

    private func fail(_ request: RedisRequest, _ error: RedisError) {
        var specific = error
        if specific.command.isEmpty { specific.command = request.name }
        request.target.fail(specific)
    }

    private func armTimer(context: ChannelHandlerContext, for deadline: NIODeadline) {
        let loop = context.eventLoop.assumeIsolated()
        timer = loop.scheduleTask(deadline: deadline) { [weak self, context] () -> Void in
            self?.timerFired(context: context)
        }
    }

    /// The head's deadline (or an earlier one, already answered) came: fail the connection
    /// if the head is overdue, else wait for the head's own deadline.
    private func timerFired(context: ChannelHandlerContext) {
        timer = nil
        guard let head = pending.first else { return }
        if head.deadline <= .now() {
            fail(context: context, RedisError(.timeout, server: server, command: head.request.name,
                                              detail: "no reply within \(timeout.nanoseconds / 1_000_000) ms; the connection was closed"))
        } else {
            armTimer(context: context, for: head.deadline)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        if var buffered = unparsed {
            unparsed = nil
            buffered.writeBuffer(&incoming)
            incoming = buffered
        }
        let parser = self.parser
        while incoming.readableBytes > 0, failure == nil {
            let parsed: (value: RESPValue, consumed: Int)?
            do {
                parsed = try incoming.withUnsafeReadableBytes { bytes in try parser.parse(bytes) }
            } catch {
                let detail = (error as? RESPParseError)?.description ?? "\(error)"
                fail(context: context, RedisError(.protocolError, server: server, detail: detail))
                return
            }
            guard let (value, consumed) = parsed else { break }
            incoming.moveReaderIndex(forwardBy: consumed)
            deliver(context: context, value)
        }
        if incoming.readableBytes > 0, failure == nil {
            incoming.discardReadBytes()
            unparsed = incoming
        }
    }

    private func deliver(context: ChannelHandlerContext, _ value: RESPValue) {
        guard !pending.isEmpty else {
            fail(context: context, RedisError(.protocolError, server: server, detail: "a reply arrived with no command in flight: \(value)"))
            return
        }
        let head = pending.startIndex
        pending[head].replies.append(value)
        if pending[head].replies.count == pending[head].request.commands.count {
            let done = pending.removeFirst()
            done.request.target.succeed(done.replies)
        }
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
        timer?.cancel()
        timer = nil
        while let next = pending.popFirst() {
            fail(next.request, error)
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
