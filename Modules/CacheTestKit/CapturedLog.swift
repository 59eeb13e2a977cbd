import Logging
import Synchronization

/// A logger whose messages a test can read back (level, text and metadata).
public final class CapturedLog: Sendable {
    /// Every message logged so far, oldest first: the level and `message key=value…`.
    public let lines = Mutex<[(level: Logger.Level, message: String)]>([])

    public init() {}

    /// A logger (label `test`, every level) writing into this log.
    public var logger: Logger {
        Logger(label: "test") { _ in Handler(sink: self) }
    }

    /// The warning messages, oldest first.
    public var warnings: [String] { lines.withLock { $0.filter { $0.level == .warning }.map(\.message) } }

    /// How many messages were logged at `level`.
    public func count(_ level: Logger.Level) -> Int { lines.withLock { $0.filter { $0.level == level }.count } }

    struct Handler: LogHandler {
        let sink: CapturedLog
        var logLevel: Logger.Level = .trace
        var metadata: Logger.Metadata = [:]
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            let extra = (event.metadata ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            sink.lines.withLock { $0.append((event.level, "\(event.message) \(extra)")) }
        }
    }
}
