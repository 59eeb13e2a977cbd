/// The typed settings of one backend (CacheDisk's, CacheJoblib's, CacheRedis's …),
/// made by that backend's factory on ``CacheEngineSettings`` and validated there.
public protocol CacheEngineSettingsValue: Sendable, Hashable, CustomStringConvertible {
    /// The engine the settings are for.
    static var engine: CacheEngineID { get }
}

/// Settings for one engine, in the engine's own typed shape.
///
/// Each backend module adds its factories as static members, so a call site reads
/// like a list of what it wants from each backend it links:
///
/// ```swift
/// settings: [.disk(directory: path, sizeLimit: .bytes(512 << 20)), .redis(url: "redis://cache:6379")]
/// ```
///
/// A factory validates what it is given and throws ``CacheConfigurationError`` at once.
/// An engine handed settings of a type it does not know throws too: settings are never
/// ignored silently.
public struct CacheEngineSettings: Sendable, Hashable, CustomStringConvertible {
    /// The engine the settings are for.
    public let engine: CacheEngineID
    /// The backend's typed settings.
    public let value: any CacheEngineSettingsValue

    /// Wraps `value` for its engine.
    public init(_ value: some CacheEngineSettingsValue) {
        self.engine = type(of: value).engine
        self.value = value
    }

    public var description: String { "\(engine): \(value)" }

    public static func == (a: Self, b: Self) -> Bool { a.engine == b.engine && AnyHashable(a.value) == AnyHashable(b.value) }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(engine)
        hasher.combine(AnyHashable(value))
    }

    /// The settings as the engine's own type, or a typed error naming both types.
    public func require<T: CacheEngineSettingsValue>(_ type: T.Type) throws(CacheConfigurationError) -> T {
        guard let typed = value as? T else {
            throw CacheConfigurationError(
                setting: "settings", value: description,
                reason: "\(T.engine) expects \(T.self), not \(Swift.type(of: value))")
        }
        return typed
    }
}

/// What to do with settings given for an engine the selection did not choose.
public enum UnusedEngineSettings: String, Sendable, Hashable {
    /// Throw ``CacheConfigurationError`` naming them (the default: a setting is never dropped
    /// without the caller saying so).
    case reject
    /// Ignore them (for call sites that list settings for every engine they might get).
    case ignore
}

/// A size bound for a persistent engine: its documented default, a byte count, or
/// explicitly none.
public enum CacheSizeLimit: Sendable, Hashable, CustomStringConvertible {
    /// The engine's documented default (1 GiB for CacheDisk and CacheJoblib).
    case `default`
    /// At most this many bytes (≥ 0).
    case bytes(Int)
    /// No bound: the cache grows until the disk is full. Must be asked for by name.
    case unbounded

    /// The bound in bytes, `nil` for unbounded, with `defaultBytes` for ``default``.
    public func resolved(defaultBytes: Int) -> Int? {
        switch self {
        case .default: return defaultBytes
        case .bytes(let n): return n
        case .unbounded: return nil
        }
    }

    /// Throws for a negative byte count.
    public func validate(setting: String) throws(CacheConfigurationError) {
        if case .bytes(let n) = self { try CacheConfiguration.checkSize(n, setting: setting) }
    }

    /// Parses `default`, `unbounded` (or `none`) or a byte count, as a configuration file or the CLI gives it.
    public init(parsing text: String, setting: String) throws(CacheConfigurationError) {
        switch text.lowercased() {
        case "default": self = .default
        case "unbounded", "none": self = .unbounded
        default:
            guard let n = Int(text), n >= 0 else {
                throw CacheConfigurationError(setting: setting, value: "'\(text)'", reason: "expected a byte count ≥ 0, 'default' or 'unbounded'")
            }
            self = .bytes(n)
        }
    }

    public var description: String {
        switch self {
        case .default: return "default"
        case .bytes(let n): return "\(n) bytes"
        case .unbounded: return "unbounded"
        }
    }
}
