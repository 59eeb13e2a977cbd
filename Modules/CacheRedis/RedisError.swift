import CacheRESP

/// A Redis operation that failed, saying which server and which command.
public struct RedisError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The TCP connection could not be made (refused, unreachable, connect timeout).
        case connectionFailed
        /// No reply within the command timeout; the connection was closed.
        case timeout
        /// The connection closed while the command was in flight.
        case connectionClosed
        /// AUTH was refused (wrong password or user).
        case authenticationFailed
        /// The server answered with an error reply (`-ERR …`).
        case serverError
        /// The server sent bytes that are not valid RESP.
        case protocolError
        /// A valid reply of a type the command does not return.
        case unexpectedReply
        /// The client was closed.
        case clientClosed
    }

    public var kind: Kind
    /// `host:port` of the server.
    public var server: String
    /// The command involved (its name only, never its arguments), e.g. `"GET"`.
    public var command: String
    public var detail: String
    /// Set on errors ``RedisOutageLog`` has logged as part of an outage (once per outage),
    /// so that caches above count them without a warning per call.
    package var reportedAsOutage = false

    public init(_ kind: Kind, server: String, command: String = "", detail: String) {
        self.kind = kind
        self.server = server
        self.command = command
        self.detail = detail
    }

    public var description: String {
        "redis \(kind) at \(server)\(command.isEmpty ? "" : " (\(command))"): \(detail)"
    }
}
